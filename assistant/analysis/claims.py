"""Claims: what an answer states, typed, and the check of each against the tool result it cites.

An answer is a list of claims plus text rendered from them. A claim names its kind, stage, metric, the value
as stated and `source`, the path of the number in the turn's tool results (`diagnose_journey.stages[2].
negative_share`). `check(claims, results)` resolves each path in `results` (tool name -> JSON result) and
accepts the claim only when:

- the path holds a number (a string never grounds a number: customer texts, labels and ids are text);
- the path's last key is the claim's metric, and the nearest enclosing object with a `stage` names the
  claim's stage (a number of Delivery stated for Checkout fails: moved);
- the sign agrees (NPS +18.2 against a result of -18.2 fails: flipped), and so does a stated direction
  ("10.4 points below" a positive difference fails);
- the value agrees within the rounding shown: half a unit of the last digit written (47% is 0.465-0.475,
  0.0012 is 0.00115-0.00125, 60 is 60), plus 0.0005 for a share written in percent with whole or tenth
  digits, because the model is shown shares rounded to three places (views.py) and rounds them again;
- a bound ("p < 0.001") holds for the value.

A quote claim must carry the feedback id of a row in the results and be verbatim in that row's text after
whitespace is normalised (a quote shortened with a trailing "…" must be a prefix-free substring).

Free text (the model's, or code's) is read by `claims_in_text`: every number in it, written in digits or
in words (en: "eighteen", "twenty-five"; ko: "열여덟", "스물", "십팔 퍼센트"), is tied to a claim: one
given by the renderer, else the tool result whose value it matches, preferring the stage the sentence
names; a number tied to nothing is a claim with no source, which fails. Numbers inside quotes, names taken
from the results (stage, theme and idea labels) and dates, periods, ids, versions, list numbers and the
conventional "95% CI" are not claims; nor are the counting words 0 to 3 written without a unit. Only
“…” and "…" are quotes; a quoted passage with no id that is not a name from the results is a quote
claim without an id, which fails.

Single quotes (‘…’) mark the product's own example phrases, not quotes.

Pure: no I/O. The caller puts stored quotes into `results["feedback"]` (id -> {"feedback_id", "text"}).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from journey_tools.text import EN_NUMBER, KO_TENS, KO_UNITS, en_value, ko_native_value, ko_sino_value

ClaimKind = Literal["metric", "comparison", "count", "quote"]

VIEW_ROUNDING = 0.0005
"""Shares are shown to the model rounded to three places; a share written in percent may carry it."""
FLOAT_SLACK = 1e-9
COUNTING_WORDS = {0.0, 1.0, 2.0, 3.0}
"""Integers written without sign or unit up to 3 ('two themes', 'top 3') are counting words, not claims."""
CUSTOMER_TEXT_KEYS = {"text", "quote"}
"""Keys whose strings, beside a row's id, are customers' words: never names, never grounds."""
CATEGORY_KEYS = {"value", "segment", "age"}
"""Keys whose strings are category values (a segment, a persona's age), names even when written in digits."""
SIGNED_BY_DIRECTION = {"difference", "change", "rate_effect", "mix_effect", "contribution"}
"""Metrics whose sign a direction word states ('10.4 points above' is +0.104)."""


class Claim(BaseModel):
    """One thing an answer states, with where it comes from."""

    model_config = ConfigDict(extra="forbid")

    kind: ClaimKind
    stage: str | None = None
    """The stage the claim is about (None: not about one stage)."""
    metric: str | None = None
    """The result's key of the number (negative_share, n, nps, p_adjusted, ...; `count` for a list's
    length)."""
    value: float | None = None
    """The number as stated, in the result's unit (47% of a share is 0.47)."""
    shown: str = ""
    """How the text writes it (47%, 30, -18.2, eighteen)."""
    precision: float = 0.0
    """The step of the last digit written, in the result's unit (47% -> 0.01)."""
    relation: Literal["=", "<", ">"] = "="
    """'<' for a bound such as p < 0.001."""
    scope: str | None = None
    """What rows the number is about, when the claim says (e.g. the diagnosis's filters)."""
    comparison: str | None = None
    """What the stage is compared with (rest, previous), for comparison claims."""
    direction: Literal["higher", "lower"] | None = None
    """The direction the text states for a difference."""
    source: str | None = None
    """The tool-result path the claim cites, e.g. diagnose_journey.stages[2].negative_share."""
    feedback_id: str | None = None
    """For a quote: the stored row it quotes."""
    text: str | None = None
    """For a quote: the quoted words."""
    checked: bool = False
    """True once the claim was checked against its source and passed."""
    problem: str | None = None
    """Why the check failed."""
    span: tuple[int, int] | None = Field(default=None, exclude=True)
    """Where the claim is written in the answer's text (not part of the JSON)."""


@dataclass
class CheckReport:
    claims: list[Claim] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.checked for c in self.claims)

    @property
    def failed(self) -> list[Claim]:
        return [c for c in self.claims if not c.checked]

    def problems(self) -> str:
        return "; ".join(f"{describe(c)}: {c.problem}" for c in self.failed)


