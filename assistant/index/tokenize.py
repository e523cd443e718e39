"""BM25 tokens: kept as a name for `assistant/drafting/retrieve.py`; the tokeniser is
`tools.text.search_tokens` (Hangul runs as character pairs, other words lower-cased without question words).
"""

from __future__ import annotations

from tools.text import search_tokens as tokenize

__all__ = ["tokenize"]
