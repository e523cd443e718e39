"""The scope and the measure a question asks for, read from its words (Korean and English).

"For United, which stage gets the most complaints since Feb 20?" asks for the rows where a stored column
holds "United", from 2015-02-20 on, counted as complaints; "앱 채널에서 가장 부진한 단계는?" for the rows of
the 앱 channel, measured by the negative share. The assistant answers on exactly those rows and in that
measure, so nothing here guesses: a value counts only when it is stored in the chat's data (matched
ignoring case and spacing), and a word that is nearly a stored value is reported ("no airline 'Unitd';
did you mean United?") instead of being dropped or stretched.

Pure: the stored values and the latest date come in as arguments (`Workspace.scope_values`).
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from assistant.analysis.filters import fold
from assistant.contracts.requests import RowFilter

Metric = Literal["negative_share", "negative_count", "nps", "csat", "ces"]
_Options = TypeVar("_Options", bound=BaseModel)

_GENERIC = {
    "yes", "no", "none", "null", "other", "others", "unknown", "true", "false", "n/a", "na", "all",
    "기타", "없음", "모름", "전체",
}  # fmt: skip
"""Stored values too generic to be named as a scope (every sentence could contain them)."""

_NOT_CUE = re.compile(
    r"(except|excluding|other than|apart from|besides|not from|without)\s+$|"
    r"^\s*(을|를|은|는)?\s*(제외|빼고|말고|이외)",
    re.I,
)
_COMPARE = re.compile(r"\bvs\.?\b|\bversus\b|\bcompared? (to|with)\b|\bagainst\b|비교|대비|와\s|과\s", re.I)

_METRICS: list[tuple[Metric, re.Pattern[str]]] = [
    ("nps", re.compile(r"(?<![a-z])nps(?![a-z])|net promoter|순추천|추천\s?지수", re.I)),
    ("csat", re.compile(r"(?<![a-z])csat(?![a-z])|satisfaction score|만족도\s?점수|고객\s?만족도", re.I)),
    ("ces", re.compile(r"(?<![a-z])ces(?![a-z])|effort score|노력\s?점수|고객\s?노력", re.I)),
    (
        "negative_count",
        re.compile(
            r"most (complaints|negative|complained|problems|issues)|how many (complaints|negative)"
            r"|number of (complaints|negative)|(complaint|negative) counts?|(the )?most-complained"
            r"|불만이?\s?(가장|제일)\s?많|(가장|제일)\s?많은\s?불만|불만\s?건수|불만\s?수가|불만이\s?많은\s?단계",
            re.I,
        ),
    ),
]

_MONTHS = {
    m.casefold(): i
    for i, names in enumerate(
        [(), ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")]
    )
    for m in names
}  # fmt: skip
_MONTH_WORD = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_SINCE_EN = re.compile(
    rf"\b(since|from|after|starting)\s+(?:{_ISO}|({_MONTH_WORD})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?)",
    re.I,
)
_UNTIL_EN = re.compile(
    rf"\b(until|till|before|up to|through)\s+(?:{_ISO}|({_MONTH_WORD})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?)",
    re.I,
)
_KO_DATE = r"(?:(\d{4})\s?년\s?)?(\d{1,2})\s?월\s?(\d{1,2})\s?일"
_SINCE_KO = re.compile(rf"(?:{_ISO}|{_KO_DATE})\s?(부터|이후|以後)")
_UNTIL_KO = re.compile(rf"(?:{_ISO}|{_KO_DATE})\s?(까지|이전|전까지)")
_LAST_MONTH = re.compile(r"\blast month\b|\bprevious month\b|지난\s?달|전월|저번\s?달", re.I)
_THIS_MONTH = re.compile(r"\bthis month\b|이번\s?달|이달", re.I)
_LAST_QUARTER = re.compile(r"\blast quarter\b|\bprevious quarter\b|지난\s?분기|전\s?분기|저번\s?분기", re.I)
_THIS_QUARTER = re.compile(r"\bthis quarter\b|이번\s?분기", re.I)
_LAST_DAYS = re.compile(r"\b(?:last|past)\s+(\d{1,3})\s+days\b|최근\s?(\d{1,3})\s?일", re.I)
_CHANGE = re.compile(
    r"\b(than|compared (to|with)|versus|vs\.?)\s+(last|the previous|previous|before)\b|what (has )?changed"
    r"|than (it was )?before|(지난|이전|저번|전)\s?(달|분기|기간|해|주)\s?(보다|에\s?비해|대비|와|과)|전보다|예전보다"
    r"|무엇이\s?바뀌|뭐가\s?바뀌|달라졌",
    re.I,
)


@dataclass
class QuestionScope:
    """What a question restricts the rows to and how it measures stages."""

    where: list[RowFilter] = field(default_factory=list)
    since: str | None = None
    until: str | None = None
    compare_previous: bool = False
    """The question compares with the previous period ("than last quarter", "지난달보다")."""
    metric: Metric | None = None
    """The measure asked for; None: the default (negative share)."""
    segment_by: str | None = None
    """Two or more values of one column compared ("United vs Delta"): broken down by that column."""
    misses: list[NearMiss] = field(default_factory=list)
    """Words in a scope position that nearly name a stored value."""


@dataclass(frozen=True)
class NearMiss:
    """A word that is nearly a stored value ("Unitd" for United): asked about, never stretched."""

    column: str
    word: str
    suggestions: tuple[str, ...]

    def text(self, language: str = "en") -> str:
        if language == "ko":
            options = " 또는 ".join(f"'{s}'" for s in self.suggestions)
            return f"{self.column} 값 중에 '{self.word}'은(는) 없습니다. {options}을(를) 말씀하신 건가요?"
        return f"No {self.column} '{self.word}'; did you mean {' or '.join(self.suggestions)}?"


def read_metric(text: str) -> Metric | None:
    for metric, pattern in _METRICS:
        if pattern.search(text):
            return metric
    return None


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _match_date(
    m: re.Match[str], latest: date, month_group: int, day_group: int, year_group: int
) -> date | None:
    """A date from an ISO group triple (groups 2-4 after the verb) or a month name/number, day, year."""
    groups = m.groups()
    iso = [g for g in groups[1:4]] if len(groups) >= 4 else []
    if iso and all(iso):
        return _day(int(iso[0]), int(iso[1]), int(iso[2]))
    month_text, day_text, year_text = groups[month_group], groups[day_group], groups[year_group]
    if not month_text or not day_text:
        return None
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.casefold().rstrip("."), 0)
    year = int(year_text) if year_text else latest.year
    found = _day(year, month, int(day_text))
    if found is not None and not year_text and found > latest:
        found = _day(year - 1, month, int(day_text))
    return found


def _ko_date(m: re.Match[str], latest: date) -> date | None:
    g = m.groups()
    if g[0]:
        return _day(int(g[0]), int(g[1]), int(g[2]))
    year = int(g[3]) if g[3] else latest.year
    found = _day(year, int(g[4]), int(g[5]))
    if found is not None and not g[3] and found > latest:
        found = _day(year - 1, int(g[4]), int(g[5]))
    return found


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def read_period(text: str, latest: date | None) -> tuple[str | None, str | None, bool]:
    """(since, until, compare_previous). Relative periods ("last month", "지난 분기") count back from the
    latest date in the data, so a question about an old export means that export's last month."""
    compare = bool(_CHANGE.search(text))
    if latest is None:
        return None, None, compare
    since: date | None = None
    until: date | None = None
    if m := _SINCE_EN.search(text):
        since = _match_date(m, latest, 4, 5, 6)
    elif m := _SINCE_KO.search(text):
        since = _ko_date(m, latest)
    if m := _UNTIL_EN.search(text):
        until = _match_date(m, latest, 4, 5, 6)
    elif m := _UNTIL_KO.search(text):
        until = _ko_date(m, latest)
    if since is None and until is None and not compare:
        # A named period is the window asked about; "than last month" is a comparison, not a window.
        first = latest.replace(day=1)
        if _LAST_MONTH.search(text):
            until = first - timedelta(days=1)
            since = until.replace(day=1)
        elif _THIS_MONTH.search(text):
            since = first
        elif _LAST_QUARTER.search(text):
            until = _quarter_start(latest) - timedelta(days=1)
            since = _quarter_start(until)
        elif _THIS_QUARTER.search(text):
            since = _quarter_start(latest)
        elif m := _LAST_DAYS.search(text):
            since = latest - timedelta(days=int(m.group(1) or m.group(2)) - 1)
    if until is not None and since is None and until.day == calendar.monthrange(until.year, until.month)[1]:
        pass  # "until the end of January": kept as written
    return (
        since.isoformat() if since else None,
        until.isoformat() if until else None,
        compare,
    )


