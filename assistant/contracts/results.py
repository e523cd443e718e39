"""Typed results: what each verb returns, and what `--json` prints (`model_dump(mode="json")`).

The shapes are the ones the CLI has printed since the first round (the contract check in
shared/contract holds them); typing them lets the agent's grounding check and the app read numbers by
name instead of digging through dictionaries. Numbers that cannot be computed (too few rows) are None.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.contracts.feedback_records import IngestReport
from assistant.contracts.requests import RowFilter
from assistant.domain.map_model import JourneyMap
from journey_tools.language import Language

Sentiment = Literal["negative", "neutral", "positive"]


class Result(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


# --- labelling and assignment --------------------------------------------------------------------------


class LabelReport(Result):
    """What the labelling step did for one map: rows already labelled are never labelled again."""

    map_key: str
    """Identifies the map's stages, the method and the embedding model the labels were made with."""
    labeller: str = ""
    """Identifies how the sentiment labels were made (model, method version, sentiment corrections)."""
    rows_in_scope: int
    """Rows the request covers."""
    rows_labelled: int
    """Rows labelled by this call (0 when every row already had a label)."""
    rows_embedded: int
    """Rows embedded by this call because they had no stored vector yet."""
    seconds: float
    """Time this step took."""
    unassigned: dict[str, int] = {}
    """Rows this call left without a stage, by reason: 'no_evidence' (no word or meaning points to any
    stage: "worst airline ever") or 'ambiguous' (no stage stands out)."""


class AssignmentRow(Result):
    feedback_id: str
    source: str
    row: int
    """1-based data row in the ingested file."""
    external_id: str | None
    stage: str | None
    """The stage the row was assigned to, or None (unassigned)."""
    confidence: float
    stage_method: str
    """'column' (the data named the stage), 'similarity', 'correction' (a person labelled it), or for an
    unassigned row 'none:no_evidence' / 'none:ambiguous' (why no stage was chosen)."""
    sentiment: Sentiment
    sentiment_score: float
    """-1 (very negative) .. +1 (very positive)."""
    sentiment_method: str
    """'rating' (from the row's score) or 'text'."""


class CorrectionResult(Result):
    """A stored correction: labels are made again, with it, the next time the map is used."""

    map_id: str
    """Whose corrections these are: 'saved:<name>' for a saved map, 'title:<title>' for a map file."""
    feedback_id: str
    stage: str | None
    """The corrected stage (None: not corrected)."""
    sentiment: Sentiment | None
    """The corrected sentiment (None: not corrected)."""
    stage_corrections: int
    """Stage corrections now stored for this map."""
    sentiment_corrections: int
    """Sentiment corrections now stored (they apply to every map)."""


class Assignments(Result):
    map: str
    """The map's title."""
    stages: list[str]
    rows: list[AssignmentRow]
    labelling: LabelReport


# --- diagnosis -----------------------------------------------------------------------------------------


class Quote(Result):
    feedback_id: str
    text: str
    """The customer's words, verbatim."""
    source: str
    row: int


class CounterEvidence(Result):
    n: int
    """Positive comments of the same stage that mention the theme."""
    quotes: list[Quote]


class Theme(Result):
    label: str
    """The customers' own words that the theme's comments share."""
    terms: list[str]
    n: int
    """Negative comments in the theme."""
    share_of_negative: float | None
    negative_share_without_theme: float | None
    """The stage's negative share if this theme's complaints went away."""
    quotes: list[Quote]
    counter_evidence: CounterEvidence


class NpsSummary(Result):
    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    ci_low: float | None
    ci_high: float | None


class CsatSummary(Result):
    n: int
    satisfied_share: float | None
    ci_low: float | None
    ci_high: float | None
    mean: float | None
    mean_ci_low: float | None
    mean_ci_high: float | None


class CesSummary(Result):
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    easy_share: float | None
    easy_ci_low: float | None
    easy_ci_high: float | None


