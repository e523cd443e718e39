"""Typed requests: what each of the product's verbs takes.

One model per verb serves every face: the CLI builds its options from it (assistant/cli/options.py),
the agent's tools use it as `args_schema`, and the app's forms fill it. Field docstrings become the
option help and the JSON Schema descriptions a language model reads.

Verbs that work on a map come in two models: `XOptions` (everything but the map) and `XRequest` (the
options plus `map`). The agent's tools take the options only: the map in use is the conversation's,
never a path a user typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from assistant.contracts.feedback_records import RatingType
from assistant.domain.map_model import MAX_PERSONAS
from journey_tools.language import Language

Level = Literal["low", "medium", "high"]
Period = Literal["month", "quarter", "week"]
CompareTo = Literal["rest", "previous"]
Collection = Literal["methodology", "feedback"]
ExportFormat = Literal["json", "md", "csv", "xlsx", "mermaid", "html"]
IsoDate = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", max_length=10)]
Short = Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]
Metric = Literal["negative_share", "negative_count", "nps", "csat", "ces"]
"""What "worst" means in a question: the negative share tested against the rest ("worst", "underperforms",
"가장 부진한"), the number of negative rows ("most complaints", "불만이 가장 많은"), or the lowest score."""
FilterOp = Literal["=", "!="]
AnswerLanguage = Literal["auto", "en", "ko"]
PersonaCount = Annotated[int, Field(ge=1, le=MAX_PERSONAS)]
"""How many personas to draft: 1 to MAX_PERSONAS (the one persona limit, assistant.domain.map_model)."""


class RowFilter(BaseModel):
    """One condition on a stored column. Conditions on the same column with `=` are alternatives (airline =
    United, airline = Delta: either); every other condition must hold as well."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    column: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    """A stored column (any original column of the feedback files, or source/channel)."""
    op: FilterOp = "="
    """`=` keeps the rows with this value, `!=` the others."""
    value: Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]
    """The value, as stored (the workspace matches it ignoring case and spacing, and says so when nothing
    matches)."""

    @classmethod
    def parse(cls, text: str) -> RowFilter:
        """`COLUMN=VALUE` or `COLUMN!=VALUE`, as the CLI's --where takes it."""
        column, sep, value = text.partition("!=")
        op: FilterOp = "!="
        if not sep:
            column, sep, value = text.partition("=")
            op = "="
        if not sep or not column.strip():
            raise ValueError(f"a filter is COLUMN=VALUE or COLUMN!=VALUE, not {text!r}")
        return cls(column=column, op=op, value=value)

    def __str__(self) -> str:
        return f"{self.column} {self.op} {self.value}"


def _filter(value: object) -> object:
    return RowFilter.parse(value) if isinstance(value, str) else value


def _names(value: object) -> object:
    """A single name where a list is expected (an older caller, or a model writing one dataset)."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


Filter = Annotated[RowFilter, BeforeValidator(_filter)]
Filters = Annotated[list[Filter], Field(max_length=20)]
Sources = Annotated[list[Short], BeforeValidator(_names), Field(max_length=50)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class MapRef(Request):
    map: Short
    """A map saved in the workspace (by name), or a journey map JSON file."""


class IngestRequest(Request):
    files: list[Path] = Field(min_length=1)
    """CSV, TSV, XLSX, JSON (array) or JSONL files."""
    source: Short | None = None
    """Dataset name (default: the file name, e.g. reviews.csv); the same name adds to that dataset."""
    text_column: Short | None = None
    """Column holding the feedback text."""
    rating_column: Short | None = None
    """Column holding a score."""
    rating_type: RatingType | None = None
    """Scale of the score."""
    date_column: Short | None = None
    """Column holding the date."""
    id_column: Short | None = None
    """Column holding your own row id."""
    stage_column: Short | None = None
    """Column naming the journey stage."""
    channel_column: Short | None = None
    """Column naming the channel."""
    sheet: Short | None = None
    """XLSX sheet name (default: the first)."""
    index: bool = True
    """Also embed the new rows and update the search index."""


class AssignOptions(Request):
    source: Sources = []
    """Only rows of these datasets (repeatable; default: all stored feedback)."""
    uncertain: Annotated[int, Field(ge=1, le=1000)] | None = None
    """Only the N rows whose stage is least certain: the ones a correction teaches most (active
    learning; correct them with `journey label`)."""


class AssignRequest(AssignOptions, MapRef):
    pass


class CorrectOptions(Request):
    feedback_id: Short
    """The row to correct: its feedback id (from `journey assign`) or your own id column's value."""
    stage: Short | None = None
    """The stage the row belongs to (exact name in the map)."""
    sentiment: Literal["negative", "neutral", "positive"] | None = None
    """The row's sentiment."""
    clear: bool = False
    """Remove this row's corrections instead (for this map's stage, and its sentiment)."""


class CorrectRequest(CorrectOptions, MapRef):
    pass


