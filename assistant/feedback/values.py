"""Parsing of rating and date cells as they appear in real exports."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from assistant.contracts.feedback_records import RatingType

SCALES: dict[RatingType, tuple[float, float]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}

_KOREAN_DATE = re.compile(r"^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일")
_YMD = re.compile(r"^(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\.?(?:[ T].*)?$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:\s.*)?$")
_EXCEL_EPOCH = date(1899, 12, 30)


class ValueProblem(ValueError):
    """A cell that cannot be read as what its column holds; the message is the reject reason."""


def parse_rating(value: Any, rating_type: RatingType | None) -> float | None:
    """A number on the rating's scale, None for an empty cell; ValueProblem otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueProblem(f"unparseable rating {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        try:
            number = float(text.replace(",", ".")) if text.count(",") <= 1 else float("nan")
        except ValueError:
            raise ValueProblem(f"unparseable rating {text[:40]!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueProblem(f"unparseable rating {str(value)[:40]!r}")
    if rating_type is not None:
        low, high = SCALES[rating_type]
        if not low <= number <= high:
            raise ValueProblem(f"rating {number:g} outside the {rating_type.upper()} scale {low:g}-{high:g}")
    return number


def parse_date(value: Any) -> str | None:
    """An ISO date (YYYY-MM-DD) from the common export formats, None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial day number that lost its date format
            return (_EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
        raise ValueProblem(f"unparseable date {value!r}")
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    for pattern, order in ((_KOREAN_DATE, "ymd"), (_YMD, "ymd"), (_DMY, "dmy")):
        m = pattern.match(text)
        if m:
            a, b, c = (int(g) for g in m.groups())
            y, mo, d = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                return date(y, mo, d).isoformat()
            except ValueError:
                break
    raise ValueProblem(f"unparseable date {text[:40]!r}")