class Comparison(Result):
    """A stage's negative share against the rest of the journey or the previous period."""

    stage: str
    against: str
    testable: bool
    """False when either side has no rows."""
    n: int
    n_other: int
    share1: float | None = None
    share2: float | None = None
    difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    risk_ratio: float | None = None
    cohens_h: float | None = None
    z: float | None = None
    p_value: float | None = None
    small_sample: bool | None = None
    n1: int | None = None
    n2: int | None = None
    p_adjusted: float | None = None
    """Benjamini-Hochberg adjusted over the stages tested."""
    significant: bool | None = None
    """Worse than the comparison at the 5% level after adjustment."""


class TrendPoint(Result):
    period: str
    n: int
    negative: int
    negative_share: float | None
    ci_low: float | None
    ci_high: float | None


class ThemeGap(Result):
    label: str
    excess_negative: float | None
    share_of_gap: float | None


class SegmentGap(Result):
    value: str
    excess_negative: float | None
    share_of_gap: float | None


class Gap(Result):
    """How many more negative comments the stage has than the rest's rate would give, and from what."""

    rest_negative_share: float | None
    excess_negative: float | None
    themes: list[ThemeGap]
    segments: list[SegmentGap]


class SegmentShift(Result):
    segment: str
    n_before: int
    n_after: int
    weight_before: float | None
    weight_after: float | None
    rate_before: float | None
    rate_after: float | None
    rate_effect: float | None
    mix_effect: float | None
    contribution: float | None


class MixShift(Result):
    rate_before: float | None
    rate_after: float | None
    change: float | None
    rate_effect: float | None
    mix_effect: float | None
    mix_fraction: float | None
    material: bool
    mix_dominates: bool
    segments: list[SegmentShift]


class StageMetrics(Result):
    stage: str
    n: int
    """Rows assigned to the stage."""
    share_of_feedback: float | None
    negative: int
    neutral: int
    positive: int
    negative_share: float | None
    ci_low: float | None
    """95% Wilson interval of the negative share."""
    ci_high: float | None
    small_sample: bool
    nps: NpsSummary | None
    csat: CsatSummary | None
    ces: CesSummary | None
    themes: list[Theme] = []


class StageDiagnosis(StageMetrics):
    comparison: Comparison
    trend: list[TrendPoint]
    gap: Gap
    mix_shift: MixShift | None = None


class SegmentUnassigned(Result):
    n: int


class SegmentView(Result):
    n: int
    stages: list[StageMetrics]
    ranking: list[str]
    comparisons: list[Comparison]
    unassigned: SegmentUnassigned


class Window(Result):
    since: str | None
    until: str | None


class Unassigned(Result):
    n: int
    share: float | None


class WarningDetail(Result):
    code: str
    params: dict[str, Any]


class RankingConfidence(Result):
    """How sure the stage ranking is, given that stages were assigned by a model."""

    top_two_within_noise: bool | None = None
    """True when the two most-complained-about stages swap places in a notable share of resamples."""
    top_stage_share: float | None = None
    """Share of bootstrap resamples in which the top stage stays on top."""
    low_confidence_rows: int = 0
    """Rows assigned with a confidence below 0.5."""
    note: str = ""
    top_stage: str | None = None
    """The ranking's first stage among those it could test."""
    runner_up: str | None = None
    low_confidence_threshold: float = 0.5
    low_confidence_share: float | None = None
    """Low-confidence rows as a share of all rows in scope."""
    unassigned_share: float | None = None
    noise_level: float = 0.95
    """The top stage must stay first in this share of resamples to be named alone."""
    resamples: int = 0


class DatasetRows(Result):
    name: str
    """The dataset (a source: an upload's file name, or `journey ingest --source`)."""
    rows: int
    """Its stored rows."""


