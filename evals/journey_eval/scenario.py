"""The scenario files of the assistant suite (evals/scenarios/assistant/*.yaml): their schema and loader.

A scenario is one conversation a user could have: what is in the workspace before it starts (feedback
files, saved maps), the user's turns, what each turn must achieve (expected properties, scored by
evaluators.py), and, for the scripted model only, the replies of a scripted analyst (analyst.py).

Every model forbids unknown keys, so a typo in a scenario file is an error that names the file and
the field, not an expectation that silently never runs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ROOT = Path(__file__).resolve().parents[2]
SCENARIO_DIR = ROOT / "evals" / "scenarios" / "assistant"

Job = Literal[
    "draft_map",
    "draft_with_feedback",
    "draft_personas",
    "missing_essentials",
    "edit_undo",
    "diagnose",
    "diagnose_segment",
    "diagnose_previous",
    "ideas",
    "export",
    "injection",
    "map_upload",
]
JOBS: tuple[str, ...] = Job.__args__  # type: ignore[attr-defined]
ToolName = Literal[
    "feedback_overview",
    "search_methodology",
    "search_feedback",
    "diagnose_journey",
    "propose_improvements",
    "propose_survey_questions",
    "get_current_map",
    "save_journey_map",
    "apply_map_operations",
    "undo_map_edit",
    "draft_personas",
    "export_map",
    # the embedded pipeline's own steps
    "understand",
    "read_brief",
    "draft_journey_map",
    # a file dropped in the chat; the number of personas asked
    "add_file",
    "persona_count",
]


class ScenarioError(ValueError):
    """A scenario file that cannot be used, with the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FeedbackFixture(_Strict):
    """Feedback stored before the conversation starts: a file of the repository, or generated rows."""

    file: str | None = None
    """A path relative to the repository root."""
    generate: Literal["planted_problem"] | None = None
    """evals/scenarios/planted_problem.py's seeded generator: its CSV columns only; the generator's labels
    (true stage, sentiment, theme) go to a side file the evaluator reads, never into the store."""
    rows: Annotated[int, Field(ge=100, le=20_000)] = 5000
    source: str
    rating_type: Literal["nps", "csat", "ces"] | None = None
    stage_column: str | None = None
    text_column: str | None = None

    @model_validator(mode="after")
    def _one_origin(self) -> FeedbackFixture:
        if (self.file is None) == (self.generate is None):
            raise ValueError("give exactly one of `file` and `generate`")
        for column in (self.stage_column, self.text_column):
            if column is not None and column.casefold().startswith("true_"):
                raise ValueError(
                    f"{column!r} is an answer column: the product must assign stages itself "
                    "(labels live in the fixture's .labels.json side file)"
                )
        return self


class MapFixture(_Strict):
    name: str
    """The saved map's name (what the conversation refers to)."""
    file: str
    """A map JSON file, relative to the repository root."""


class Injection(_Strict):
    """Instructions planted in the fixture files. The control run removes them (replacing each with its
    `control` text), so the attacked run can be compared with a run that never saw them."""

    text: str
    control: str = ""


class KnownIssue(_Strict):
    """A product problem this scenario shows and nobody has fixed yet."""

    note: str
    """Where the problem is, and why."""
    modes: list[Literal["scripted", "embedded", "openai"]] = ["scripted", "embedded", "openai"]
    """The modes that show it (the embedded pipeline has no system prompt, for example)."""


class Setup(_Strict):
    feedback: list[FeedbackFixture] = []
    maps: list[MapFixture] = []
    current_map: str | None = None
    """The map the conversation starts on (passed with the first turn)."""
    datasets: list[str] | None = None
    """The datasets the conversation starts on (their sources); None: all the feedback set up."""
    injections: list[Injection] = []
    canaries: list[str] = []
    """Strings that must never reach the answer, a tool call or an exported file."""

    @model_validator(mode="after")
    def _current_map_exists(self) -> Setup:
        if self.current_map is not None and self.current_map not in {m.name for m in self.maps}:
            raise ValueError(f"current_map {self.current_map!r} is not one of the maps given in setup")
        return self


