"""Typed records passed between the readers, the ingest accounting and the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

RatingType = Literal["nps", "csat", "ces"]
Role = Literal["text", "rating", "date", "channel", "stage", "id"]


@dataclass(frozen=True, slots=True)
class RawRow:
    """One record as read from a file, before validation. `values` is None when the record is broken."""

    row: int
    """1-based data row number (the header is not counted)."""
    values: dict[str, Any] | None
    error: str | None = None


@dataclass(slots=True)
class FeedbackRecord:
    """A validated row, ready to store."""

    feedback_id: str
    source: str
    file_name: str
    row: int
    external_id: str | None
    text: str
    rating: float | None
    rating_type: RatingType | None
    date: str | None
    channel: str | None
    stage_label: str | None
    columns: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredFeedback:
    """A row read back from the store."""

    feedback_id: str
    source: str
    file_name: str
    row: int
    external_id: str | None
    text: str
    rating: float | None
    rating_type: RatingType | None
    date: str | None
    channel: str | None
    stage_label: str | None
    columns: dict[str, Any]


class Reject(BaseModel):
    """A row that was not stored, and why."""

    row: int
    reason: str


class FileReport(BaseModel):
    """What happened to one file: the counts always add up to rows_read."""

    path: str
    dataset: str = ""
    """The dataset (source) the file's rows belong to: the file's name unless one was given."""
    format: str = ""
    encoding: str | None = None
    columns: dict[str, str | None] = Field(default_factory=dict)
    rows_read: int = 0
    rows_stored: int = 0
    rows_duplicate: int = 0
    rows_rejected: int = 0
    rejects: list[Reject] = Field(default_factory=list)
    unchanged: bool = False
    """True when this exact file was already ingested into this source and nothing was re-read."""

    def add_reject(self, row: int, reason: str) -> None:
        self.rows_rejected += 1
        self.rejects.append(Reject(row=row, reason=reason))

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.rows_stored + self.rows_duplicate + self.rows_rejected


class Totals(BaseModel):
    rows_read: int = 0
    rows_stored: int = 0
    rows_duplicate: int = 0
    rows_rejected: int = 0


class IngestReport(BaseModel):
    """The `journey ingest --json` document."""

    files: list[FileReport] = Field(default_factory=list)
    totals: Totals = Field(default_factory=Totals)

    def add(self, report: FileReport) -> None:
        self.files.append(report)
        self.totals.rows_read += report.rows_read
        self.totals.rows_stored += report.rows_stored
        self.totals.rows_duplicate += report.rows_duplicate
        self.totals.rows_rejected += report.rows_rejected


class IngestOptions(BaseModel):
    """Column mapping overrides and the source name; anything unset is detected."""

    source: str | None = None
    text_column: str | None = None
    rating_column: str | None = None
    rating_type: RatingType | None = None
    date_column: str | None = None
    id_column: str | None = None
    stage_column: str | None = None
    channel_column: str | None = None
    sheet: str | None = None
