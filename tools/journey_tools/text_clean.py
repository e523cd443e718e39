"""What the analysis reads of a feedback text: the customer's words, without addressing marks and
redaction, and split into sentences.

Social posts start with the company's handle (`@SkyHopAir`), carry links, retweet marks and hashtags;
complaint exports replace personal details with `XXXX`, `XX/XX/2020` and `{$120.00}`. None of that says
which stage the customer is complaining about, and handles are in every row of a brand, so a stage
assigner or a theme finder that reads them learns the brand, not the problem. The hashtag's word is
kept (`#lostbag` is a customer's word); a hashtag that is a handle's name is dropped with the handle.

Names of companies are found from the text itself, not from a list: handles, the words a handle
starts with (`southwest` of `@SouthwestAir`), and words written with a capital letter in nearly every
occurrence that does not start a sentence (`Equifax`, `Ocwen`): see `name_terms`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@(\w{2,})")
_RETWEET = re.compile(r"(?<!\w)RT\b:?")
_REDACTED = re.compile(r"\{\$[\d,.]+\}|\$ ?X{2,}|\b(?:X{2}/){1,2}(?:X{2,4}|\d{2,4})\b|\bX{2,}\b")
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_SPACE = re.compile(r"[ \t]+")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n+|(?<=[다요죠음함])[.!?]?\s+(?=[가-힣A-Z])")


def handles(text: str) -> list[str]:
    """The @handles of a text, lower-cased, without the @."""
    return [h.casefold() for h in _HANDLE.findall(text)]


def clean_text(text: str, drop: frozenset[str] = frozenset()) -> str:
    """The text without links, handles, retweet marks and redaction marks; hashtags lose their '#'
    unless the tag is a handle's name or in `drop` (then the whole tag goes)."""
    own = {h.casefold() for h in _HANDLE.findall(text)} | drop
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    text = _RETWEET.sub(" ", text)
    text = _REDACTED.sub(" ", text)
    text = _HASHTAG.sub(lambda m: " " if m.group(1).casefold() in own else m.group(1), text)
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def sentences(text: str, min_chars: int = 30) -> list[str]:
    """The cleaned text's sentences, short ones joined to the next so that each carries a statement."""
    parts = [p.strip() for p in _SENTENCE_END.split(clean_text(text)) if p and p.strip()]
    out: list[str] = []
    buffer = ""
    for part in parts:
        buffer = f"{buffer} {part}".strip()
        if len(buffer) >= min_chars:
            out.append(buffer)
            buffer = ""
    if buffer:
        if out:
            out[-1] = f"{out[-1]} {buffer}"
        else:
            out.append(buffer)
    return out


_WORD = re.compile(r"[A-Za-z][A-Za-z'&-]+")
_START = re.compile(r"(?:^|[.!?:;\n]\s*|[\"“(]\s*)$")


def name_terms(texts: Iterable[str], min_count: int = 3, capital_share: float = 0.9) -> frozenset[str]:
    """Lower-cased words that name a company or a person in these texts, found from how they are written:

    - every handle, and each word of at least four letters a handle starts with (`united` for
      `@united`, `southwest` for `@SouthwestAir`), when that word occurs in the texts;
    - words seen at least `min_count` times away from a sentence start and written with a capital
      letter in at least `capital_share` of those (a proper noun: `Equifax`, `Ocwen`, `Navient`).
      Words in capitals only (`ATM`, `APR`, shouting) are not counted as capitalised.
    """
    handle_names: set[str] = set()
    capital: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    words_seen: set[str] = set()
    for text in texts:
        handle_names.update(handles(text))
        body = _HANDLE.sub(" ", _URL.sub(" ", text))
        for m in _WORD.finditer(body):
            word = m.group(0)
            key = word.casefold().strip("'-")
            words_seen.add(key)
            if _START.search(body[: m.start()]) or word.isupper():
                continue
            seen[key] += 1
            if word[0].isupper():
                capital[key] += 1
    names = set(handle_names)
    for handle in handle_names:
        names.update(
            w for w in words_seen if len(w) >= 4 and handle.startswith(w) and len(w) >= len(handle) // 2
        )
    names.update(w for w, n in seen.items() if n >= min_count and capital[w] >= capital_share * n)
    return frozenset(names)


def strip_names(words: Sequence[str], names: frozenset[str]) -> list[str]:
    """`words` without the ones in `names`."""
    return [w for w in words if w.casefold() not in names]


def text_for_embedding(text: str) -> str:
    """What a feedback row's vector is made from: the cleaned text, or the text itself when nothing is
    left (a post that is only a handle and a link still gets a vector)."""
    return " ".join(clean_text(text).split()) or text