class PainExpectation(_Strict):
    stage: str
    """Regex for the stage name the pain point must sit in."""
    theme: str
    """Regex the pain point's description or one of its evidence quotes must match."""
    evidence: bool = True
    """It must cite stored feedback (provenance feedback, at least one verbatim quote)."""


class PainPoints(_Strict):
    planted: Annotated[list[PainExpectation], Field(min_length=1)]
    min_recall: Annotated[float, Field(ge=0, le=1)] = 1.0
    min_precision: Annotated[float, Field(ge=0, le=1)] = 1.0
    """Of the pain points that match a planted theme, the share placed at that theme's stage."""


class ExportExpectation(_Strict):
    format: Literal["json", "md", "csv", "xlsx", "mermaid", "html"]
    contains: list[str] = []
    """Strings the file must contain (for xlsx: in some cell)."""


class Expect(_Strict):
    """What one turn must achieve. Anything not given is not checked, except the checks every turn
    gets: the turn completes, the output validates, quotes are verbatim, numbers are grounded, the
    answer is in the question's language, and no canary is obeyed."""

    tools_called: list[ToolName] = []
    tools_not_called: list[ToolName] = []
    answer_kind: Literal["diagnosis", "chat"] | None = None
    map_updated: bool | None = None
    stages_cover: list[str] = []
    """Regexes (alternatives with |): each must match the name of some stage of the current map."""
    stages_avoid: list[str] = []
    """Regexes no stage name may match (a map asked for one part of a journey leaves the rest out)."""
    stages_in_order: list[str] = []
    """Regexes that must match stages of the current map next to each other, in this order."""
    stage_count: tuple[int, int] | None = None
    map_mentions: list[str] = []
    """Regexes each of which must match some text of the current map (a stage, step, touchpoint, pain
    point, persona...): an edit in words was applied, a brief's subject reached the map."""
    map_not_mentions: list[str] = []
    """Regexes no text of the current map may match (e.g. what an edit removed)."""
    map_language: Literal["en", "ko"] | None = None
    """The language the current map's stage names and step actions are written in."""
    pain_points: PainPoints | None = None
    personas: tuple[int, int] | None = None
    """How many personas the current map must have after the turn (min, max)."""
    diff_kinds: list[str] = []
    """Change kinds the turn's map update must show (e.g. stage_renamed, stage_added)."""
    map_unchanged: bool = False
    """The current map's version is the same after the turn as before it."""
    restores_turn: Annotated[int, Field(ge=1)] | None = None
    """After this turn the map equals what it was before turn N (1-based): an undo."""
    export: ExportExpectation | None = None
    asks_question: bool | None = None
    answer_matches: list[str] = []
    """Regexes the answer must match (case-insensitive)."""
    answer_not_matches: list[str] = []
    language: Literal["en", "ko"] | None = None
    """Default: the language of the user's message."""
    grounded: bool = True
    max_seconds: float | None = None


class Turn(_Strict):
    user: str = ""
    """The message (may be empty when the turn only drops a file)."""
    file: str | None = None
    """A file the user drops in the chat with this turn (relative to the repository root). It is copied
    into an upload folder as the app stages uploads, added to the conversation (a map file becomes its map,
    a feedback file joins its data), then the message, if any, is sent."""
    language: Literal["auto", "en", "ko"] = "auto"
    intent: Literal["draft_map"] | None = None
    personas: Annotated[int, Field(ge=1, le=10)] = 1
    use_feedback: bool = True
    expect: Expect = Expect()
    script: list[dict[str, Any]] | None = None
    """The scripted analyst's replies for this turn (only with --model scripted)."""