def describe(claim: Claim) -> str:
    if claim.kind == "quote":
        return f"quote “{(claim.text or '')[:60]}”" + (f" [{claim.feedback_id}]" if claim.feedback_id else "")
    where = f" for {claim.stage}" if claim.stage else ""
    return f"{claim.shown or claim.value}{where}"


# --- paths ---------------------------------------------------------------------------------------------

_SIMPLE_KEY = re.compile(r"^[A-Za-z0-9_@:-]+$")
_TOKEN = re.compile(r'\.?([A-Za-z0-9_@:-]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def join(path: str, key: str | int) -> str:
    """The path of `key` inside `path`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _SIMPLE_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _parts(path: str) -> list[str | int] | None:
    out: list[str | int] = []
    pos = 0
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if m is None or m.end() == pos:
            return None
        if m.group(1) is not None:
            out.append(m.group(1))
        elif m.group(2) is not None:
            out.append(int(m.group(2)))
        else:
            out.append(json.loads(m.group(3)))
        pos = m.end()
    return out


def resolve(results: Mapping[str, Any], path: str) -> tuple[Any, list[Any]] | None:
    """The value at `path` and the containers passed through (outermost first); None when absent."""
    parts = _parts(path)
    if not parts:
        return None
    trail: list[Any] = []
    node: Any = results
    for part in parts:
        trail.append(node)
        in_list = isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node)
        if not in_list and not (isinstance(part, str) and isinstance(node, Mapping) and part in node):
            return None
        node = node[part]
    return node, trail


def _last_key(path: str) -> str | None:
    parts = _parts(path) or []
    return next((p for p in reversed(parts) if isinstance(p, str)), None)


def _stage_of(trail: Sequence[Any]) -> str | None:
    for node in reversed(trail):
        if isinstance(node, Mapping) and isinstance(node.get("stage"), str):
            return str(node["stage"])
    return None


def _fold(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


# --- the check -----------------------------------------------------------------------------------------


def tolerance(claim: Claim, actual: float) -> float:
    slack = VIEW_ROUNDING if "%" in claim.shown and abs(actual) <= 1 and claim.precision >= 0.001 else 0.0
    return claim.precision / 2 + slack + FLOAT_SLACK


def check(claims: Sequence[Claim], results: Mapping[str, Any]) -> CheckReport:
    """Check each claim against the tool result it cites (see the module's rules)."""
    out = []
    for claim in claims:
        problem = _quote_problem(claim, results) if claim.kind == "quote" else _number_problem(claim, results)
        out.append(claim.model_copy(update={"checked": problem is None, "problem": problem}))
    return CheckReport(out)


def _number_problem(claim: Claim, results: Mapping[str, Any]) -> str | None:
    if claim.value is None or not math.isfinite(claim.value):
        return "states no value"
    if not claim.source:
        return "not found in this turn's tool results"
    found = resolve(results, claim.source)
    if found is None:
        return f"cites {claim.source}, which this turn's results do not have"
    leaf, trail = found
    if claim.metric == "count":
        if not isinstance(leaf, list | Mapping):
            return f"{claim.source} is not a list to count"
        actual = float(len(leaf))
    elif isinstance(leaf, bool) or not isinstance(leaf, int | float):
        kind = "text" if isinstance(leaf, str) else "not a number"
        return f"{claim.source} is {kind}, which grounds no number"
    else:
        actual = float(leaf)
        if claim.metric is not None and _last_key(claim.source) != claim.metric:
            return f"{claim.source} is not {claim.metric}"
    stage = _stage_of([*trail, leaf] if isinstance(leaf, Mapping) else trail)
    if stage is not None and _fold(stage) != _fold(claim.stage):
        said = claim.stage or "no stage"
        return f"the number at {claim.source} belongs to {stage}, not {said}"
    if claim.relation == "<":
        return None if actual < claim.value + tolerance(claim, actual) else f"{actual:g} is not below it"
    if claim.relation == ">":
        return None if actual > claim.value - tolerance(claim, actual) else f"{actual:g} is not above it"
    tol = tolerance(claim, actual)
    if abs(actual) > tol and abs(claim.value) > tol and (actual > 0) != (claim.value > 0):
        return f"sign flipped: {claim.source} is {actual:g}"
    if claim.direction is not None and abs(actual) > tol and (actual > 0) != (claim.direction == "higher"):
        return f"says {claim.direction}, but {claim.source} is {actual:g}"
    if abs(actual - claim.value) > tol:
        return f"{claim.source} is {actual:g}"
    return None


def _quote_problem(claim: Claim, results: Mapping[str, Any]) -> str | None:
    if not claim.feedback_id:
        return "a quote without its feedback id"
    if not claim.source:
        return f"row [{claim.feedback_id}] does not exist in this turn's results or the store"
    found = resolve(results, claim.source)
    if found is None or not isinstance(found[0], str):
        return f"cites {claim.source}, which holds no feedback text"
    stored, trail = found
    owner = trail[-1] if trail else None
    ids = {owner.get("feedback_id"), owner.get("id")} if isinstance(owner, Mapping) else set()
    if claim.feedback_id not in ids:
        return f"{claim.source} is not row [{claim.feedback_id}]"
    words = " ".join((claim.text or "").split()).rstrip("…").rstrip(".").strip()
    if not words or words not in " ".join(stored.split()):
        return f"row [{claim.feedback_id}] does not say this verbatim"
    return None


# --- reading free text ---------------------------------------------------------------------------------

# Digits as written; a Korean counter may follow directly (30건), a letter or digit may not (an id, 3x).
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])([-−+]?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![A-Za-z0-9_]|\.\d)"
)
_IGNORED = [
    re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:]+Z?)?"),  # dates
    re.compile(r"\d{4}-(?:Q[1-4]|W\d{2}|\d{2})"),  # periods: 2026-Q2, 2026-W09, 2026-03
    re.compile(r"\[[^\]\s]{6,120}\]"),  # feedback (and note) ids in brackets
    re.compile(r"\b[0-9a-f]{20}\b"),  # bare feedback ids
    re.compile(r"95\s?%\s?(?:CI|confidence|신뢰)", re.IGNORECASE),  # the confidence level is a convention
    re.compile(r"\b(?:v|version|버전)\s?\d+", re.IGNORECASE),
    re.compile(r"^\s*\d+[.)]\s", re.MULTILINE),  # list numbering
]
_QUOTED = re.compile(r"“([^”]{1,2000}?)”|\"([^\"\n]{1,2000}?)\"")
_ID_AFTER = re.compile(r"\s*\[([^\]\s]{6,120})\]")
_PERCENT_AFTER = re.compile(
    r"^\s?(?:%p|%|％|퍼센트|프로|percent(?:age)? points?|percent|pts?\b|points?\b|포인트)", re.IGNORECASE
)
_BOUND_BEFORE = re.compile(r"(<|>|≤|≥)\s?$")
_NEGATIVE_WORDS = re.compile(
    r"\b(?:lower|below|less|fewer|down|fell|drop(?:ped)?|decreas\w*|minus)\b|낮|감소|하락|떨어|마이너스",
    re.IGNORECASE,
)
_POSITIVE_WORDS = re.compile(
    r"\b(?:higher|above|more|up|rose|increas\w*|worse|plus)\b|높|증가|상승|많|나쁘|나빠", re.IGNORECASE
)
_CLAUSE_BREAK = re.compile(r"[.;:,()\n!?。]")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?。])\s|\n")
_SCORE_WORDS = {
    "nps": re.compile(r"\bnps\b|추천", re.IGNORECASE),
    "csat": re.compile(r"\bcsat\b|만족", re.IGNORECASE),
    "ces": re.compile(r"\bces\b|노력|effort", re.IGNORECASE),
}
_COMPARED_WORDS = re.compile(
    r"against|\brest\b|previous|compared|\bthan\b|\bvs\b|versus|나머지|이전|비교|보다|대비", re.IGNORECASE
)
_COMPARED_PARTS = {"comparison", "vs"}

