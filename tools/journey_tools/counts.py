"""Counts and sums for one group of labelled feedback rows: what every diagnosis number is computed from."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class Counts:
    """Counts and sums for one group of rows."""

    n: int = 0
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    nps_n: int = 0
    nps_promoters: int = 0
    nps_detractors: int = 0
    csat_n: int = 0
    csat_satisfied: int = 0
    csat_sum: float = 0.0
    csat_sumsq: float = 0.0
    ces_n: int = 0
    ces_easy: int = 0
    ces_sum: float = 0.0
    ces_sumsq: float = 0.0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