class AnswerScope(Result):
    """What an answer is about: the map, the data, the rows kept and the measure. Every face shows it in one
    line above a diagnosis (`assistant.contracts.chat_context.context_line`)."""

    map: str
    """The map's saved name (or its title, for a map file)."""
    map_version: int | None = None
    """The saved version used (None for a map file)."""
    datasets: list[DatasetRows] = []
    """The datasets read, with their stored rows (empty list: every dataset)."""
    all_feedback: bool = False
    """True when every stored dataset was read."""
    where: list[RowFilter] = []
    """The row filters applied, with values as stored."""
    since: str | None = None
    until: str | None = None
    metric: str = "negative_share"
    compare_to: str = "rest"
    segment_by: str | None = None
    rows_in_scope: int = 0
    """Rows the filters kept (assigned to a stage or not)."""


class StageValue(Result):
    """One stage in the order of the metric asked (worst first)."""

    stage: str
    value: float | None
    """The metric's value: a share (0-1), a count of negative rows, or a score."""
    n: int
    """Rows the value is computed from (for a score: rows with that score)."""
    negative: int
    ci_low: float | None = None
    ci_high: float | None = None
    share_of_negative: float | None = None
    """For negative_count: the stage's share of all negative rows in scope."""


class MetricRanking(Result):
    """The stages ranked by the metric the question asked for."""

    metric: str
    stages: list[StageValue]
    top_two_within_noise: bool | None = None
    """True when the first two cannot be told apart (counts: a binomial test of the two; scores and
    shares: overlapping 95% intervals); None when fewer than two stages have a value."""
    p_value: float | None = None
    """The test of the first two, where one was run."""
    total_negative: int = 0
    """Negative rows in scope over all stages (the denominator of 'x of y complaints')."""


class Diagnosis(Result):
    """The `journey diagnose --json` document."""

    map: str
    stages: list[StageDiagnosis]
    ranking: list[str]
    """Worst first: significantly worse stages by effect size, then the others by difference."""
    comparisons: list[Comparison]
    compare_to: Literal["rest", "previous"]
    current_window: Window
    previous_window: Window | None
    n: int
    """Rows in scope (assigned and unassigned)."""
    unassigned: Unassigned
    warnings: list[str]
    """In English; warning_details carry codes and parameters for other languages."""
    warning_details: list[WarningDetail]
    segment_by: str | None
    segments: dict[str, SegmentView]
    ranking_confidence: RankingConfidence = Field(default_factory=RankingConfidence)
    language: Language = "en"
    """Language of the map (and of the text summary by default)."""
    labelling: LabelReport | None = None
    scope: AnswerScope | None = None
    """What the diagnosis is about: map and version, datasets, filters, period, metric."""
    metric_ranking: MetricRanking | None = None
    """The stages in the order of the metric asked (`ranking` stays the tested negative-share order)."""

    def stage(self, name: str) -> StageDiagnosis | None:
        return next((s for s in self.stages if s.stage.casefold() == name.casefold()), None)


# --- ideas and surveys ----------------------------------------------------------------------------------


class ExpectedImpact(Result):
    negatives_addressed: int
    share_of_stage_negative: float
    severity: int
    score: float
    negative_share_now: float | None
    negative_share_if_fixed: float | None
    based_on_rows: int


class MeasurementPlan(Result):
    who: str
    what: str
    when: str
    why: str


class Idea(Result):
    stage: str
    theme: str
    idea: str
    pattern: str
    """'playbook' when a known improvement pattern matched, else 'generic'."""
    playbook_id: str | None = None
    """The playbook entry the idea comes from (None for the generic idea)."""
    domain: str | None = None
    """The map's domain the entry was chosen within (airline, finance, ...), inferred from the map."""
    match_score: float | None = None
    """Similarity of the entry's problem to the theme's label and quotes (None: matched by words)."""
    matched_on: list[str] = []
    """Feedback ids of the quotes the idea was matched against."""
    kpi: str
    expected_impact: ExpectedImpact
    effort: Literal["low", "medium", "high"]
    effort_source: Literal["user", "estimated"]
    feasibility: Literal["low", "medium", "high"]
    desirability: Literal["low", "medium", "high"]
    viability: Literal["low", "medium", "high"]
    priority: float
    """Expected impact per unit of effort."""
    measurement: MeasurementPlan


class SurveyQuestion(Result):
    id: str
    text: str
    scale: str