_KO_COUNTER = r"(?=\s?(?:건|명|개|곳|가지|번|차례|단계|퍼센트|프로|%|포인트))"
_KO_NATIVE = re.compile(
    rf"(?<![가-힣])(?:({'|'.join(KO_TENS)})({'|'.join(KO_UNITS)})?|(다섯|여섯|일곱|여덟|아홉))"
    rf"(?:{_KO_COUNTER}|(?![가-힣]))"
)
_KO_SINO = re.compile(rf"(?<![가-힣])([일이삼사오육칠팔구]?)십([일이삼사오육칠팔구]?){_KO_COUNTER}")


@dataclass
class _Mention:
    start: int
    end: int
    shown: str
    value: float
    """Signed as written; in percent units when `percent`."""
    signed: bool
    decimals: int
    percent: bool
    relation: Literal["=", "<", ">"]


@dataclass
class _Candidate:
    path: str
    key: str
    stage: str | None
    value: float


def _mentions(text: str) -> list[_Mention]:
    out: list[_Mention] = []
    for m in _NUMBER.finditer(text):
        sign, digits = m.group(1), m.group(2)
        value = float(digits.replace(",", ""))
        if sign in ("-", "−"):
            value = -value
        out.append(_mention(text, m.start(), m.end(), m.group(0), value, bool(sign), digits))
    for m in EN_NUMBER.finditer(text):
        out.append(_mention(text, m.start(), m.end(), m.group(0), float(en_value(m.group(0))), False, ""))
    for k in _KO_NATIVE.finditer(text):
        native = ko_native_value(k.group(1), k.group(2) or k.group(3))
        out.append(_mention(text, k.start(), k.end(), k.group(0), float(native), False, ""))
    for k in _KO_SINO.finditer(text):
        sino = ko_sino_value(k.group(1), k.group(2))
        out.append(_mention(text, k.start(), k.end(), k.group(0), float(sino), False, ""))
    return sorted(out, key=lambda x: x.start)