def _word_spans(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"[\w.\-']+", text)]


def _find(value: str, text: str) -> re.Match[str] | None:
    """Where a stored value is named: whole words for Latin script, with spacing and case ignored;
    Korean values may carry particles after them (앱에서, 유나이티드만)."""
    parts = [re.escape(p) for p in re.split(r"[\s\-_]+", value.strip()) if p]
    if not parts:
        return None
    body = r"[\s\-_]*".join(parts)
    last = value.strip()[-1]
    # An English value may be named in the plural ("members" for member, "Pros" for Pro).
    end = r"(?:e?s)?(?![\w])" if last.isascii() and last.isalpha() else r"(?![\w])" if last.isascii() else ""
    start = r"(?<![\w])" if value.strip()[0].isascii() else r"(?<![가-힣])"
    return re.search(start + body + end, text, re.I)


def _nameable(value: str) -> bool:
    v = value.strip()
    if len(fold(v)) < 2 or v.casefold() in _GENERIC:
        return False
    # Bare numbers and dates are named by their column ("version 5.2"), not on their own.
    return not re.fullmatch(r"[\d.,:/\- ]+", v)


def _column_named(column: str, text: str) -> bool:
    words = [w for w in re.split(r"[\s_\-]+", column.casefold()) if len(w) >= 3 or not w.isascii()]
    folded = text.casefold()
    return any(w in folded for w in words)


