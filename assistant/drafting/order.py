"""The order customers usually live a product's stages in, by stage archetype: used to lay the feedback's
stage names out as a journey (they come from a table, in no order). Pure: names in, names out."""

from __future__ import annotations

from collections.abc import Sequence

LIFECYCLE = (
    "discover",
    "consider",
    "booking",
    "signup",
    "verify",
    "apply",
    "review",
    "disburse",
    "checkout",
    "checkin",
    "boarding",
    "inflight",
    "delivery",
    "baggage",
    "onboarding",
    "use",
    "billing",
    "support",
    "returns",
    "renewal",
)
"""Where each stage archetype (tools.stage_assignment's ids) sits in a customer's life with a product."""


def in_journey_order(names: Sequence[str]) -> list[str]:
    """Stage names in the order customers usually live them, by the archetype each name matches (a name
    matching none keeps its place after the ones that do)."""
    from journey_tools.stage_assignment import StageSpec, match_archetypes

    def position(name: str) -> int:
        found = [LIFECYCLE.index(a.id) for a in match_archetypes(StageSpec(name)) if a.id in LIFECYCLE]
        return min(found, default=len(LIFECYCLE))

    return sorted(names, key=position)  # stable: unmatched names keep their order
