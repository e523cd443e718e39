"""The offline demo: find the bundled sample map and write every export of it into a folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.domain import JourneyMap
from assistant.errors import ConfigError
from assistant.exports import FORMATS, SUFFIXES, Format, export_map

SAMPLE_MAP = "loan-application-ko.json"


def default_maps_dir() -> Path:
    """The sample maps that ship with the product."""
    from assistant.resources import sample_maps_dir

    return sample_maps_dir()


def sample_map_path(maps_dir: Path | None = None) -> Path:
    """The Korean loan sample, else the first sample map in the folder; ConfigError when there is none."""
    folder = maps_dir or default_maps_dir()
    preferred = folder / SAMPLE_MAP
    if preferred.is_file():
        return preferred
    others = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not others:
        raise ConfigError(f"No sample map found: {folder} holds no *.json map; pass one with --map.")
    return others[0]


@dataclass(frozen=True)
class WrittenExport:
    """One file the demo wrote."""

    format: Format
    path: Path
    size: int


def write_all_exports(journey: JourneyMap, out_dir: Path, stem: str) -> list[WrittenExport]:
    """Write the map in every format as `out_dir/stem.<suffix>`; returns what was written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in FORMATS:
        data = export_map(journey, fmt)
        path = out_dir / f"{stem}{SUFFIXES[fmt]}"
        path.write_bytes(data)
        written.append(WrittenExport(fmt, path, len(data)))
    return written
