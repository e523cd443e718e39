"""Neutralise user text for the formats that would otherwise execute or misread it.

Every exporter takes user and feedback text through this one module, so the rules live in one place:

* Spreadsheets (CSV, XLSX): a cell that begins with a formula trigger (``= + - @``, tab, CR) is
  prefixed with an apostrophe, as OWASP advises against CSV injection. Text that genuinely begins
  with an apostrophe gets one more, so ``unquote_cell`` can reverse the rule exactly and a CSV round
  trip stays lossless.
* HTML: everything goes through ``html.escape``.
* Markdown: HTML and the characters that create links, emphasis or table cells are escaped.
* Mermaid: journey diagrams have no quoting. Their lexer stops a task name at ``:``, ``;``, ``#`` and a
  line break, splits actors at ``,``, treats ``%%{...}%%`` anywhere as a configuration directive, and
  sanitises tag-like text away.
  Mermaid decodes entity codes such as ``#58;`` (checked in the real renderer, Mermaid 11), so those
  characters are written as codes and the diagram shows the original text.
"""

from __future__ import annotations

import html
import re

ELLIPSIS = "…"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_LIMIT = 32_767

# openpyxl refuses these control characters; they cannot be stored in an XLSX cell at all.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HTML_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Angle brackets and ampersands are coded too: Mermaid's HTML sanitiser would otherwise drop text that
# looks like a tag from section names, and named entities such as "&lt;" contain a ";".
_MERMAID_CODES = {"#": "#35;", ":": "#58;", ";": "#59;", "%": "#37;", "<": "#60;", ">": "#62;", "&": "#38;"}
_MERMAID_ACTOR_CODES = {**_MERMAID_CODES, ",": "#44;"}
_MERMAID_SPECIAL = re.compile(r"[#:;<>&]|%(?=%)")
_MERMAID_ACTOR_SPECIAL = re.compile(r"[#:;<>&,]|%(?=%)")
# Words the journey lexer reads as keywords at the start of a line, whatever follows.
_MERMAID_KEYWORDS = ("journey", "title", "section", "acc")


def truncate(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters, ending with an ellipsis when something was cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS


def one_line(text: str) -> str:
    """Collapse every run of whitespace (line breaks included) into one space."""
    return " ".join(text.split())


# -- spreadsheets -------------------------------------------------------------------------------------


def quote_cell(text: str) -> str:
    """Make text safe as a spreadsheet cell: no formula trigger at the start (reversible)."""
    if text.startswith((*FORMULA_TRIGGERS, "'")):
        return "'" + text
    return text


def unquote_cell(text: str) -> str:
    """Undo `quote_cell`: drop exactly one leading apostrophe."""
    return text[1:] if text.startswith("'") else text


def xlsx_cell(text: str) -> str:
    """Quote a cell for XLSX, dropping characters XLSX cannot hold and bounding it to the cell limit."""
    return truncate(quote_cell(_XLSX_ILLEGAL.sub("", text)), XLSX_CELL_LIMIT)


# -- HTML and Markdown ----------------------------------------------------------------------------------


def html_text(text: str, limit: int | None = None) -> str:
    """Escape text for HTML element content or an attribute value, optionally truncated first.

    Control characters other than line breaks and tabs are dropped: HTML does not allow them.
    """
    clean = _HTML_CONTROL.sub("", text)
    return html.escape(truncate(clean, limit) if limit else clean, quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_text(text: str) -> str:
    """Escape text for inline Markdown: no raw HTML, links, emphasis or table breaks; line breaks as <br>."""
    escaped = html.escape(text, quote=False)
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped)
    return "<br>".join(line.strip() for line in escaped.splitlines()) if "\n" in escaped else escaped


# -- Mermaid ----------------------------------------------------------------------------------------------


def _mermaid(text: str, limit: int, pattern: re.Pattern[str], codes: dict[str, str]) -> str:
    cut = truncate(_CONTROL.sub("", one_line(text)), limit) or ELLIPSIS
    return pattern.sub(lambda m: codes[m.group(0)], cut)


def mermaid_label(text: str, limit: int = 80) -> str:
    """A title, section name or task name that the journey grammar reads as plain text."""
    label = _mermaid(text, limit, _MERMAID_SPECIAL, _MERMAID_CODES)
    if label.casefold().startswith(_MERMAID_KEYWORDS):
        # "Title of the form: ..." at the start of a task line would silently become the diagram title.
        label = f"#{ord(label[0])};{label[1:]}"
    return label


def mermaid_actor(text: str, limit: int = 40) -> str:
    """An actor name: like a label, and a comma must not split it into two actors."""
    return _mermaid(text, limit, _MERMAID_ACTOR_SPECIAL, _MERMAID_ACTOR_CODES)
