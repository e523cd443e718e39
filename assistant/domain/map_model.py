"""Pydantic models of personas and journey maps.

Every model forbids unknown keys and bounds its sizes, so a map produced by a language model or
hand-written by a user is either valid or rejected with the JSON path of the bad field. Attribute
docstrings become the descriptions in the published JSON Schema.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

SCHEMA_VERSION = "1.0"

MAX_TEXT = 5000
MAX_STAGES = 30
MAX_STEPS = 60
MAX_ITEMS = 50
MAX_PERSONAS = 3
"""The persona limit: the methodology starts a map with at most three personas. A chat or a brief asks
for 1 to MAX_PERSONAS, the assistant drafts at most this many at once, and more on one map draws a
warning."""
MAX_MAP_PERSONAS = 10
"""What a stored map can hold at all (a hand-made or imported map may follow more than MAX_PERSONAS, with
a warning); also the most a model may send in one drafting call before the extra ones are dropped."""
BOOKKEEPING_FIELDS = frozenset({"version", "created_at", "updated_at"})
"""A map's fields that record when and which save it is, not what it says."""

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT, strip_whitespace=True)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
TextList = Annotated[list[Text], Field(max_length=MAX_ITEMS)]

Channel = Literal["web", "app", "store", "phone", "email", "chat", "social", "partner", "other"]
PurchasePhase = Literal["pre", "during", "post"]
JourneyType = Literal["new_customer", "renewal", "problem_resolution", "other"]
JourneyState = Literal["current", "future"]
Provenance = Literal["asserted", "feedback", "inferred"]
Sentiment = Literal["negative", "neutral", "positive"]
Level = Literal["low", "medium", "high"]
BuyingRole = Literal["decision_maker", "user", "approver", "influencer", "gatekeeper", "buyer", "other"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, validate_assignment=True)


OriginSource = Literal["brief", "feedback", "reference", "model"]


class Origin(_Strict):
    """Where a piece of content comes from, so a reader can tell what was said, measured, adapted or
    inferred: `brief` (the user said it), `feedback` (customers' rows, by id), `reference` (adapted from a
    reference journey in the product's library), `model` (inferred by the assistant or filled in by code)."""

    source: OriginSource
    """Where the content as a whole comes from."""
    reference: Annotated[str, StringConstraints(max_length=200)] | None = None
    """The reference journey it was adapted from (its id), when any of it comes from one."""
    feedback_ids: Annotated[
        list[Annotated[str, StringConstraints(max_length=200)]], Field(max_length=MAX_ITEMS)
    ] = []
    """Ids of the feedback rows it quotes or rests on."""
    fields: dict[Annotated[str, StringConstraints(max_length=60)], OriginSource] = {}
    """Fields whose origin differs from `source`, e.g. {"channel": "brief"} when the brief set the channel."""

    def of(self, field: str) -> OriginSource:
        """The origin of one field."""
        return self.fields.get(field, self.source)


class Evidence(_Strict):
    """One piece of customer feedback that supports a claim, quoted verbatim."""

    feedback_id: Annotated[str, StringConstraints(max_length=200)] | None = None
    """Identifier of the row in the feedback store."""
    source_file: Annotated[str, StringConstraints(max_length=500)] | None = None
    """File the feedback was ingested from."""
    row: Annotated[int, Field(ge=1)] | None = None
    """1-based data row number in that file."""
    quote: Text
    """The customer's words, verbatim."""
    sentiment: Sentiment | None = None
    """Sentiment of the quoted feedback."""


class PainPoint(_Strict):
    """Something that hurts the customer at a step."""

    description: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT, strip_whitespace=True)]
    """What goes wrong, in the customer's terms."""
    severity: Annotated[int, Field(ge=1, le=5)] = 3
    """1 (minor annoyance) to 5 (makes customers give up)."""
    provenance: Provenance = "asserted"
    """Where the claim comes from: stated by the user, shown by feedback, or inferred by the assistant."""
    evidence: Annotated[list[Evidence], Field(max_length=MAX_ITEMS)] = []
    """Feedback that supports it."""
    origin: Origin | None = None
    """Where it comes from (brief, feedback, reference journey or model)."""


class Opportunity(_Strict):
    """An improvement idea attached to a step or stage."""

    description: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT, strip_whitespace=True)]
    """The idea."""
    expected_impact: Text = ""
    """What should change for customers and the business, ideally with a number."""
    effort: Level | None = None
    """Rough cost to deliver."""
    feasibility: Level | None = None
    """Can we build it (technology, skills, time)?"""
    desirability: Level | None = None
    """Do customers want it?"""
    viability: Level | None = None
    """Does it pay off for the business?"""
    kpi: Text = ""
    """The KPI it should move."""
    owner: Text = ""
    """Who is accountable."""
    origin: Origin | None = None
    """Where it comes from (brief, feedback, reference journey or model)."""


class KPI(_Strict):
    """A measure of a stage: who measures what, when, and why."""

    name: Name
    """Short name, e.g. NPS, CSAT, CES, conversion rate."""
    definition: Text = ""
    """How it is computed (what)."""
    target: Text = ""
    """The value to reach."""
    data_source: Text = ""
    """Where the numbers come from."""
    cadence: Text = ""
    """How often it is measured (when)."""
    owner: Text = ""
    """Who is responsible (who)."""
    rationale: Text = ""
    """Why this measure matters for the stage (why)."""
    origin: Origin | None = None
    """Where it comes from (brief, feedback, reference journey or model)."""


class Emotion(_Strict):
    """How the customer feels at a step."""

    score: Annotated[int, Field(ge=-2, le=2)] = 0
    """-2 (very negative) to +2 (very positive)."""
    label: Text = ""
    """A word for the feeling, e.g. anxious, relieved."""


