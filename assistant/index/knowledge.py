"""Methodology notes: Markdown files with front matter, split into `##` sections for the index.

A note looks like::

    ---
    id: moments-of-truth
    title: Moments of truth
    topic: measurement
    stage: purchase
    language: en
    tags: [trust, kpi]
    ---
    intro paragraph (optional)
    ## First heading
    body...

Each `##` section becomes one searchable passage with id `<note id>#<slug of heading>`; text before
the first heading becomes `<note id>#intro` when it is not empty.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED_KEYS = ("id", "title", "language")


def default_knowledge_dir() -> Path:
    """The methodology notes that ship with the product."""
    from assistant.resources import knowledge_dir

    return knowledge_dir()


def slugify(heading: str) -> str:
    """Lowercase, spaces to `-`, keep only letters (Korean included), digits and `-`."""
    out = []
    for ch in heading.strip().lower():
        if ch.isspace():
            out.append("-")
        elif ch.isalnum() or ch == "-":
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Section:
    """One `##` section of a methodology note, ready to embed."""

    id: str
    note_id: str
    title: str
    heading: str
    body: str
    path: str
    """File name of the note, e.g. `moments-of-truth.en.md`."""
    language: str
    topic: str = ""
    stage: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        """What is embedded and shown: the note title and heading give a short body its context."""
        head = self.title if not self.heading else f"{self.title} — {self.heading}"
        return f"{head}\n{self.body}".strip()

    @property
    def content_hash(self) -> str:
        meta = "|".join([self.text, self.path, self.language, self.topic, self.stage, ",".join(self.tags)])
        return hashlib.sha256(meta.encode("utf-8")).hexdigest()[:32]


@dataclass(slots=True)
class KnowledgeLoad:
    sections: list[Section] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """One sentence per file that was skipped, and why."""


def _parse_value(raw: str) -> str | list[str]:
    value = raw.strip()
    if value.startswith("[") and value.endswith("]"):
        return [_unquote(v) for v in value[1:-1].split(",") if v.strip()]
    return _unquote(value)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _split_front_matter(text: str) -> tuple[dict[str, str | list[str]], str]:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError("no front matter (the file must start with a '---' line)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ValueError("front matter is not closed by a '---' line") from None
    meta: dict[str, str | list[str]] = {}
    last_key: str | None = None
    for line in lines[1:end]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        stripped = line.strip()
        if stripped.startswith("- ") and last_key is not None:  # YAML block list item
            current = meta.get(last_key)
            items = current if isinstance(current, list) else []
            items.append(_unquote(stripped[2:]))
            meta[last_key] = items
            continue
        if ":" not in line:
            raise ValueError(f"front matter line is not 'key: value': {line.strip()!r}")
        key, _, raw = line.partition(":")
        last_key = key.strip()
        meta[last_key] = _parse_value(raw) if raw.strip() else []
    return meta, "\n".join(lines[end + 1 :])


def _as_str(value: str | list[str] | None) -> str:
    if value is None:
        return ""
    return ", ".join(value) if isinstance(value, list) else value


def parse_note(path: Path) -> list[Section]:
    """Sections of one note; raises ValueError with a readable reason when the note is malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    meta, body = _split_front_matter(text)
    missing = [k for k in REQUIRED_KEYS if not _as_str(meta.get(k)).strip()]
    if missing:
        raise ValueError(f"front matter lacks {', '.join(missing)}")
    note_id = _as_str(meta["id"]).strip()
    tags_value = meta.get("tags") or []
    tags = (
        tuple(tags_value) if isinstance(tags_value, list) else tuple(t.strip() for t in tags_value.split(","))
    )
    common = {
        "note_id": note_id,
        "title": _as_str(meta["title"]).strip(),
        "path": path.name,
        "language": _as_str(meta["language"]).strip(),
        "topic": _as_str(meta.get("topic")).strip(),
        "stage": _as_str(meta.get("stage")).strip(),
        "tags": tuple(t for t in tags if t),
    }
    chunks: list[tuple[str, list[str]]] = [("", [])]
    in_fence = False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            chunks.append((line[3:].strip(), []))
        else:
            chunks[-1][1].append(line)
    sections: list[Section] = []
    seen: dict[str, int] = {}
    for heading, body_lines in chunks:
        if not heading:  # a `# Title` line repeats the front matter title; it is not content
            body_lines = [line for line in body_lines if not line.startswith("# ")]
        content = "\n".join(body_lines).strip()
        if not heading and not content:
            continue
        slug = slugify(heading) if heading else "intro"
        seen[slug] = seen.get(slug, 0) + 1
        if seen[slug] > 1:  # two identical headings in one note still get distinct ids
            slug = f"{slug}-{seen[slug]}"
        sections.append(Section(id=f"{note_id}#{slug}", heading=heading, body=content, **common))  # type: ignore[arg-type]
    if not sections:
        raise ValueError("the note has no text")
    return sections


def read_knowledge(directory: Path | None = None) -> KnowledgeLoad:
    """Every section of every `*.md` note under `directory`; bad files are skipped and listed."""
    directory = directory or default_knowledge_dir()
    result = KnowledgeLoad()
    if not directory.is_dir():
        result.problems.append(f"{directory}: the knowledge folder does not exist")
        return result
    # A Korean and an English version of one note share its id; each language version is one note.
    owners: dict[tuple[str, str], str] = {}
    section_owner: dict[str, str] = {}
    for path in sorted(directory.rglob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            sections = parse_note(path)
        except (ValueError, OSError) as exc:
            result.problems.append(f"{path.name}: skipped, {exc}")
            continue
        key = (sections[0].note_id, sections[0].language)
        if key in owners:
            result.problems.append(
                f"{path.name}: skipped, note id {key[0]!r} ({key[1]}) is already used by {owners[key]}"
            )
            continue
        clash = next((s.id for s in sections if s.id in section_owner), None)
        if clash is not None:
            result.problems.append(
                f"{path.name}: skipped, section id {clash!r} is already used by {section_owner[clash]}"
            )
            continue
        owners[key] = path.name
        section_owner.update((s.id, path.name) for s in sections)
        result.sections.extend(sections)
    return result


def load_knowledge(directory: Path | None = None) -> list[Section]:
    """The sections of all well-formed notes (see `read_knowledge` for the skipped files)."""
    return read_knowledge(directory).sections
