"""What explains a stage's change since the previous period: the rules that pick a breakdown.

Pure: diagnoses come in (already computed by the workspace, one per candidate column), a choice comes
out. No store, no SQL. `Workspace.diagnose_change` coordinates: it runs the plain comparison, hands the
candidate breakdowns over lazily, and returns the one chosen here.

The order of the rules is the method's: a shift in who answered (the mix of a column's values) is
ruled out before any value is said to have got worse; a value then has to carry at least half of the
change and have a change of its own beyond noise; a column whose values restate each row's sentiment
never explains anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from assistant.analysis.outcome_columns import restates_outcome
from assistant.analysis.stage_focus import focus_stage
from assistant.errors import JourneyError
from journey_tools.stats_core import compare_proportions

if TYPE_CHECKING:
    from assistant.contracts.requests import DiagnoseOptions
    from assistant.contracts.results import Diagnosis

AUTO_SEGMENT = "auto"
"""segment_by value asking the workspace to choose the column (see `Workspace.diagnose_change`)."""

EXPLAINS_CHANGE = 0.5
"""A column explains a stage's change when one of its values carries at least this share of it, or the
shift in who answered (mix) does."""

NOISE_P = 0.05
"""A value's own change counts only beyond noise: a two-proportion test below this p-value."""


class ChangeShare(NamedTuple):
    """How a breakdown explains a stage's change. Compared as a tuple: a mix shift beats a value's
    change, then the larger share wins."""

    by_mix: bool
    """The change comes from a shift in who answered (the mix of the column's values)."""
    share: float
    """The share of the change explained (0 to 1)."""


NOT_EXPLAINED = ChangeShare(False, 0.0)


def wants_auto_segment(options: DiagnoseOptions) -> bool:
    """True when the options ask the workspace to choose the breakdown; refused unless they compare with
    the previous period (the only comparison a breakdown can explain)."""
    if options.segment_by != AUTO_SEGMENT:
        return False
    if options.compare_to != "previous":
        raise JourneyError(
            "segment_by 'auto' finds the column that explains a change since the previous period: "
            "use it with compare_to 'previous', or name a column."
        )
    return True


def change_target(diagnosis: Diagnosis, stage: str | None = None) -> str | None:
    """The stage whose change is to be explained: the one asked about, else the worst-ranked."""
    return focus_stage(diagnosis, stage)


def restates_sentiment(diagnosis: Diagnosis) -> bool:
    """True when the breakdown's values almost decide whether a row is negative (a sentiment or score
    column under another name): such a column "explains" every change and says nothing about why.
    Measured against the overall negative share (assistant.analysis.outcome_columns), so a store with
    few negative rows still gets breakdowns."""
    table = [
        (sum(st.n for st in view.stages), sum(st.negative for st in view.stages))
        for view in diagnosis.segments.values()
    ]
    return restates_outcome(table)


def share_of_change(diagnosis: Diagnosis, stage: str) -> ChangeShare:
    """How the breakdown explains the stage's change against the previous period. A shift in the mix of
    values comes first: before any value is said to have got worse, a different mix of respondents must
    be ruled out. Otherwise the share is that of the value carrying most of the change, when its own
    change is beyond noise (p < NOISE_P). NOT_EXPLAINED when the change is too small to explain or the
    breakdown cannot explain it."""
    found = diagnosis.stage(stage)
    shift = found.mix_shift if found is not None else None
    if shift is None or not shift.material or not shift.change or restates_sentiment(diagnosis):
        return NOT_EXPLAINED
    if sum(1 for s in shift.segments if s.n_before + s.n_after > 0) < 2:
        return NOT_EXPLAINED  # one value in this stage (a copy of the stage column): nothing to compare
    if shift.mix_dominates:
        return ChangeShare(True, min(1.0, shift.mix_fraction or 0.0))
    top = max(shift.segments, key=lambda s: abs(s.contribution or 0.0))
    if top.rate_before is None or top.rate_after is None or not top.n_before or not top.n_after:
        return NOT_EXPLAINED
    test = compare_proportions(
        round(top.rate_after * top.n_after), top.n_after, round(top.rate_before * top.n_before), top.n_before
    )
    if test.p_value >= NOISE_P:
        return NOT_EXPLAINED
    return ChangeShare(False, min(1.0, abs(top.contribution or 0.0) / abs(shift.change)))


def best_breakdown(plain: Diagnosis, candidates: Iterable[Diagnosis], stage: str) -> Diagnosis:
    """The candidate breakdown that explains the stage's change best (at least EXPLAINS_CHANGE of it;
    a mix shift first), else the plain comparison. `candidates` is consumed in order (it may compute
    each breakdown on demand); on a tie the earlier one stays."""
    best, best_share = plain, ChangeShare(False, EXPLAINS_CHANGE)
    for candidate in candidates:
        share = share_of_change(candidate, stage)
        if share.share >= EXPLAINS_CHANGE and share > best_share:
            best, best_share = candidate, share
    return best