class DiagnoseOptions(Request):
    stage: Short | None = None
    """Focus on one stage of the map (its exact name); all stages when omitted."""
    segment_by: Short | None = None
    """Any stored column to break results down by: channel, plan, region…; with compare_to 'previous',
    'auto' picks the column that explains the change, if one does."""
    since: IsoDate | None = None
    """First date (YYYY-MM-DD)."""
    until: IsoDate | None = None
    """Last date (YYYY-MM-DD)."""
    compare_to: CompareTo = "rest"
    """Compare each stage with the rest of the journey or with the previous period."""
    source: Sources = []
    """Only rows of these datasets (repeatable; default: all stored feedback)."""
    where: Filters = []
    """Only rows whose stored column matches: COLUMN=VALUE or COLUMN!=VALUE (repeatable), e.g.
    airline=United. A filtered diagnosis equals that value's block of segment_by for the same column."""
    metric: Metric = "negative_share"
    """What the ranking's first stage is worst in: negative_share (tested against the rest), negative_count
    (most complaints), or the lowest nps, csat or ces."""
    period: Period = "quarter"
    """Trend granularity."""
    language: Language | None = None
    """Language of the text summary and warnings (default: the map's)."""


class DiagnoseRequest(DiagnoseOptions, MapRef):
    pass


class IdeasOptions(Request):
    stage: Short | None = None
    """Stage to improve (default: the worst-ranked stage)."""
    source: Sources = []
    """Only rows of these datasets (repeatable; default: all stored feedback)."""
    where: Filters = []
    """Only rows whose stored column matches: COLUMN=VALUE or COLUMN!=VALUE (repeatable)."""
    since: IsoDate | None = None
    """First date (YYYY-MM-DD)."""
    until: IsoDate | None = None
    """Last date (YYYY-MM-DD)."""
    language: Language = "en"
    """Language of the ideas."""
    effort: dict[Short, Level] = {}
    """Known effort per pain theme, e.g. {"login": "low"}; estimated otherwise."""
    owner: Short = ""
    """Who owns the measurement plan."""


class IdeasRequest(IdeasOptions, MapRef):
    pass


class SurveyOptions(Request):
    stages: list[Short] = []
    """Stages to ask about (default: the stages with too little feedback)."""
    language: Language = "en"
    """Language of the questions."""


class SurveyRequest(SurveyOptions, MapRef):
    pass


class SearchRequest(Request):
    query: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    """What to look for, in Korean or English."""
    collection: Collection = "methodology"
    """Search the methodology notes or the customer feedback."""
    where: dict[Short, Short] = {}
    """Exact-match filters, e.g. {"channel": "app", "plan": "pro"} (any stored column)."""
    source: Sources = []
    """Only feedback of these datasets (repeatable; default: all)."""
    since: IsoDate | None = None
    """Only feedback dated on or after (YYYY-MM-DD, YYYY-MM or YYYY)."""
    limit: Annotated[int, Field(ge=1, le=100)] = 5
    """How many passages."""


class ExportRequest(MapRef):
    format: ExportFormat = "json"
    """json (exact copy), md, csv (re-importable), xlsx, mermaid, html (standalone page)."""
    version: Annotated[int, Field(ge=1)] | None = None
    """A saved map's version (default: the latest)."""


class ReindexRequest(Request):
    collection: Literal["feedback", "methodology", "all"] = "all"
    """Which collection to rebuild."""


class MigrateRequest(Request):
    to: str
    """The PostgreSQL database to copy into: postgresql://user:password@host:port/database."""
    source_home: Path | None = None
    """The JOURNEY_HOME to copy from (default: the current one)."""
    owner: str | None = None
    """Copy this signed-in user's part of the home (into their own schema) instead of the local workspace."""

    @field_validator("to")
    @classmethod
    def _postgres(cls, value: str) -> str:
        if not value.startswith(("postgres://", "postgresql://", "postgresql+")):
            raise ValueError("must be a postgresql://… URL")
        return value


class DatasetRename(Request):
    name: Short
    """The dataset's current name."""
    new_name: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    """Its new name."""


class DatasetRemove(Request):
    name: Short
    """The dataset to remove, with all its rows, vectors and labels."""


class ChatSettings(Request):
    """A chat's settings: the app's settings panel is built from these fields (assistant/chat_app/forms.py),
    so a field added here shows up there."""

    language: AnswerLanguage = "auto"
    """The answer language; auto answers in the language of each message."""
    personas: PersonaCount = 1
    """How many personas to draft when a message names no number (a number in the message wins)."""
    model: Short | None = None
    """The model that answers, where the provider serves several."""

    @classmethod
    def from_form(cls, values: Mapping[str, Any]) -> ChatSettings:
        """The settings a form sent, each value that does not fit its field (from an older form, or
        tampered with) replaced by the field's default; names the model does not know are ignored."""
        known = {k: v for k, v in values.items() if k in cls.model_fields}
        try:
            return cls.model_validate(known)
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            return cls.model_validate({k: v for k, v in known.items() if k not in bad})