def _mention(
    text: str, start: int, end: int, shown: str, value: float, signed: bool, digits: str
) -> _Mention:
    after = _PERCENT_AFTER.match(text[end : end + 24])
    bound = _BOUND_BEFORE.search(text[max(0, start - 3) : start])
    relation: Literal["=", "<", ">"] = "="
    if bound:
        relation = "<" if bound.group(1) in ("<", "≤") else ">"
    if after:
        shown += after.group(0).strip() if after.group(0).strip() in ("%", "％", "%p") else ""
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return _Mention(start, end, shown, value, signed, decimals, after is not None, relation)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _walk(node: Any, path: str, trail: list[Any]) -> Iterator[tuple[str, Any, list[Any]]]:
    yield path, node, trail
    if isinstance(node, Mapping):
        for k, v in node.items():
            yield from _walk(v, join(path, str(k)), [*trail, node])
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, join(path, i), [*trail, node])


@dataclass
class _Pool:
    numbers: list[_Candidate] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    stages: set[str] = field(default_factory=set)
    rows: dict[str, tuple[str, int]] = field(default_factory=dict)
    """feedback id -> path of its longest text in the results, and that length."""


def _pool(results: Mapping[str, Any]) -> _Pool:
    pool = _Pool()
    for root, value in results.items():
        for path, node, trail in _walk(value, join("", root), []):
            key = _last_key(path) or ""
            if isinstance(node, bool) or node is None:
                continue
            if isinstance(node, int | float):
                if math.isfinite(node):
                    pool.numbers.append(_Candidate(path, key, _stage_of(trail), float(node)))
            elif isinstance(node, list) and node:
                stage = _stage_of(trail)
                pool.numbers.append(_Candidate(path, "count", stage, float(len(node))))
            elif isinstance(node, str):
                owner = trail[-1] if trail else None
                fid = owner.get("feedback_id") or owner.get("id") if isinstance(owner, Mapping) else None
                if key in CUSTOMER_TEXT_KEYS and isinstance(fid, str):
                    if len(node) > pool.rows.get(fid, ("", -1))[1]:
                        pool.rows[fid] = (path, len(node))
                    continue
                if key == "stage" or (isinstance(owner, list) and _last_key(path) in ("stages", "ranking")):
                    pool.stages.add(node)
                # Labels, titles, ideas; a category value may be all digits ("5.2", an app version).
                worded = re.search(r"[^\W\d_]", node) or key in CATEGORY_KEYS
                if (len(node) >= 3 or key in CATEGORY_KEYS) and len(node) <= 300 and worded:
                    pool.names.add(node)
    return pool


