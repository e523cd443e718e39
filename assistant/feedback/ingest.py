"""Ingest feedback files into the store, accounting for every row.

For every file: rows_read = rows_stored + rows_duplicate + rows_rejected, and each rejected row is
listed with its number and reason. One command is all or nothing across its files: every file is
opened and checked before anything is written, and if a file still fails part-way (a broken row deep
in a spreadsheet, a file removed while being read), the rows the command stored from earlier files
are removed too, so the message "nothing was stored" is true.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.contracts.feedback_records import (
    FeedbackRecord,
    FileReport,
    IngestOptions,
    IngestReport,
    RatingType,
    RawRow,
    Role,
)
from assistant.errors import IngestError
from assistant.feedback.columns import infer_rating_type, map_columns
from assistant.feedback.content import refuse_non_feedback
from assistant.feedback.readers import Table, open_table
from assistant.feedback.store import FeedbackStore
from assistant.feedback.values import ValueProblem, parse_date, parse_rating

Progress = Callable[[str, int], None]
"""Called with (file path, rows read so far) every batch."""

SAMPLE_ROWS = 500
DEFAULT_BATCH = 2000
DEFAULT_MAX_CELL = 20_000


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def feedback_id(
    source: str,
    external_id: str | None,
    text: str,
    rating: float | None,
    date: str | None,
    columns: dict[str, Any] | None = None,
) -> str:
    """Content key: the same feedback in the same source always gets the same id.

    Rows with different ids are different feedback. Without an id, the same text is the same feedback
    only when every other column matches too (`columns`, the row as read): three customers who each
    wrote "thanks" on different days or under different names are three rows."""
    parts = [source, external_id or "", text, "" if rating is None else repr(rating), date or ""]
    if external_id is None and columns:
        parts.append(json.dumps(columns, sort_keys=True, ensure_ascii=False, default=str))
    key = "\x1f".join(parts)
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    text = text.strip()
    return text or None


class RowValidator:
    """Turns raw rows of one file into records or reject reasons."""

    def __init__(
        self,
        source: str,
        file_name: str,
        mapping: dict[Role, str | None],
        rating_type: RatingType | None,
        max_cell: int,
    ) -> None:
        self.source = source
        self.file_name = file_name
        self.mapping = mapping
        self.rating_type = rating_type
        self.max_cell = max_cell

    def __call__(self, raw: RawRow) -> FeedbackRecord | str:
        if raw.values is None:
            return raw.error or "unreadable row"
        values = raw.values
        for column, value in values.items():
            if isinstance(value, str) and len(value) > self.max_cell:
                return f"over-long cell: {column!r} has {len(value)} characters (limit {self.max_cell})"
        col = self.mapping
        text = _text(values.get(col["text"] or ""))
        if text is None:
            return "no text"
        try:
            rating = parse_rating(values.get(col["rating"]), self.rating_type) if col["rating"] else None
            date = parse_date(values.get(col["date"])) if col["date"] else None
        except ValueProblem as exc:
            return str(exc)
        external_id = _text(values.get(col["id"])) if col["id"] else None
        columns = {str(k): _jsonable(v) for k, v in values.items()}
        return FeedbackRecord(
            feedback_id=feedback_id(self.source, external_id, text, rating, date, columns),
            source=self.source,
            file_name=self.file_name,
            row=raw.row,
            external_id=external_id,
            text=text,
            rating=rating,
            rating_type=self.rating_type if rating is not None else None,
            date=date,
            channel=_text(values.get(col["channel"])) if col["channel"] else None,
            stage_label=_text(values.get(col["stage"])) if col["stage"] else None,
            columns=columns,
        )


def _peek(rows: Iterator[RawRow], n: int) -> tuple[list[RawRow], Iterator[RawRow]]:
    head = list(itertools.islice(rows, n))
    return head, itertools.chain(head, rows)


def _rating_type(options: IngestOptions, header: str | None, sample: Sequence[RawRow]) -> RatingType | None:
    if options.rating_type is not None or header is None:
        return options.rating_type
    numbers = []
    for raw in sample:
        if raw.values is None:
            continue
        try:
            value = parse_rating(raw.values.get(header), None)
        except ValueProblem:
            continue
        if value is not None:
            numbers.append(value)
    return infer_rating_type(header, numbers)


def _options_key(options: IngestOptions) -> str:
    return json.dumps(options.model_dump(exclude={"source"}), sort_keys=True)


def prepare_table(table: Table, options: IngestOptions) -> tuple[dict[Role, str | None], RatingType | None]:
    """Decide the column mapping and rating scale from the header and the first rows (nothing is lost:
    the peeked rows are put back in front of the table's row iterator)."""
    sample, table.rows = _peek(table.rows, SAMPLE_ROWS)
    mapping = map_columns(table.headers, options, [r.values for r in sample if r.values is not None])
    return mapping, _rating_type(options, mapping["rating"], sample)


def ingest_table(
    table: Table,
    path: Path,
    store: FeedbackStore,
    source: str,
    mapping: dict[Role, str | None],
    rating_type: RatingType | None,
    batch_rows: int = DEFAULT_BATCH,
    max_cell: int = DEFAULT_MAX_CELL,
    progress: Progress | None = None,
    run: int | None = None,
) -> FileReport:
    """Validate and store the rows of one opened, prepared file (undone by its run id if it fails)."""
    rows = table.rows
    report = FileReport(path=str(path), format=table.format, encoding=table.encoding, columns=dict(mapping))
    validate = RowValidator(source, path.name, mapping, rating_type, max_cell)
    run = store.start_run(source, path.name) if run is None else run
    batch: list[FeedbackRecord] = []
    try:
        for raw in rows:
            report.rows_read += 1
            result = validate(raw)
            if isinstance(result, str):
                report.add_reject(raw.row, result)
                continue
            batch.append(result)
            if len(batch) >= batch_rows:
                _flush(store, batch, report, run)
                if progress is not None:
                    progress(str(path), report.rows_read)
        _flush(store, batch, report, run)
    except IngestError:
        store.delete_run(run)
        raise
    except Exception as exc:  # a reader failing mid-file: keep the store as it was before this file
        store.delete_run(run)
        raise IngestError(f"{path}: reading stopped at row {report.rows_read} ({_reason(exc)}).") from exc
    if progress is not None:
        progress(str(path), report.rows_read)
    return report


def _flush(store: FeedbackStore, batch: list[FeedbackRecord], report: FileReport, run: int) -> None:
    new_ids, duplicates = store.insert_batch(batch, run)
    report.rows_stored += len(new_ids)
    report.rows_duplicate += duplicates
    batch.clear()


def ingest_files(
    paths: Sequence[Path],
    store: FeedbackStore,
    options: IngestOptions,
    progress: Progress | None = None,
    batch_rows: int = DEFAULT_BATCH,
    max_cell: int = DEFAULT_MAX_CELL,
) -> IngestReport:
    """Ingest several files. Raises IngestError, having written nothing, if any file cannot be read."""
    if not paths:
        raise IngestError("no file given.")
    key = _options_key(options)
    prepared: list[tuple[Path, str, str, FileReport | _Opened]] = []
    runs: list[int] = []
    try:
        for path in paths:
            source = options.source or path.name
            try:
                _check_regular(path)
                refuse_non_feedback(path)
                digest = file_sha256(path) if path.is_file() else ""
            except OSError as exc:
                raise IngestError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
            earlier = store.finished_file(source, digest, key) if digest else None
            if earlier is not None:
                prepared.append((path, source, digest, earlier))
                continue
            table = open_table(path, options.sheet)
            prepared.append((path, source, digest, _Opened(table, None, None)))
            try:
                mapping, rating_type = prepare_table(table, options)
            except IngestError as exc:
                raise IngestError(f"{path}: {exc}") from None
            except Exception as exc:  # a reader failing within the sampled first rows (a broken sheet)
                raise IngestError(f"{path}: reading failed in the first rows ({_reason(exc)}).") from exc
            prepared[-1] = (path, source, digest, _Opened(table, mapping, rating_type))
        report = IngestReport()
        finished: list[tuple[str, str, FileReport]] = []
        for path, source, digest, item in prepared:
            if isinstance(item, FileReport):
                report.add(_unchanged(item, path).model_copy(update={"dataset": source}))
                continue
            assert item.mapping is not None
            runs.append(store.start_run(source, path.name))
            try:
                file_report = ingest_table(
                    item.table,
                    path,
                    store,
                    source,
                    item.mapping,
                    item.rating_type,
                    batch_rows,
                    max_cell,
                    progress,
                    run=runs[-1],
                )
            except IngestError as exc:
                for run in runs[:-1]:  # the failing file's own run is already undone
                    store.delete_run(run)
                # Name the earlier files: the user saw them being read and must know they are not stored.
                names = [Path(f.path).name for _, _, f in finished]
                undone = (
                    f" The rows stored from {', '.join(names)} before it were removed again." if names else ""
                )
                raise IngestError(f"{exc} Nothing was stored.{undone}") from None
            file_report.dataset = source
            finished.append((source, digest, file_report))
            report.add(file_report)
        # Only now are the files complete: a file recorded earlier and then undone would be skipped later.
        for source, digest, file_report in finished:
            store.record_finished_file(source, digest, key, file_report)
        return report
    finally:
        for *_, item in prepared:
            if isinstance(item, _Opened):
                item.table.close()


def _check_regular(path: Path) -> None:
    """A pipe or a device would block the read or never end; say so instead (folders and missing files
    are reported by the reader, with the system's own words)."""
    if path.exists() and not path.is_file() and not path.is_dir():
        raise IngestError(
            f"{path}: is not a regular file (a pipe, socket or device); save it to a file first."
        )


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@dataclass
class _Opened:
    table: Table
    mapping: dict[Role, str | None] | None
    rating_type: RatingType | None


def _unchanged(earlier: FileReport, path: Path) -> FileReport:
    """An unchanged file re-ingested: everything it stored before is now a duplicate."""
    return earlier.model_copy(
        update={
            "path": str(path),
            "rows_stored": 0,
            "rows_duplicate": earlier.rows_stored + earlier.rows_duplicate,
            "unchanged": True,
        }
    )
