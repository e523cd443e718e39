"""Baseline: the workspace database as the product made it before Alembic (round 3).

A database made by that code has these tables already: it is stamped with this revision, not upgraded
through it (assistant/storage/upgrade.py). The types are frozen here, as they were, so a later change
to schema.py needs a revision of its own.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-07 04:40:10.210608
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from assistant.storage.schema import utc_now_text

TEXT: sa.types.TypeEngine[Any] = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")
INTEGER: sa.types.TypeEngine[Any] = sa.Integer().with_variant(postgresql.BIGINT(), "postgresql")
REAL: sa.types.TypeEngine[Any] = sa.REAL().with_variant(postgresql.DOUBLE_PRECISION(), "postgresql")


revision: str = "0001_baseline"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DROP TABLE IF EXISTS row_sentiment")  # an earlier version's sentiment cache
    op.create_table(
        "conversation_threads",
        sa.Column("thread_id", TEXT, nullable=False),
        sa.Column("state", TEXT, nullable=False),
        sa.Column("updated_at", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("thread_id"),
    )
    op.create_table(
        "feedback",
        sa.Column("feedback_id", TEXT, nullable=False),
        sa.Column("source", TEXT, nullable=False),
        sa.Column("file_name", TEXT, nullable=False),
        sa.Column("row", INTEGER, nullable=False),
        sa.Column("external_id", TEXT, nullable=True),
        sa.Column("text", TEXT, nullable=False),
        sa.Column("rating", REAL, nullable=True),
        sa.Column("rating_type", TEXT, nullable=True),
        sa.Column("date", TEXT, nullable=True),
        sa.Column("channel", TEXT, nullable=True),
        sa.Column("stage_label", TEXT, nullable=True),
        sa.Column("columns", TEXT, nullable=False),
        sa.Column("ingest_run", INTEGER, server_default=sa.text("0"), nullable=False),
        sa.Column("ingested_at", TEXT, server_default=utc_now_text(), nullable=False),
        sa.PrimaryKeyConstraint("feedback_id"),
        sqlite_with_rowid=False,
    )
    op.create_index("feedback_date", "feedback", ["date"], unique=False)
    op.create_index("feedback_source", "feedback", ["source"], unique=False)

    op.create_table(
        "index_marks",
        sa.Column("collection", TEXT, nullable=False),
        sa.Column("feedback_id", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("collection", "feedback_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ingest_runs",
        sa.Column("run", INTEGER, sa.Identity(always=False), autoincrement=True, nullable=False),
        sa.Column("source", TEXT, nullable=False),
        sa.Column("file_name", TEXT, nullable=False),
        sa.Column("started_at", TEXT, server_default=utc_now_text(), nullable=False),
        sa.PrimaryKeyConstraint("run"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "ingested_files",
        sa.Column("source", TEXT, nullable=False),
        sa.Column("sha256", TEXT, nullable=False),
        sa.Column("options", TEXT, nullable=False),
        sa.Column("report", TEXT, nullable=False),
        sa.Column("finished_at", TEXT, server_default=utc_now_text(), nullable=False),
        sa.PrimaryKeyConstraint("source", "sha256", "options"),
    )
    op.create_table(
        "map_versions",
        sa.Column("name_key", TEXT, nullable=False),
        sa.Column("version", INTEGER, autoincrement=False, nullable=False),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("author", TEXT, nullable=False),
        sa.Column("reason", TEXT, nullable=False),
        sa.Column("created_at", TEXT, nullable=False),
        sa.Column("undo_to", INTEGER, nullable=True),
        sa.Column("map_json", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("name_key", "version"),
    )
    op.create_table(
        "row_stage",
        sa.Column("map_key", TEXT, nullable=False),
        sa.Column("feedback_id", TEXT, nullable=False),
        sa.Column("stage", INTEGER, nullable=False),
        sa.Column("confidence", REAL, nullable=False),
        sa.Column("method", TEXT, nullable=False),
        sa.Column("label", INTEGER, nullable=False),
        sa.Column("source", TEXT, nullable=False),
        sa.Column("date", TEXT, nullable=True),
        sa.Column("rating", REAL, nullable=True),
        sa.Column("rating_type", TEXT, nullable=True),
        sa.PrimaryKeyConstraint("map_key", "feedback_id"),
        sqlite_with_rowid=False,
    )
    op.create_index("row_stage_by_stage", "row_stage", ["map_key", "stage", "feedback_id"], unique=False)

    op.create_table(
        "row_vectors",
        sa.Column("model", TEXT, nullable=False),
        sa.Column("feedback_id", TEXT, nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),  # float16 little-endian, L2-normalised
        sa.PrimaryKeyConstraint("model", "feedback_id"),
    )
    op.create_table(
        "segment_summary",
        sa.Column("map_key", TEXT, nullable=False),
        sa.Column("segment", TEXT, nullable=False),
        sa.Column("source", TEXT, nullable=False),
        sa.Column("date", TEXT, nullable=True),
        sa.Column("stage", INTEGER, nullable=False),
        sa.Column("value", TEXT, nullable=False),
        sa.Column("n", INTEGER, nullable=False),
        sa.Column("negative", INTEGER, nullable=False),
        sa.Column("neutral", INTEGER, nullable=False),
        sa.Column("positive", INTEGER, nullable=False),
        sa.Column("nps_n", INTEGER, nullable=False),
        sa.Column("nps_promoters", INTEGER, nullable=False),
        sa.Column("nps_detractors", INTEGER, nullable=False),
        sa.Column("csat_n", INTEGER, nullable=False),
        sa.Column("csat_satisfied", INTEGER, nullable=False),
        sa.Column("csat_sum", REAL, nullable=False),
        sa.Column("csat_sumsq", REAL, nullable=False),
        sa.Column("ces_n", INTEGER, nullable=False),
        sa.Column("ces_easy", INTEGER, nullable=False),
        sa.Column("ces_sum", REAL, nullable=False),
        sa.Column("ces_sumsq", REAL, nullable=False),
    )
    op.create_index("segment_summary_by_map", "segment_summary", ["map_key", "segment"], unique=False)

    op.create_table(
        "segment_summary_state",
        sa.Column("map_key", TEXT, nullable=False),
        sa.Column("segment", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("map_key", "segment"),
    )
    op.create_table(
        "sentiment_corrections",
        sa.Column("feedback_id", TEXT, nullable=False),
        sa.Column("label", INTEGER, nullable=False),
        sa.Column("created_at", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("feedback_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "sentiment_labels",
        sa.Column("labeller", TEXT, nullable=False),
        sa.Column("feedback_id", TEXT, nullable=False),
        sa.Column("label", INTEGER, nullable=False),
        sa.Column("score", REAL, nullable=False),
        sa.Column("method", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("labeller", "feedback_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "stage_corrections",
        sa.Column("map_id", TEXT, nullable=False),
        sa.Column("feedback_id", TEXT, nullable=False),
        sa.Column("stage", TEXT, nullable=False),
        sa.Column("created_at", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("map_id", "feedback_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "stage_summary",
        sa.Column("map_key", TEXT, nullable=False),
        sa.Column("source", TEXT, nullable=False),
        sa.Column("date", TEXT, nullable=True),
        sa.Column("stage", INTEGER, nullable=False),
        sa.Column("bucket", INTEGER, nullable=False),
        sa.Column("n", INTEGER, nullable=False),
        sa.Column("negative", INTEGER, nullable=False),
        sa.Column("neutral", INTEGER, nullable=False),
        sa.Column("positive", INTEGER, nullable=False),
        sa.Column("nps_n", INTEGER, nullable=False),
        sa.Column("nps_promoters", INTEGER, nullable=False),
        sa.Column("nps_detractors", INTEGER, nullable=False),
        sa.Column("csat_n", INTEGER, nullable=False),
        sa.Column("csat_satisfied", INTEGER, nullable=False),
        sa.Column("csat_sum", REAL, nullable=False),
        sa.Column("csat_sumsq", REAL, nullable=False),
        sa.Column("ces_n", INTEGER, nullable=False),
        sa.Column("ces_easy", INTEGER, nullable=False),
        sa.Column("ces_sum", REAL, nullable=False),
        sa.Column("ces_sumsq", REAL, nullable=False),
    )
    op.create_index("stage_summary_by_map", "stage_summary", ["map_key"], unique=False)

    op.create_table(
        "stage_summary_state",
        sa.Column("map_key", TEXT, nullable=False),
        sa.Column("labelled_rows", INTEGER, nullable=False),
        sa.PrimaryKeyConstraint("map_key"),
    )
    op.create_table(
        "store_meta",
        sa.Column("key", TEXT, nullable=False),
        sa.Column("value", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("store_meta")
    op.drop_table("stage_summary_state")
    op.drop_index("stage_summary_by_map", table_name="stage_summary")

    op.drop_table("stage_summary")
    op.drop_table("stage_corrections")
    op.drop_table("sentiment_labels")
    op.drop_table("sentiment_corrections")
    op.drop_table("segment_summary_state")
    op.drop_index("segment_summary_by_map", table_name="segment_summary")

    op.drop_table("segment_summary")
    op.drop_table("row_vectors")
    op.drop_index("row_stage_by_stage", table_name="row_stage")

    op.drop_table("row_stage")
    op.drop_table("map_versions")
    op.drop_table("ingested_files")
    op.drop_table("ingest_runs")
    op.drop_table("index_marks")
    op.drop_index("feedback_source", table_name="feedback")
    op.drop_index("feedback_date", table_name="feedback")

    op.drop_table("feedback")
    op.drop_table("conversation_threads")
