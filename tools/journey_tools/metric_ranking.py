"""Stages ranked by the measure a question asks about.

"Which stage gets the most complaints?" asks for a count of negative rows; "which stage is worst?" for the
negative share tested against the rest (the diagnosis' own ranking); "lowest NPS" for a score. Each answer
also says whether its first two stages can be told apart: counts by a binomial test of the two (given
their sum, each complaint is as likely to be in either stage when they do not differ), shares and scores
by their 95% intervals overlapping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scipy.stats import binomtest

ALPHA = 0.05

_SCORES = {
    # metric: (summary key, value key, low, high, rows key); a lower value is worse for all three.
    "nps": ("nps", "nps", "ci_low", "ci_high", "n"),
    "csat": ("csat", "satisfied_share", "ci_low", "ci_high", "n"),
    "ces": ("ces", "mean", "ci_low", "ci_high", "n"),
}


def _entry(stage: Mapping[str, Any], value: float | None, n: int, low: Any = None, high: Any = None) -> dict:
    return {
        "stage": stage["stage"],
        "value": value,
        "n": n,
        "negative": int(stage.get("negative") or 0),
        "ci_low": low,
        "ci_high": high,
    }


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool | None:
    if None in (a["ci_low"], a["ci_high"], b["ci_low"], b["ci_high"]):
        return None
    return bool(a["ci_high"] >= b["ci_low"] and b["ci_high"] >= a["ci_low"])


def rank_by_metric(
    metric: str,
    stages: Sequence[Mapping[str, Any]],
    ranking: Sequence[str] = (),
    share_within_noise: bool | None = None,
) -> dict[str, Any]:
    """The stages in the metric's order, worst first (stages without a value left out), with whether the
    first two are within noise. `ranking` and `share_within_noise` are the diagnosis' own tested order and
    bootstrap verdict, used as they are for the negative share."""
    total_negative = sum(int(s.get("negative") or 0) for s in stages)
    out: dict[str, Any] = {
        "metric": metric,
        "stages": [],
        "top_two_within_noise": None,
        "p_value": None,
        "total_negative": total_negative,
    }
    by_name = {s["stage"]: s for s in stages}
    if metric == "negative_share":
        order = [by_name[name] for name in ranking if name in by_name and by_name[name]["n"]]
        out["stages"] = [_entry(s, s["negative_share"], s["n"], s["ci_low"], s["ci_high"]) for s in order]
        out["top_two_within_noise"] = share_within_noise if len(order) >= 2 else None
        return out
    if metric == "negative_count":
        order = sorted((s for s in stages if s["n"]), key=lambda s: (-int(s["negative"]), s["stage"]))
        out["stages"] = [_entry(s, float(s["negative"]), s["n"]) for s in order]
        for entry in out["stages"]:
            # "x of the y complaints (z%)": the share an answer states is a field, not arithmetic in a sentence.
            entry["share_of_negative"] = entry["negative"] / total_negative if total_negative else None
        if len(order) >= 2 and order[0]["negative"] > 0:
            k1, k2 = int(order[0]["negative"]), int(order[1]["negative"])
            p = float(binomtest(k1, k1 + k2, 0.5).pvalue)
            out["p_value"] = p
            out["top_two_within_noise"] = p >= ALPHA
        return out
    if metric not in _SCORES:
        raise ValueError(f"unknown metric {metric!r}")
    key, value_key, low_key, high_key, n_key = _SCORES[metric]
    scored = []
    for s in stages:
        summary = s.get(key)
        if summary and summary.get(value_key) is not None and summary.get(n_key):
            scored.append(
                _entry(
                    s, summary[value_key], int(summary[n_key]), summary.get(low_key), summary.get(high_key)
                )
            )
    scored.sort(key=lambda e: (e["value"], e["stage"]))
    out["stages"] = scored
    if len(scored) >= 2:
        out["top_two_within_noise"] = _overlap(scored[0], scored[1])
    return out
