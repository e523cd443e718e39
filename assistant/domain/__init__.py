"""The journey domain model shared by every capability: personas, maps, stages, steps, evidence."""

from assistant.domain.loading import load_map, map_from_data, map_warnings
from assistant.domain.model import (
    KPI,
    SCHEMA_VERSION,
    Channel,
    Emotion,
    Evidence,
    JourneyMap,
    JourneyState,
    JourneyType,
    MomentOfTruth,
    Opportunity,
    PainPoint,
    Persona,
    PurchasePhase,
    Stage,
    Step,
)

__all__ = [
    "KPI",
    "SCHEMA_VERSION",
    "Channel",
    "Emotion",
    "Evidence",
    "JourneyMap",
    "JourneyState",
    "JourneyType",
    "MomentOfTruth",
    "Opportunity",
    "PainPoint",
    "Persona",
    "PurchasePhase",
    "Stage",
    "Step",
    "load_map",
    "map_from_data",
    "map_warnings",
]