def read_filters(
    text: str, values: Mapping[str, Sequence[str]], stage_words: Sequence[str] = ()
) -> tuple[list[RowFilter], str | None, list[NearMiss]]:
    """(filters, segment_by, misses) for the stored values the text names."""
    stage_keys = {fold(s) for s in stage_words}
    # Where a column itself is named ("app version 5.2"), its words are not values of another column.
    named_columns = [
        m.span() for c in values if (m := _find(c.replace("_", " "), text)) is not None and " " in m.group()
    ]
    found: list[tuple[int, RowFilter]] = []
    per_column: dict[str, int] = {}
    for column, column_values in values.items():
        for value in column_values:
            numeric = not _nameable(value)
            if numeric and not (_column_named(column, text) and re.search(r"\d", value)):
                continue
            if not numeric and fold(value) in stage_keys:
                continue  # "Checkout" names the stage, not a column value that happens to match
            if numeric:
                m = re.search(rf"(?<![\w.]){re.escape(value.strip())}(?![\w]|\.\d)", text)
            else:
                m = _find(value, text)
            if m is None or any(a <= m.start() < b for a, b in named_columns):
                continue
            before, after = text[: m.start()], text[m.end() :]
            negated = bool(_NOT_CUE.search(before[-20:])) or bool(_NOT_CUE.match(after[:8]))
            found.append((m.start(), RowFilter(column=column, op="!=" if negated else "=", value=value)))
            per_column[column] = per_column.get(column, 0) + 1
    # A value inside another value named (e.g. "Pro" inside "Pro Max"): keep the longer one.
    kept: list[RowFilter] = []
    for _, f in sorted(found, key=lambda x: -len(x[1].value)):
        if any(f.column == k.column and fold(f.value) in fold(k.value) and f.value != k.value for k in kept):
            continue
        kept.append(f)
    kept.sort(key=lambda f: next(p for p, g in found if g is f))
    segment_by = None
    for column, n in per_column.items():
        if (
            n >= 2
            and _COMPARE.search(text)
            and sum(1 for f in kept if f.column == column and f.op == "=") >= 2
        ):
            segment_by = column
    misses = _near_misses(text, values, kept, stage_keys)
    return kept, segment_by, misses


