"""A local storage provider for Chainlit's data layer, so charts, maps and files come back after a restart.

Files live under JOURNEY_HOME/app/files, each named by the SHA-256 of its object key (no name a user
chose ever becomes a path), with a small JSON sidecar holding the media type and the file name. They are
served by one route with signed, expiring links, like a cloud bucket's presigned URLs: a link is valid
for STORAGE_EXPIRY_TIME seconds and only for the object it was made for. Nothing goes under `public/`.
Object keys are `user/element/name` as Chainlit makes them; the name is reduced to safe characters (a
name like `../../x;$(…).csv` becomes `x.csv`), so no link path or download name carries what was typed.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from chainlit.data.storage_clients.base import BaseStorageClient

ROUTE = "/journey-files"
# Media types a browser would run or render as a page are always downloaded, never shown inline.
ACTIVE_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml")
# Shown in the page (chart data the page fetches, pictures); everything else is a download.
INLINE_TYPES = ("application/json", "image/png", "image/jpeg", "image/gif", "image/webp")


def safe_name(name: str) -> str:
    """A file name of letters (any script), digits, dot, dash and underscore, without a folder, that does
    not start with a dot; "file" when nothing is left."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/")).rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^\w.-]+", "-", stem).strip(".-_")[:100]
    suffix = re.sub(r"[^\w]+", "", suffix)[:16]
    if not stem:
        return f"file.{suffix}" if suffix else "file"
    return f"{stem}.{suffix}" if suffix else stem


def safe_key(object_key: str) -> str:
    """Chainlit's `user/element/name` key with every part reduced to safe characters (a name with slashes
    in it stays one part)."""
    parts = object_key.replace("\\", "/").split("/")
    head, name = parts[:2], "/".join(parts[2:])
    cleaned = [safe_name(p) for p in head]
    if len(parts) > 2:
        cleaned.append(safe_name(name))
    return "/".join(cleaned)


class LocalStorageClient(BaseStorageClient):
    def __init__(self, root: Path, secret: bytes, expiry_seconds: int = 3600) -> None:
        self.root = root
        self._secret = secret
        self.expiry = expiry_seconds

    # --- where an object lives ------------------------------------------------------------------------

    def _paths(self, object_key: str) -> tuple[Path, Path]:
        digest = hashlib.sha256(object_key.encode("utf-8")).hexdigest()
        folder = self.root / digest[:2]
        return folder / f"{digest}.bin", folder / f"{digest}.json"

    def sign(self, object_key: str, expires: int) -> str:
        message = f"{object_key}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def url_for(self, object_key: str, now: float | None = None) -> str:
        expires = int((now or time.time()) + self.expiry)
        return f"{ROUTE}/{quote(object_key, safe='/')}?expires={expires}&signature={self.sign(object_key, expires)}"

    def verify(self, object_key: str, expires: int, signature: str, now: float | None = None) -> bool:
        if expires < (now or time.time()):
            return False
        return hmac.compare_digest(self.sign(object_key, expires), signature)

    def read(self, object_key: str) -> tuple[Path, dict[str, Any]] | None:
        data, meta = self._paths(object_key)
        if not data.is_file() or not meta.is_file():
            return None
        return data, json.loads(meta.read_text(encoding="utf-8"))

    # --- BaseStorageClient --------------------------------------------------------------------------

    def _write(self, object_key: str, data: bytes | str, mime: str) -> None:
        path, meta = self._paths(object_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(payload)
        tmp.replace(path)
        name = object_key.rsplit("/", 1)[-1]
        meta.write_text(
            json.dumps({"key": object_key, "mime": mime, "name": name, "size": len(payload)}),
            encoding="utf-8",
        )

    async def upload_file(
        self,
        object_key: str,
        data: bytes | str,
        mime: str = "application/octet-stream",
        overwrite: bool = True,
        content_disposition: str | None = None,
    ) -> dict[str, Any]:
        object_key = safe_key(object_key)
        path, _ = self._paths(object_key)
        if path.exists() and not overwrite:
            return {"object_key": object_key, "url": self.url_for(object_key)}
        await asyncio.to_thread(self._write, object_key, data, mime)
        return {"object_key": object_key, "url": self.url_for(object_key)}

    async def delete_file(self, object_key: str) -> bool:
        for path in self._paths(object_key):
            path.unlink(missing_ok=True)
        return True

    async def get_read_url(self, object_key: str) -> str:
        return self.url_for(object_key)

    async def close(self) -> None:
        return None


def serve_headers(meta: dict[str, Any]) -> dict[str, str]:
    """Headers for a stored file: the stored type, never sniffed, sandboxed; a download unless it is chart
    data or a picture."""
    mime = str(meta.get("mime") or "application/octet-stream")
    name = str(meta.get("name") or "file")
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=300",
        "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
    }
    kind = mime.split(";")[0].strip().lower()
    inline = kind in INLINE_TYPES and not kind.startswith(ACTIVE_TYPES)
    disposition = "inline" if inline else "attachment"
    headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(safe_name(name))}"
    return headers