class SurveyBlock(Result):
    stage: str
    questions: list[SurveyQuestion]


class SurveyQuestions(Result):
    stages: list[SurveyBlock]


class IdeasResult(Result):
    stage: str
    based_on_rows: int
    ideas: list[Idea]
    survey_questions: list[SurveyBlock]
    """Comparable questions for stages with too little evidence."""
    scope: AnswerScope | None = None
    """The map, datasets and rows the ideas were drawn from."""


# --- search and index -----------------------------------------------------------------------------------


class SearchHit(Result):
    id: str
    text: str
    source: str
    location: str
    """`file:row` for feedback, `note-id#section` for methodology."""
    score: float
    metadata: dict[str, Any] = {}


class SearchResult(Result):
    query: str
    collection: Literal["methodology", "feedback"]
    hits: list[SearchHit]


class CollectionCounts(Result):
    collection: str
    source_count: int
    index_count: int
    matches: bool
    indexed: int
    skipped_files: list[str] = []


class ReindexResult(Result):
    embedder: str
    collections: dict[str, CollectionCounts]


class IngestResult(IngestReport):
    """The ingest report plus what happened to the search index."""

    rows_embedded: int = 0
    rows_indexed: int = 0
    notes: list[str] = Field(default_factory=list)
    """Advice about the run, e.g. how much faster the fast embedding tier would have been."""


class TableCount(Result):
    table: str
    sqlite_rows: int
    postgres_rows: int


class MigrationResult(Result):
    """What `journey migrate` copied: rows counted on both sides, per table."""

    source: str
    target: str
    """The PostgreSQL URL, without its password."""
    namespace: str
    """The schema the rows went to (one per workspace owner)."""
    tables: list[TableCount] = Field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.postgres_rows for t in self.tables)


class DatasetSummary(Result):
    name: str
    rows: int
    files: list[str]
    """The file names its rows came from."""
    first_date: str | None
    last_date: str | None
    columns: list[str]
    """Its stored columns beyond the text (segments and filters can use them)."""


class DatasetList(Result):
    """The `journey datasets --json` document."""

    datasets: list[DatasetSummary]
    total_rows: int


class DatasetChange(Result):
    name: str
    new_name: str | None = None
    """Set for a rename."""
    rows: int
    """Rows renamed or removed."""


# --- maps -----------------------------------------------------------------------------------------------


class ExportResult(Result):
    format: str
    filename: str
    media_type: str
    content: bytes = Field(exclude=True)
    size: int


class MapSummary(Result):
    name: str
    title: str
    version: int
    stages: int
    updated_at: datetime
    author: str
    reason: str


class MapVersion(Result):
    name: str
    version: int
    author: Literal["user", "assistant"]
    reason: str
    created_at: datetime
    map: JourneyMap


class AddedFile(Result):
    """A file given in a chat: imported as a journey map, or ingested as feedback (told by its content)."""

    kind: Literal["map", "feedback"]
    file: str
    """The file's name as the user gave it (never a server path)."""
    map: MapVersion | None = None
    """The saved map, when the file is a map."""
    ingest: IngestResult | None = None
    """The ingest's accounting, when the file is feedback."""
    source: str | None = None
    """The dataset the feedback went into."""


class Change(Result):
    """One difference between two versions of a map."""

    kind: Literal[
        "stage_added",
        "stage_removed",
        "stage_renamed",
        "stage_moved",
        "step_added",
        "step_removed",
        "step_moved",
        "field_changed",
        "persona_added",
        "persona_removed",
    ]
    path: str
    """Where, e.g. `stages[심사].steps[2].emotion.score`."""
    before: Any = None
    after: Any = None
    text: str
    """One readable line."""
    numbers: list[int] = []
    """The numbers the line states (1-based positions, a step count), as fields: an answer's numbers are
    tied to these, never to the text."""


class MapDiff(Result):
    name: str
    from_version: int
    to_version: int
    changes: list[Change]


class MapEditResult(Result):
    name: str
    version: int
    diff: MapDiff
    warnings: list[str] = []
