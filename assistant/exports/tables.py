"""Rows of a map's tables, shared by the exports that lay them out (Markdown, Excel)."""

from __future__ import annotations

from assistant.domain.map_model import KPI, Stage
from assistant.exports.origins import origin_label


def kpi_row(stage: Stage, k: KPI) -> list[str]:
    """One KPI: stage, name, definition, target, data source, cadence, owner, why, origin."""
    return [
        stage.name,
        k.name,
        k.definition,
        k.target,
        k.data_source,
        k.cadence,
        k.owner,
        k.rationale,
        origin_label(k.origin),
    ]