_CUE_BEFORE = re.compile(r"(?:\bfor|\bonly|\bamong|\bwhere \w+ (?:is|=)|\bfrom|\bat)\s+$", re.I)
_CUE_AFTER = re.compile(r"^\s*(?:only|customers|users|passengers|members|riders|고객|만|에서|사용자)", re.I)


def _near_misses(
    text: str, values: Mapping[str, Sequence[str]], kept: Sequence[RowFilter], stage_keys: set[str]
) -> list[NearMiss]:
    """Words in a scope position ("for Unitd", "Unitd 고객만") that nearly match a stored value."""
    named = {fold(f.value) for f in kept}
    by_fold: dict[str, tuple[str, str]] = {}
    for column, column_values in values.items():
        for v in column_values:
            if _nameable(v):
                by_fold.setdefault(fold(v), (column, v))
    out: list[NearMiss] = []
    for start, end, word in _word_spans(text):
        key = fold(word)
        if len(key) < 3 or key in by_fold or key in named or key in stage_keys:
            continue
        if not (_CUE_BEFORE.search(text[:start][-24:]) or _CUE_AFTER.match(text[end:][:8])):
            continue
        close = difflib.get_close_matches(key, list(by_fold), n=2, cutoff=0.75)
        close = [c for c in close if c not in named]
        if close:
            column = by_fold[close[0]][0]
            out.append(NearMiss(column, word, tuple(by_fold[c][1] for c in close)))
    return out


def read_scope(
    text: str,
    values: Mapping[str, Sequence[str]],
    latest: date | None,
    stage_words: Sequence[str] = (),
) -> QuestionScope:
    """Everything a question says about which rows and which measure."""
    where, segment_by, misses = read_filters(text, values, stage_words)
    since, until, compare = read_period(text, latest)
    return QuestionScope(
        where=where,
        since=since,
        until=until,
        compare_previous=compare,
        metric=read_metric(text),
        segment_by=segment_by,
        misses=misses,
    )


def with_scope(options: _Options, fixed: Sequence[RowFilter], scope: QuestionScope | None) -> _Options:
    """A request's options with the caller's fixed filters and the question's own scope added: filters are
    added (the same column's '=' values are one OR), and the period and measure fill only what the
    request left unset (a model or a caller that chose them explicitly keeps its choice)."""
    update: dict[str, Any] = {}
    extra = [*fixed, *(scope.where if scope else [])]
    if extra:
        have = {(f.column, f.op, f.value) for f in options.where}  # type: ignore[attr-defined]
        added = [f for f in extra if (f.column, f.op, f.value) not in have]
        update["where"] = [*options.where, *added]  # type: ignore[attr-defined]
    if scope is not None:
        chosen = options.model_fields_set
        fields = type(options).model_fields
        if scope.since and "since" in fields and "since" not in chosen:
            update["since"] = scope.since
        if scope.until and "until" in fields and "until" not in chosen:
            update["until"] = scope.until
        if scope.metric and "metric" in fields and "metric" not in chosen:
            update["metric"] = scope.metric
        if scope.compare_previous and "compare_to" in fields and "compare_to" not in chosen:
            update["compare_to"] = "previous"
        if scope.segment_by and "segment_by" in fields and "segment_by" not in chosen:
            update["segment_by"] = scope.segment_by
    return options.model_copy(update=update) if update else options


def scope_summary(scope: QuestionScope | None) -> dict[str, Any]:
    """What the question named, for the step the user can open ("understand")."""
    if scope is None:
        return {}
    out: dict[str, Any] = {}
    if scope.where:
        out["where"] = [f"{f.column}{f.op}{f.value}" for f in scope.where]
    for key in ("since", "until", "metric", "segment_by"):
        if getattr(scope, key):
            out[key] = getattr(scope, key)
    if scope.compare_previous:
        out["compare_to"] = "previous"
    return out