def _stage_before(text: str, at: int, stages: Sequence[str]) -> str | None:
    best: tuple[int, int, str] | None = None
    low = text[:at].casefold()
    for s in stages:
        i = low.rfind(s.casefold())
        if i >= 0 and (best is None or (i + len(s), len(s)) > (best[0], best[1])):
            best = (i + len(s), len(s), s)
    return best[2] if best else None


def _clause(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    right = _CLAUSE_BREAK.search(text, end)
    return text[left : right.start() if right else len(text)]


def _sentence(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _SENTENCE_BREAK.finditer(text, 0, start)), default=0)
    right = _SENTENCE_BREAK.search(text, end)
    return text[left : right.start() if right else len(text)]


def _said_of(c: _Candidate, sentence: str, hinted: bool) -> bool:
    """A number inside a score summary (nps, csat, ces) is tied only where the sentence names the score, and
    one of a comparison only where it says what is compared: '40 rows' is not the NPS respondents."""
    parts = set(re.findall(r"[A-Za-z_]+", c.path))
    for name, words in _SCORE_WORDS.items():
        if name in parts and not words.search(sentence):
            return False
    return hinted or not (parts & _COMPARED_PARTS) or bool(_COMPARED_WORDS.search(sentence))


def _metric_hint(text: str, start: int) -> set[str] | None:
    before = text[max(0, start - 14) : start].casefold()
    if re.search(r"\bp\s?(?:=|<|>|≤|≥|값)?\s?$", before):
        return {"p_value", "p_adjusted", "p"}
    if re.search(r"\bnps\W{0,3}$", before):
        return {"nps", "score"}
    if re.search(r"\b(?:csat|ces)\W{0,3}$", before):
        return {"satisfied_share", "mean", "score"}
    return None


