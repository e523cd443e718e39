"""Which column holds the feedback text, the rating, the date...: detected from Korean and English headers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.errors import IngestError
from assistant.feedback.records import IngestOptions, RatingType, Role

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
    if mapping["text"] is None:
        mapping["text"] = _wordiest(headers, taken, sample)
    if mapping["text"] is None:
        raise IngestError(
            f"no column looks like feedback text (columns: {', '.join(headers)}); name it with --text-column."
        )
    return mapping


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