class MomentOfTruth(_Strict):
    """Whether a step is a moment of truth: a point where the customer forms a lasting opinion."""

    is_moment: bool = False
    """True when the step decides whether the customer stays, buys or recommends."""
    why: Text = ""
    """Why it matters so much."""


class Step(_Strict):
    """One thing the customer does within a stage, and what happens around it."""

    action: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT, strip_whitespace=True)]
    """What the customer does."""
    touchpoint: Text = ""
    """Where the customer meets the company (ad, web page, branch, call centre, e-mail...)."""
    channel: Channel = "other"
    """The channel of the touchpoint."""
    phase: PurchasePhase | None = None
    """Before, during or after purchase."""
    front_stage: Text = ""
    """What the company visibly does for the customer."""
    back_stage: Text = ""
    """Internal processes, systems and employees behind the step."""
    thoughts: Text = ""
    """What the customer is thinking."""
    emotion: Emotion = Emotion()
    """How the customer feels."""
    pain_points: Annotated[list[PainPoint], Field(max_length=MAX_ITEMS)] = []
    """What hurts."""
    moment_of_truth: MomentOfTruth = MomentOfTruth()
    """Whether this is a moment of truth, and why."""
    opportunities: Annotated[list[Opportunity], Field(max_length=MAX_ITEMS)] = []
    """Improvement ideas for the step."""
    origin: Origin | None = None
    """Where the step's fields come from; `fields` names those with another origin (e.g. the channel)."""


class Stage(_Strict):
    """A phase of the journey, made of ordered steps."""

    name: Name
    """Stage name, unique within the map."""
    description: Text = ""
    """What happens in this stage."""
    goal: Text = ""
    """What the customer wants to achieve here."""
    steps: Annotated[list[Step], Field(max_length=MAX_STEPS)] = []
    """Ordered steps."""
    kpis: Annotated[list[KPI], Field(max_length=MAX_ITEMS)] = []
    """How the stage is measured."""
    origin: Origin | None = None
    """Where the stage's name, description and goal come from."""


class Persona(_Strict):
    """A research-based portrait of a customer group the journey follows."""

    name: Name
    """A memorable name, e.g. 'Careful first-time borrower'."""
    age: Annotated[str, StringConstraints(max_length=50, strip_whitespace=True)] = ""
    """Age or age range, e.g. '34' or '25-34'."""
    occupation: Text = ""
    """Job or role."""
    life_situation: Text = ""
    """Family and life situation."""
    professional_goals: TextList = []
    """Goals at work."""
    personal_goals: TextList = []
    """Goals in private life."""
    needs: TextList = []
    """What they need from the company."""
    frustrations: TextList = []
    """What annoys or blocks them."""
    behaviours: TextList = []
    """Habits that matter for the journey."""
    channels: Annotated[list[Channel], Field(max_length=9)] = []
    """Channels they use."""
    quote: Text = ""
    """A representative sentence in their own voice."""
    segment: Text = ""
    """The customer segment the persona stands for."""
    buying_role: BuyingRole | None = None
    """For B2B: their role in the purchase decision."""
    origin: Origin | None = None
    """Where the persona's attributes come from; `fields` names those with another origin."""


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class JourneyMap(_Strict):
    """A customer journey map: who, which journey, and its stages in order."""

    schema_version: Literal["1.0"] = "1.0"
    """Version of this schema the map follows."""
    title: Name
    """Title of the map."""
    journey_type: JourneyType = "other"
    """New customer, renewal, problem resolution, or other."""
    state: JourneyState = "current"
    """'current' maps the as-is journey; 'future' maps the to-be journey."""
    scope: Text = ""
    """Where the journey starts and ends."""
    goal: Text = ""
    """What the map should help decide."""
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en"
    """Language of the map's text (ISO 639-1, e.g. 'ko', 'en')."""
    personas: Annotated[list[Persona], Field(max_length=MAX_MAP_PERSONAS)] = []
    """The personas the journey follows (methodology: start with at most three)."""
    stages: Annotated[list[Stage], Field(min_length=1, max_length=MAX_STAGES)]
    """Ordered stages."""
    notes: TextList = []
    """Notes on the map: the assumptions a draft was made on and what it was drafted from."""
    created_at: datetime = Field(default_factory=_now)
    """When the map was first created (UTC)."""
    updated_at: datetime = Field(default_factory=_now)
    """When the map was last changed (UTC)."""
    version: Annotated[int, Field(ge=1)] = 1
    """Edit counter, increased on every saved change."""

    @field_validator("stages")
    @classmethod
    def _unique_names(cls, stages: list[Stage]) -> list[Stage]:
        seen: dict[str, int] = {}
        for i, stage in enumerate(stages):
            key = stage.name.casefold()
            if key in seen:
                raise ValueError(
                    f"duplicate stage name {stage.name!r} at $.stages[{i}] (first at $.stages[{seen[key]}])"
                )
            seen[key] = i
        return stages

    def stage(self, name: str) -> Stage:
        """The stage with this name (case-insensitive); KeyError if absent."""
        for stage in self.stages:
            if stage.name.casefold() == name.casefold():
                return stage
        raise KeyError(name)

    @property
    def stage_names(self) -> list[str]:
        return [s.name for s in self.stages]

    def same_content(self, other: JourneyMap) -> bool:
        """Whether two maps say the same, bookkeeping aside: a map file without `created_at` gets a new one
        each time it is read, and saving the same file again must not make a new version."""
        ignored = set(BOOKKEEPING_FIELDS)
        return self.model_dump(exclude=ignored) == other.model_dump(exclude=ignored)
