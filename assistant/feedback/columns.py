"""Which column holds the feedback text, the rating, the date...: detected from Korean and English headers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.contracts.feedback_records import IngestOptions, RatingType, Role
from assistant.errors import IngestError
from assistant.feedback.values import ValueProblem, parse_date

# Normalised header names (lower case, no spaces/underscores/hyphens) per role, best first.
ROLE_NAMES: dict[Role, tuple[str, ...]] = {
    "text": (
        "text",
        "comment",
        "comments",
        "feedback",
        "review",
        "reviewtext",
        "verbatim",
        "message",
        "body",
        "content",
        "response",
        "answer",
        "opinion",
        "remarks",
        "note",
        "notes",
        "description",
        "freetext",
        "내용",
        "의견",
        "리뷰",
        "후기",
        "코멘트",
        "피드백",
        "답변",
        "응답",
        "문의내용",
        "본문",
        "상담내용",
        "메모",
    ),
    "rating": (
        "rating",
        "score",
        "nps",
        "npsscore",
        "csat",
        "ces",
        "stars",
        "star",
        "likelihood",
        "grade",
        "점수",
        "평점",
        "별점",
        "만족도",
        "추천의향",
        "추천점수",
        "평가",
    ),
    "date": (
        "date",
        "created",
        "createdat",
        "createddate",
        "timestamp",
        "time",
        "submitted",
        "submittedat",
        "responsedate",
        "reviewdate",
        "datetime",
        "작성일",
        "작성일자",
        "날짜",
        "일자",
        "등록일",
        "응답일",
        "작성일시",
    ),
    "channel": ("channel", "source", "medium", "platform", "via", "채널", "경로", "유입경로", "플랫폼"),
    "stage": ("stage", "journeystage", "phase", "step", "단계", "여정단계", "여정"),
    "id": (
        "id",
        "feedbackid",
        "responseid",
        "reviewid",
        "ticketid",
        "ticket",
        "caseid",
        "uuid",
        "번호",
        "아이디",
        "응답번호",
        "문의번호",
    ),
}

_OVERRIDES: dict[Role, str] = {
    "text": "text_column",
    "rating": "rating_column",
    "date": "date_column",
    "channel": "channel_column",
    "stage": "stage_column",
    "id": "id_column",
}


def normalise(header: str) -> str:
    return re.sub(r"[\s_\-./()\[\]]+", "", header.casefold())


def map_columns(
    headers: Sequence[str], options: IngestOptions, sample: Sequence[dict[str, Any]] = ()
) -> dict[Role, str | None]:
    """Assign each role a header: explicit flags win, then known names, then (for text) the wordiest column."""
    by_norm = {normalise(h): h for h in reversed(headers)}
    mapping: dict[Role, str | None] = {}
    taken: set[str] = set()
    for role, attr in _OVERRIDES.items():
        wanted = getattr(options, attr)
        if wanted is None:
            continue
        match = wanted if wanted in headers else by_norm.get(normalise(wanted))
        if match is None:
            raise IngestError(f"there is no column {wanted!r} (columns: {', '.join(headers)}).")
        mapping[role] = match
        taken.add(match)
    for role, names in ROLE_NAMES.items():
        if role in mapping:
            continue
        found = next((by_norm[n] for n in names if n in by_norm and by_norm[n] not in taken), None)
        mapping[role] = found
        if found is not None:
            taken.add(found)
    if mapping["id"] is None:
        mapping["id"] = _id_by_pattern(headers, taken, sample)
        if mapping["id"] is not None:
            taken.add(mapping["id"])
    if mapping["date"] is None:
        mapping["date"] = _date_by_pattern(headers, taken, sample)
        if mapping["date"] is not None:
            taken.add(mapping["date"])
    if mapping["text"] is None:
        mapping["text"] = _wordiest(headers, taken, sample)
    if mapping["text"] is None:
        raise IngestError(
            f"no column looks like feedback text (columns: {', '.join(headers)}); name it with --text-column."
        )
    return mapping


def words(header: str) -> list[str]:
    """A header's words: `tweet_created` → [tweet, created], `createdAt` → [created, at], `고객ID` →
    [고객, id] (a switch between Hangul and Latin letters splits too)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", header)
    spaced = re.sub(r"(?<=[가-힣])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[가-힣])", " ", spaced)
    return [w for w in re.split(r"[^0-9a-z가-힣]+", spaced.casefold()) if w]


