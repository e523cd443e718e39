"""Row filters as the user wrote them, matched to the columns and values actually stored.

People write "united", "UNITED", "앱" or "pro"; the store holds "United", "App", "Pro". A filter's column and value are matched ignoring case, width and spacing; a value that
matches nothing is refused with the closest stored values, never silently dropped (a filter that keeps
no rows would answer a different question).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence

from assistant.analysis.aggregate import CORE_COLUMNS, MISSING
from assistant.contracts.requests import RowFilter
from assistant.errors import JourneyError
from assistant.feedback.store import FeedbackStore

MAX_VALUES = 5000
"""Distinct values read per column to match against (an id-like column is not a sensible filter)."""


class FilterError(JourneyError):
    """A filter names a column or value the data does not have; carries the closest ones."""

    exit_code = 2

    def __init__(self, message: str, column: str, value: str | None, suggestions: list[str]) -> None:
        super().__init__(message)
        self.column = column
        self.value = value
        self.suggestions = suggestions


def fold(text: str) -> str:
    """The form two spellings of one value share: NFKC, case-folded, without spaces, '-', '_' or '.'."""
    return re.sub(r"[\s\-_.]+", "", unicodedata.normalize("NFKC", text).casefold())


def _value_sql(store: FeedbackStore, column: str) -> str:
    if column in CORE_COLUMNS:
        return f"f.{column}"
    return store.dialect.json_text("f.columns", column)


def stored_values(store: FeedbackStore, column: str, sources: Sequence[str] = ()) -> list[str]:
    """Distinct non-empty values of a column (of the datasets, if given), most rows first."""
    value = _value_sql(store, column)
    where = f"WHERE f.source IN ({', '.join('?' * len(sources))})" if sources else ""
    sql = (
        f"SELECT v, COUNT(*) FROM (SELECT {value} AS v FROM feedback f {where}) t "
        "WHERE v IS NOT NULL AND v <> '' GROUP BY v ORDER BY 2 DESC, 1 LIMIT ?"
    )
    return [str(r[0]) for r in store.conn.execute(sql, [*sources, MAX_VALUES])]


def match_column(columns: Sequence[str], wanted: str) -> str | None:
    key = fold(wanted)
    return next((c for c in columns if fold(c) == key), None)


def resolve_filters(
    store: FeedbackStore, filters: Sequence[RowFilter], sources: Sequence[str] = ()
) -> list[RowFilter]:
    """The filters with their column and value as stored. Raises FilterError (with the closest names)
    when a column is not stored or a value occurs in no row of the datasets in scope."""
    if not filters:
        return []
    columns = store.columns()
    out = []
    for f in filters:
        column = match_column(columns, f.column)
        if column is None:
            close = difflib.get_close_matches(f.column, columns, n=3, cutoff=0.5)
            hint = (
                f"; did you mean {' or '.join(close)}?"
                if close
                else f"; stored columns: {', '.join(columns)}"
            )
            raise FilterError(f"No stored column {f.column!r}{hint}", f.column, None, close)
        if f.value == MISSING:
            out.append(RowFilter(column=column, op=f.op, value=MISSING))
            continue
        values = stored_values(store, column, sources)
        by_fold: dict[str, str] = {}
        for v in values:
            by_fold.setdefault(fold(v), v)
        exact = by_fold.get(fold(f.value))
        if exact is None:
            close_folds = difflib.get_close_matches(fold(f.value), list(by_fold), n=3, cutoff=0.6)
            close = [by_fold[c] for c in close_folds]
            if close:
                hint = f"; did you mean {' or '.join(close)}?"
            else:
                hint = (
                    f"; its values include {', '.join(values[:8])}" if values else "; it has no values here"
                )
            raise FilterError(f"No {column} {f.value!r} in the data{hint}", column, f.value, close)
        out.append(RowFilter(column=column, op=f.op, value=exact))
    return out