class Scenario(_Strict):
    id: str
    job: Job
    language: Literal["en", "ko"]
    title: str
    """One sentence: who asks what, and why it matters."""
    embedded: Literal["no_model", "model"] = "no_model"
    """Whether the embedded pipeline needs its language model for this scenario (for its time budget)."""
    tier: Literal["ci", "extended"] = "ci"
    """ci: run by `.ci/run`; extended: run only without `--tier ci` (the slowest model-driven scenarios,
    kept out of CI's time budget; run them before a release or after changing the drafting pipeline)."""
    known_issue: KnownIssue | None = None
    """In the modes it names, the scenario still runs and reports but is not counted in the pass rate;
    once it passes it fails the run, so the note is removed when the problem is fixed."""
    setup: Setup = Setup()
    turns: Annotated[list[Turn], Field(min_length=1)]
    path: Path | None = Field(default=None, exclude=True)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{2,60}", value):
            raise ValueError("an id is 3-61 lower-case letters, digits and dashes")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        for k, turn in enumerate(self.turns, 1):
            if not turn.user.strip() and turn.file is None:
                raise ValueError(f"turn {k}: give the user's message, a file, or both")
            if turn.expect.restores_turn is not None and turn.expect.restores_turn >= k:
                raise ValueError(f"turn {k}: restores_turn must name an earlier turn")
            for pattern in [
                *turn.expect.stages_cover,
                *turn.expect.stages_in_order,
                *turn.expect.stages_avoid,
                *turn.expect.answer_matches,
                *turn.expect.answer_not_matches,
                *turn.expect.map_mentions,
                *turn.expect.map_not_mentions,
            ]:
                _compile(pattern, f"turn {k}")
            for pain in turn.expect.pain_points.planted if turn.expect.pain_points else []:
                _compile(pain.stage, f"turn {k}")
                _compile(pain.theme, f"turn {k}")
        if self.job == "injection" and not (self.setup.injections and self.setup.canaries):
            raise ValueError("an injection scenario needs setup.injections and setup.canaries")
        return self

    @property
    def scripted(self) -> bool:
        return all(t.script is not None for t in self.turns)


def _compile(pattern: str, where: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{where}: bad regex {pattern!r}: {exc}") from None


def load_scenario(path: Path) -> Scenario:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: cannot read the scenario ({exc})") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: a scenario file holds one mapping (id, job, language, title, turns…)")
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise ScenarioError(f"{path}: invalid scenario: {problems}") from None
    scenario.path = path
    if path.stem != scenario.id:
        raise ScenarioError(f"{path}: the file name must be the scenario id ({scenario.id}.yaml)")
    for fixture in scenario.setup.feedback:
        if fixture.file and not (ROOT / fixture.file).is_file():
            raise ScenarioError(f"{path}: setup.feedback file {fixture.file!r} does not exist")
    for m in scenario.setup.maps:
        if not (ROOT / m.file).is_file():
            raise ScenarioError(f"{path}: setup.maps file {m.file!r} does not exist")
    for k, turn in enumerate(scenario.turns, 1):
        if turn.file is not None and not (ROOT / turn.file).is_file():
            raise ScenarioError(f"{path}: turn {k} file {turn.file!r} does not exist")
    return scenario


def load_scenarios(directory: Path = SCENARIO_DIR, only: list[str] | None = None) -> list[Scenario]:
    """Every scenario in the folder (sorted by id), or those whose id matches one of `only` (globs)."""
    import fnmatch

    scenarios = [load_scenario(p) for p in sorted(directory.glob("*.yaml"))]
    ids = [s.id for s in scenarios]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ScenarioError(f"{directory}: duplicate scenario ids: {', '.join(duplicates)}")
    if only:
        scenarios = [s for s in scenarios if any(fnmatch.fnmatch(s.id, pattern) for pattern in only)]
        if not scenarios:
            raise ScenarioError(f"no scenario id matches {', '.join(only)} (known: {', '.join(ids)})")
    return scenarios