def _matches(m: _Mention, actual: float, value: float, precision: float, shown: str) -> bool:
    probe = Claim(kind="metric", value=value, precision=precision, shown=shown)
    return abs(abs(actual) - abs(value)) <= tolerance(probe, actual)


def claims_in_text(text: str, results: Mapping[str, Any], given: Sequence[Claim] = ()) -> list[Claim]:
    """Every claim the text makes, tied to a given claim or to the result it matches (see the module)."""
    pool = _pool(results)
    stages = sorted(pool.stages, key=len, reverse=True)
    claims: list[Claim] = []
    body = text
    for pattern in _IGNORED:
        for m in pattern.finditer(body):
            body = _blank(body, m.start(), m.end())
    named: list[tuple[int, int]] = []
    staged = [
        (m.start(), m.end()) for st in stages for m in re.finditer(re.escape(st.casefold()), body.casefold())
    ]
    for name in sorted(pool.names - pool.stages, key=len, reverse=True):
        # Strings of the results written as they are (stage, theme and idea labels, a draft's assumptions):
        # names, not claims, and a quote inside one is the result's own. Whole words only, and never part
        # of a stage's name ('flight' in 'In-flight').
        for m in re.finditer(rf"(?<![A-Za-z0-9_-]){re.escape(name)}(?![A-Za-z0-9_-])", body):
            if any(
                s < m.end() and m.start() < e and not (m.start() <= s and e <= m.end()) for s, e in staged
            ):
                continue
            named.append((m.start(), m.end()))
            body = _blank(body, m.start(), m.end())
    folded_names = {_fold(n) for n in pool.names}
    for m in _QUOTED.finditer(text):
        if any(s <= m.start() and m.end() <= e for s, e in named):
            continue
        words = m.group(1) if m.group(1) is not None else m.group(2)
        after = _ID_AFTER.match(text, m.end())
        end = after.end() if after else m.end()
        if after is None and (_fold(words) in folded_names or len(words.strip()) < 8):
            body = _blank(body, m.start(), end)  # a name from the results, or a word in quotes
            continue
        fid = after.group(1) if after else None
        # The row as this turn's results hold it, else as stored (read by the caller), whichever says it.
        paths = [pool.rows[fid][0]] if fid and fid in pool.rows else []
        stored = results.get("feedback")
        if fid and isinstance(stored, Mapping) and fid in stored:
            paths.append(join(join("feedback", fid), "text"))
        probes = [Claim(kind="quote", feedback_id=fid, text=words, source=p) for p in paths]
        source = next(
            (p for p, c in zip(paths, probes, strict=True) if _quote_problem(c, results) is None), None
        )
        source = source or (paths[0] if paths else None)
        claims.append(Claim(kind="quote", feedback_id=fid, text=words, source=source, span=(m.start(), end)))
        body = _blank(body, m.start(), end)  # the customer's numbers are theirs, not claims
    used: set[int] = set()
    for said in _mentions(body):
        if not said.signed and not said.percent and said.relation == "=" and said.value in COUNTING_WORDS:
            continue
        # The stage a number is about is read where the answer speaks, not inside names or quotes.
        claims.append(_tie(text, body, said, pool, stages, given, used))
    return sorted(claims, key=lambda c: c.span[0] if c.span else 0)


