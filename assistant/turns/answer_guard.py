"""The last check on an answer before anyone sees it: nothing in it follows an instruction from the data.

Grounding (grounding.py) asks whether the answer's numbers and quotes are true; this asks whether the
answer does something the data told it to. It knows no attack wording; it removes what an answer of this
product never needs unless the user gave it:

- links (with a scheme, `www.`, or a host name and a path), markdown link targets, images and
  reference definitions, unless the link is in the user's own message (or in the app's own content);
  a link's text stays, as plain text;
- file-system paths (cut to their last part, a file's name), unless in the user's message;
- HTML: comments are removed, tags are removed (their text stays);
- identifiers the answer did not get from the tools or the user: a code-like token (letters and digits, or
  capitals joined by hyphens) stated outside a quote that is neither one of the tools' own short values
  (ids, stage names, dates) nor in the user's message. A code decoded, joined or made up on the data's
  say-so is in no tool value, so it goes too;
- sentences that repeat the assistant's own instructions (eight words in a row shared with any prompt
  template): the instructions are never shown, whatever asks for them.

Quotes are shown as quotes, never obeyed: a customer's words inside “…” that are verbatim in the turn's
data stay as they are, except that a quote is cut before any link, path, HTML or code-like token it holds
("…" marks the cut, and the rest still reads as a verbatim prefix): links would be live in the chat, and
a code inside a customer's text (an order number, or a planted marker) says nothing about the journey.

Pure: text in, text and a list of what was removed out. Called where the final answer is produced
(conversation.py), for every mode.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant.domain.strings import strings
from assistant.turns.tool_guard import _URL as _LINKISH
from assistant.turns.tool_guard import links, paths

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_AUTOLINK = re.compile(r"<((?:[A-Za-z][A-Za-z0-9+.-]{1,15}:|www\.)[^<>\s]*)>")
_MD_LINK = re.compile(
    r"(!?)\[([^\]\n]*)\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
_REF_DEF = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*(\S+).*$\n?", re.MULTILINE)
_QUOTE = re.compile(r"“([^”\n]*)”")
_CODE = re.compile(
    r"(?<![\w-])(?:(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*"
    r"|[A-Z]{2,}(?:[-_][A-Z0-9]+)+)(?![\w-])"
)
MIN_CODE = 6
LONG = 40
"""A data string this long with a space in it is a sentence (a customer's, a note's); shorter ones are
labels, names, ids and dates the tools computed or the schema holds."""

REMOVED = {"en": "(link removed)", "ko": "(링크 삭제)"}


@dataclass
class Guarded:
    text: str
    removed: list[str] = field(default_factory=list)
    """What was taken out, one line each (logged, and kept with the answer)."""


def _squash(text: str) -> str:
    return " ".join(text.split())


@dataclass
class _Data:
    sentences: list[str]
    labels: set[str]

    @classmethod
    def of(cls, results: Iterable[Any], written: Iterable[Any] = ()) -> _Data:
        """The turn's data: its long strings are sentences; its short ones labels, except the strings the
        model wrote itself (a persona's name is not the data's label because the model copied it)."""
        own = {s for value in written for s in strings(value)}
        sentences, labels = [], set()
        for value in results:
            for s in strings(value):
                if len(s) >= LONG and " " in s.strip():
                    sentences.append(_squash(s))
                elif s not in own:
                    labels.add(s)
        return cls(sentences, labels)

    def verbatim(self, quote: str) -> bool:
        q = _squash(quote.rstrip("…").rstrip("."))
        return len(q) >= 8 and any(q in s for s in self.sentences)

    def is_label(self, token: str) -> bool:
        """The token is (part of) a short value the tools returned: an id, a stage name, a date."""
        return any(token in label for label in self.labels)


def _allowed(link: str, user_text: str, own: Iterable[str]) -> bool:
    link = link.rstrip(".,;:!?")
    return bool(link) and (link in user_text or any(link == o or link in o for o in own))


def _cut_quotes(text: str, out: list[str], user_text: str = "") -> str:
    """A quote that holds a link, a path, HTML or a code the user did not write is shown up to it."""

    def cut(m: re.Match[str]) -> str:
        body = m.group(1)
        spots = [body.find(x) for x in (*links(body), *paths(body))]
        spots += [
            c.start()
            for c in _CODE.finditer(body)
            if len(c.group(0)) >= MIN_CODE and c.group(0) not in user_text
        ]
        spots += [
            h.start() for h in (*_COMMENT.finditer(body), *_TAG.finditer(body), *_MD_LINK.finditer(body))
        ]
        spots += [a.start() for a in _AUTOLINK.finditer(body)]
        spots = [s for s in spots if s >= 0]
        if not spots:
            return m.group(0)
        kept = body[: min(spots)].rstrip(" ([<")
        out.append("a quote cut before the link, path, markup or code it holds")
        return f"“{kept}…”" if kept else "“…”"

    return _QUOTE.sub(cut, text)


def guard_answer(
    text: str,
    user_text: str = "",
    results: Iterable[Any] = (),
    language: str = "en",
    own_links: Iterable[str] = (),
    written: Iterable[Any] = (),
) -> Guarded:
    """The answer with everything the data could have planted in it removed (see the module's notes)."""
    own = list(own_links)
    out: list[str] = []
    gone = REMOVED.get(language, REMOVED["en"])
    text = _cut_quotes(text, out, user_text)

    if _COMMENT.search(text):
        out.append("an HTML comment")
        text = _COMMENT.sub("", text)

    def md_link(m: re.Match[str]) -> str:
        image, label, target = m.group(1), m.group(2), m.group(3)
        if image:
            out.append(f"an image ({target[:60]})")
            return ""
        if _allowed(target, user_text, own):
            return m.group(0)
        out.append(f"a link target ({target[:60]})")
        return label

    text = _MD_LINK.sub(md_link, text)

    def ref_def(m: re.Match[str]) -> str:
        if _allowed(m.group(1), user_text, own):
            return m.group(0)
        out.append(f"a link definition ({m.group(1)[:60]})")
        return ""

    text = _REF_DEF.sub(ref_def, text)

    def autolink(m: re.Match[str]) -> str:
        if _allowed(m.group(1), user_text, own):
            return m.group(0)
        out.append(f"a link ({m.group(1)[:60]})")
        return gone

    text = _AUTOLINK.sub(autolink, text)
    if _TAG.search(text):
        out.append("HTML tags")
        text = _TAG.sub("", text)
    for link in sorted(set(links(text)), key=len, reverse=True):
        if not _allowed(link, user_text, own):
            out.append(f"a link ({link[:60]})")
            text = text.replace(link, gone)
    for path in sorted(set(paths(text)), key=len, reverse=True):
        if path not in user_text:
            out.append("a file path")
            text = text.replace(path, re.split(r"[\\/]", path.rstrip("\\/"))[-1])
    text = _without_copied_codes(text, user_text, _Data.of(results, written), out)
    text = _without_instructions_text(text, out)
    return Guarded(text=text, removed=out)


def without_foreign_links(value: Any, user_text: str, results: Iterable[Any] = ()) -> tuple[Any, list[str]]:
    """JSON-like content a model wrote (a persona, a map's fields) with every link, markup and path the user
    did not give, and every code copied from the customers' sentences in `results`, taken out of its
    strings; and what was taken out."""
    out: list[str] = []
    data = _Data.of(results)

    def clean(text: str) -> str:
        cleaned = text
        if links(text) or paths(text) or _TAG.search(text) or _COMMENT.search(text):
            kept = guard_answer(text, user_text, language="en")
            out.extend(kept.removed)
            cleaned = " ".join(kept.text.replace(REMOVED["en"], " ").split())
        cleaned = _without_copied_codes(cleaned, user_text, data, out)
        return cleaned if cleaned.strip() or not text.strip() else "…"

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return clean(v)
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return walk(value), out


_MARKDOWN = re.compile(r"([\\`*_\[\]<>()#!|~])")


def inert_markdown(text: str) -> str:
    """Text from the data (a customer's words, a label, a column name) for a markdown message: it shows
    as written and never becomes a link, an image, a heading or HTML. Links are shown defanged
    (`https[:]//host[.]com`), since a chat's markdown turns any address into a link by its shape."""
    marks = {"://": "\x01", ".": "\x02", "@": "\x03"}

    def defang(m: re.Match[str]) -> str:
        link = m.group(0)
        for k, v in marks.items():
            link = link.replace(k, v)
        return link

    text = " ".join(text.translate(dict.fromkeys(range(1, 4))).split())
    text = _LINKISH.sub(defang, text)
    text = _MARKDOWN.sub(r"\\\1", text)
    return (
        text.replace(marks["://"], "\\[:\\]//").replace(marks["."], "\\[.\\]").replace(marks["@"], "\\[@\\]")
    )


def _without_copied_codes(text: str, user_text: str, data: _Data, out: list[str]) -> str:
    if not data.sentences:
        return text
    quoted = [(m.start(), m.end()) for m in _QUOTE.finditer(text) if data.verbatim(m.group(1))]
    pieces: list[str] = []
    last = 0
    for m in _CODE.finditer(text):
        token = m.group(0)
        if len(token) < MIN_CODE or token in user_text or any(a <= m.start() < b for a, b in quoted):
            continue
        if not data.is_label(token):
            out.append(f"an identifier not from the tools ({token[:40]})")
            pieces.append(text[last : m.start()])
            last = m.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    joined = "".join(pieces)
    # Tidy what the cut left: doubled spaces, a space before punctuation, an empty first line.
    joined = re.sub(r"[ \t]{2,}", " ", joined)
    joined = re.sub(r"[ \t]+([.,;:!?])", r"\1", joined)
    return re.sub(r"\A[\s.,;:!?-]+", "", joined)


RUN = 8
"""Words in a row shared with a prompt template that make a sentence a copy of the instructions: long
enough that ordinary analyst phrases ("the share of negative feedback in this stage") do not match."""


@lru_cache(maxsize=1)
def _instruction_runs() -> frozenset[tuple[str, ...]]:
    """Every run of RUN words in the prompt templates (placeholders left out), read once when first needed."""
    from assistant.prompts import PROMPTS_DIR

    runs: set[tuple[str, ...]] = set()
    for path in sorted(PROMPTS_DIR.glob("*.md")):
        words = _words(re.sub(r"\{[^{}]*\}", " ", path.read_text(encoding="utf-8")))
        runs.update(tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1))
    return frozenset(runs)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _without_instructions_text(text: str, out: list[str]) -> str:
    """Remove every sentence holding a word of a run shared with the templates. Runs are found over the
    whole answer, so a copy spread over short lines (a numbered list, a wrapped paragraph) is found too."""
    runs = _instruction_runs()
    tokens = [(m.start(), m.group(0).casefold()) for m in re.finditer(r"\w+", text)]
    words = [w for _, w in tokens]
    marked: set[int] = set()
    for i in range(len(words) - RUN + 1):
        if tuple(words[i : i + RUN]) in runs:
            marked.update(tokens[j][0] for j in range(i, i + RUN))
    if not marked:
        return text
    out.append("text repeating the assistant's instructions")
    kept: list[str] = []
    offset = 0
    for line in text.split("\n"):
        clean, start = [], offset
        for piece in re.split(r"(?<=[.!?。])(\s+)", line):
            if not any(start <= m < start + len(piece) for m in marked):
                clean.append(piece)
            start += len(piece)
        offset += len(line) + 1
        joined = "".join(clean).strip()
        if joined or not line.strip():
            kept.append(joined)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