_ID_WORDS = ("id", "uuid", "guid")
_ID_SUFFIXES_KO = ("아이디", "번호", "식별자", "식별번호")
# Numbers that identify a person's phone, address, card or account, not a piece of feedback.
_NOT_FEEDBACK_IDS = (
    "phone",
    "mobile",
    "tel",
    "fax",
    "zip",
    "postal",
    "card",
    "account",
    "전화",
    "휴대",
    "핸드폰",
    "우편",
    "카드",
    "계좌",
    "주민",
)
_PERSON_WORDS = (
    "user",
    "customer",
    "client",
    "member",
    "author",
    "reviewer",
    "account",
    "고객",
    "회원",
    "사용자",
    "작성자",
)
_DATE_WORDS = ("date", "created", "timestamp", "datetime", "time", "posted", "submitted", "day")
_DATE_SUFFIXES_KO = ("일자", "날짜", "작성일", "등록일", "접수일", "응답일", "일시", "작성시간", "등록시간")
_LATER_DATES = ("updated", "modified", "changed", "deleted", "수정", "변경", "삭제")
ID_SAMPLE_FILLED = 0.9
DATE_SAMPLE_PARSED = 0.9


def _looks_like_id(header: str) -> bool:
    ws = words(header)
    if not ws or any(bad in header.casefold() for bad in _NOT_FEEDBACK_IDS):
        return False
    return ws[-1] in _ID_WORDS or ws[-1].endswith(_ID_SUFFIXES_KO)


def _looks_like_date(header: str) -> bool:
    ws = words(header)
    if not ws:
        return False
    last = ws[-1]
    if last in _DATE_WORDS or last.endswith(_DATE_SUFFIXES_KO):
        return True
    # created_at, submitted_at, 작성 일 ...: "at"/"on" after a verb of time.
    return len(ws) >= 2 and last in ("at", "on") and ws[-2].endswith("ed")


def _filled(sample: Sequence[dict[str, Any]], header: str) -> list[Any]:
    return [v for v in (row.get(header) for row in sample) if v is not None and str(v).strip()]


def _id_by_pattern(headers: Sequence[str], taken: set[str], sample: Sequence[dict[str, Any]]) -> str | None:
    """An id column named like one (`tweet_id`, `reviewId`, `응답 ID`, `문의번호`) whose sampled values are
    all different: a column that repeats (`airline_id`, `store_id`) says which thing the feedback is
    about, not which feedback it is. A person's id (`user_id`) is taken only when no other fits."""
    best: tuple[int, int, str] | None = None
    for position, header in enumerate(headers):
        if header in taken or not _looks_like_id(header):
            continue
        values = [str(v).strip() for v in _filled(sample, header)]
        if len(values) < ID_SAMPLE_FILLED * len(sample) or len(set(values)) < len(values):
            continue
        person = any(w in _PERSON_WORDS or w.startswith(_PERSON_WORDS) for w in words(header))
        key = (int(person), position, header)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


def _date_by_pattern(headers: Sequence[str], taken: set[str], sample: Sequence[dict[str, Any]]) -> str | None:
    """A date column named like one (`tweet_created`, `created_at`, `review_date`, `접수일자`) whose sampled
    values read as dates; when several do, the one for when the feedback was written comes before a
    later change (`updated_at`)."""
    best: tuple[int, int, str] | None = None
    for position, header in enumerate(headers):
        if header in taken or not _looks_like_date(header):
            continue
        values = _filled(sample, header)
        if not values:
            continue
        parsed = 0
        for value in values:
            try:
                parsed += parse_date(value) is not None
            except ValueProblem:
                continue
        if parsed < DATE_SAMPLE_PARSED * len(values):
            continue
        later = any(w in header.casefold() for w in _LATER_DATES)
        key = (int(later), position, header)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


def _wordiest(headers: Sequence[str], taken: set[str], sample: Sequence[dict[str, Any]]) -> str | None:
    best, best_len = None, 0.0
    for h in headers:
        if h in taken:
            continue
        values = [v for v in (row.get(h) for row in sample) if isinstance(v, str) and v.strip()]
        if not values or sum(any(ch.isalpha() for ch in v) for v in values) < len(values) / 2:
            continue
        mean = sum(len(v) for v in values) / len(values)
        if mean > best_len and mean >= 8:
            best, best_len = h, mean
    return best


def infer_rating_type(header: str | None, values: Sequence[float]) -> RatingType | None:
    """NPS when the header says so or scores reach above 7; CES for 1-7 scales named so; CSAT otherwise."""
    if header is None or not values:
        return None
    name = normalise(header)
    if "nps" in name or "추천" in name:
        return "nps"
    if "ces" in name or "effort" in name or "노력" in name:
        return "ces"
    if "csat" in name or "만족" in name:
        return "csat"
    low, high = min(values), max(values)
    if high > 7 or low < 1:  # 0 exists only on the 0-10 NPS scale
        return "nps"
    if high > 5:
        return "ces"
    return "csat"