def _tie(
    text: str,
    body: str,
    m: _Mention,
    pool: _Pool,
    stages: Sequence[str],
    given: Sequence[Claim],
    used: set[int],
) -> Claim:
    stage = _stage_before(body, m.start, stages)
    scale = 100.0 if m.percent else 1.0
    precision = 10.0**-m.decimals / scale
    value = m.value / scale
    span = (m.start, m.end)
    for i, c in enumerate(given):
        if i in used or c.kind == "quote" or c.value is None:
            continue
        if c.relation == m.relation and abs(c.value - value) <= max(c.precision, precision) / 2 + FLOAT_SLACK:
            used.add(i)
            return c.model_copy(update={"span": span, "shown": c.shown or m.shown})
    clause = _clause(text, m.start, m.end)
    sentence = _sentence(text, m.start, m.end)
    hint = _metric_hint(text, m.start)
    shown = m.shown + ("%" if m.percent and "%" not in m.shown else "")
    found = [
        c
        for c in pool.numbers
        if (hint is None or c.key in hint)
        and _said_of(c, sentence, hint is not None)
        and (m.relation != "=" or _matches(m, c.value, value, precision, shown))
        and (not m.percent or abs(c.value) <= 1)
        and (m.relation == "=" or c.key in {"p_value", "p_adjusted", "p"})
    ]
    if not m.signed and _NEGATIVE_WORDS.search(clause) and any(c.value < 0 for c in found):
        value = -value  # "minus 18.2", "down 10.4 points": an unsigned number the words make negative

    def rank(c: _Candidate) -> tuple[int, int, int, int, int]:
        same_stage = c.stage is None or _fold(c.stage) == _fold(stage)
        same_sign = (c.value >= 0) == (value >= 0) or c.value == 0
        depth = c.path.count(".") + c.path.count("[")
        shown_only = ":shown" in c.path.split(".", 1)[0]  # cite the full result when both hold the number
        return (0 if same_stage else 1, 0 if same_sign else 1, int(c.key == "count"), int(shown_only), depth)

    kind: ClaimKind = "count" if m.decimals == 0 and not m.percent else "metric"
    if not found:
        return Claim(
            kind=kind,
            stage=stage,
            value=value,
            shown=shown,
            precision=precision,
            relation=m.relation,
            span=span,
        )
    best = min(found, key=rank)
    direction: Literal["higher", "lower"] | None = None
    if best.key in SIGNED_BY_DIRECTION and not m.signed:
        if _NEGATIVE_WORDS.search(clause):
            direction = "lower"
        elif _POSITIVE_WORDS.search(clause):
            direction = "higher"
    if best.key in SIGNED_BY_DIRECTION or best.key in {"share2", "share"}:
        kind = "comparison"
    return Claim(
        kind=kind,
        stage=stage,
        metric=best.key,
        value=value if direction != "lower" or value < 0 else -value,
        shown=shown,
        precision=precision,
        relation=m.relation,
        direction=direction,
        source=best.path,
        span=span,
    )


# --- the verdict on a text -----------------------------------------------------------------------------

DROPPED: dict[str, str] = {
    "en": "I left out statements I could not check against this turn's results.",
    "ko": "이번 결과로 확인할 수 없는 내용은 답에서 뺐습니다.",
}


def verify(text: str, results: Mapping[str, Any], given: Sequence[Claim] = ()) -> CheckReport:
    """The claims of a text, each checked against the result it cites."""
    return check(claims_in_text(text, results, given), results)


_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n")


def _segments(text: str) -> list[tuple[int, int]]:
    """Sentences and lines of a text, as (start, end) including the separator after each."""
    out, pos = [], 0
    for m in _SENTENCE_END.finditer(text):
        out.append((pos, m.end()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def strip(text: str, report: CheckReport, language: str) -> str:
    """The text without the sentences (or list lines) that carry a failed claim, and one sentence saying
    so; the text unchanged when nothing failed."""
    bad = [c.span for c in report.failed if c.span is not None]
    if not report.failed:
        return text
    kept = []
    for start, end in _segments(text):
        if any(s < end and e > start for s, e in bad):
            kept.append("\n" if "\n" in text[start:end] else "")
        else:
            kept.append(text[start:end])
    body = re.sub(r"\n{3,}", "\n\n", "".join(kept)).strip()
    note = DROPPED["ko" if language == "ko" else "en"]
    return f"{body}\n\n{note}" if body else note


def kept_claims(report: CheckReport) -> list[Claim]:
    return [c for c in report.claims if c.checked]
