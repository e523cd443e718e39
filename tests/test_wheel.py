"""The product works when installed: build the wheel, install it into a fresh venv outside the repository,
and run `journey demo` and `journey search` from a folder that is not the checkout.

The locked dependencies come from uv's cache (offline; online only if the cache lacks something), so the
install takes seconds. JOURNEY_EMBEDDING=hashing keeps the run fast; the resource lookups under test
(prompts, notes, sample maps and feedback, schemas, tools/resources) are the same for every embedder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALL_BUDGET_S = 60.0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv (the project's package manager)"),
]


def uv(*args: str | Path, cwd: Path = ROOT, offline_first: bool = False) -> subprocess.CompletedProcess[str]:
    """Run uv; with `offline_first`, try the cache alone and go online only when it lacks something."""
    command = ["uv", *[str(a) for a in args]]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")}
    if offline_first:
        done = subprocess.run([*command, "--offline"], cwd=cwd, env=env, capture_output=True, text=True)
        if done.returncode == 0:
            return done
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    uv("build", "--wheel", "--out-dir", dist, offline_first=True)
    (built,) = dist.glob("journey_assistant-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A venv outside the repository with the locked runtime dependencies and the wheel (no editable
    install, no path back to the checkout); returns its `journey` and the seconds the install took."""
    place = tmp_path_factory.mktemp("installed")
    assert ROOT not in place.parents
    requirements = place / "requirements.txt"
    started = time.perf_counter()
    exported = uv("export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project")
    requirements.write_text(exported.stdout, encoding="utf-8")
    venv = place / "venv"
    uv("venv", "--quiet", venv, "--python", sys.executable, cwd=place)
    python = venv / "bin" / "python"
    uv("pip", "install", "--quiet", "--python", python, "-r", requirements, cwd=place, offline_first=True)
    uv("pip", "install", "--quiet", "--python", python, "--no-deps", wheel, cwd=place, offline_first=True)
    seconds = time.perf_counter() - started
    print(f"\nwheel install into a fresh venv: {seconds:.1f} s")
    return venv / "bin" / "journey", seconds


def run_installed(journey: Path, *args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "CHROMA_", "JOURNEY_", "VIRTUAL_ENV"))
    }
    env.pop("PYTHONPATH", None)  # nothing may point back into the checkout
    env.update(JOURNEY_HOME=str(home), JOURNEY_EMBEDDING="hashing", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [str(journey), *args], cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=600
    )


def test_wheel_ships_every_resource(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = "assistant/bundled/"
    expected_dirs = {
        f"{bundled}prompts/": ".md",
        f"{bundled}knowledge/methodology/": ".md",
        f"{bundled}knowledge/maps/": ".json",
        f"{bundled}knowledge/feedback/": ".csv",
        "journey_tools/resources/": ".json",
    }
    # Where each wheel folder comes from in the repository: the bundled links, and the pure analysis
    # package kept under tools/ but shipped as journey_tools.
    repo_folder = {"journey_tools/resources/": "tools/journey_tools/resources/"}
    for folder, suffix in expected_dirs.items():
        in_repo = {
            p.name
            for p in (ROOT / repo_folder.get(folder, folder.replace(bundled, ""))).iterdir()
            if p.suffix == suffix and not p.name.startswith(".")
        }
        assert in_repo, folder
        assert {
            n.removeprefix(folder) for n in names if n.startswith(folder) and n.endswith(suffix)
        } >= in_repo, folder
    assert "assistant/schemas/journey-map-1.0.schema.json" in names
    assert any(n.endswith("entry_points.txt") for n in names)
    # The links in assistant/bundled/ were followed: real files, not symlinks, are in the wheel.
    info = {i.filename: i for i in zipfile.ZipFile(wheel).infolist()}
    assert all((i.external_attr >> 16) & 0o170000 != 0o120000 for i in info.values())


def test_installed_package_runs_demo_and_search_outside_the_repo(
    installed: tuple[Path, float], tmp_path: Path
) -> None:
    journey, install_seconds = installed
    assert install_seconds < INSTALL_BUDGET_S, f"installing took {install_seconds:.0f} s"
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    home = tmp_path / "home"

    # The installed package is imported from the venv, never from the checkout.
    where = subprocess.run(
        [
            str(journey.parent / "python"),
            "-c",
            "import assistant, journey_tools, importlib.util; print(assistant.__file__, journey_tools.__file__);"
            " assert importlib.util.find_spec('tools') is None, 'the wheel installed a top-level tools'",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert where.returncode == 0, where.stderr
    assert str(ROOT) not in where.stdout and "site-packages" in where.stdout

    demo = run_installed(journey, "demo", "-o", "out", "--json", cwd=elsewhere, home=home)
    assert demo.returncode == 0, demo.stderr
    report = json.loads(demo.stdout)
    formats = {f["format"] for f in report["files"]}
    assert formats == {"json", "md", "csv", "xlsx", "mermaid", "html"}
    for f in report["files"]:
        path = elsewhere / f["path"] if not Path(f["path"]).is_absolute() else Path(f["path"])
        assert path.is_file() and path.stat().st_size == f["bytes"] > 0
    diagnosis = json.loads((elsewhere / "out" / "diagnosis.json").read_text(encoding="utf-8"))
    assert diagnosis["ranking"] and diagnosis["n"] > 100

    search = run_installed(journey, "search", "moments of truth", "--json", cwd=elsewhere, home=home)
    assert search.returncode == 0, search.stderr
    hits = json.loads(search.stdout)["hits"]
    assert hits, search.stdout
    assert any(h["metadata"].get("note_id", "").startswith("moments-of-truth") for h in hits), hits

    schema = run_installed(journey, "schema", cwd=elsewhere, home=home)
    assert schema.returncode == 0 and json.loads(schema.stdout)["title"]
