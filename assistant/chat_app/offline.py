"""The page must not wait on external hosts: an offline intranet gets a working UI in seconds.

Chainlit's index.html links Google Fonts (removed by `public/theme.json` with `"custom_fonts": []`) and
KaTeX's stylesheet from a CDN, plus preconnect hints. LaTeX rendering is off in `.chainlit/config.toml`,
so the KaTeX stylesheet is not needed: the HTML is rewritten without any link to another host.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>", re.IGNORECASE | re.DOTALL)
_EXTERNAL_META = re.compile(r"<meta\b[^>]*\bcontent=\"https?://[^\"]*\"[^>]*/?>", re.IGNORECASE | re.DOTALL)


def strip_external(html: str) -> str:
    """The page without stylesheet, font, preconnect or image-meta links to other hosts."""
    return _EXTERNAL_META.sub("", _EXTERNAL_LINK.sub("", html))


def offline_template(original: Callable[[str], str]) -> Callable[[str], str]:
    """Wrap Chainlit's `get_html_template(root_path)` so every page it serves is offline-safe."""

    def template(root_path: str) -> str:
        return strip_external(original(root_path))

    template.__wrapped__ = original  # type: ignore[attr-defined]
    return template
