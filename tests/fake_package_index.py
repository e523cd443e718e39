"""A package index on 127.0.0.1 serving small fake model-part wheels, for testing the model fetch for real.

It speaks PEP 691 JSON (or PEP 503 HTML), and can be told to tamper with a wheel, cut a download
halfway, or require a password, so every failure path of the fetch runs against real HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from assistant.llm.model_files import ModelSpec


def build_wheel(package: str, version: str, n: int, payload: bytes) -> bytes:
    """A minimal wheel holding `<pkg>/data/partNN.bin`, laid out like the real model-part wheels."""
    module = package.replace("-", "_")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{module}/__init__.py", "")
        archive.writestr(f"{module}/data/part{n:02d}.bin", payload)
        archive.writestr(f"{module}-{version}.dist-info/METADATA", f"Name: {package}\nVersion: {version}\n")
    return buffer.getvalue()


@dataclass
class FakeIndex:
    spec: ModelSpec
    payloads: list[bytes]
    wheels: dict[str, bytes] = field(default_factory=dict)  # filename -> bytes
    mode: str = "json"  # or "html"
    tamper: set[str] = field(default_factory=set)  # filenames served with one byte changed
    cut: set[str] = field(default_factory=set)  # filenames whose download stops halfway
    password: str | None = None
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def filename(self, n: int) -> str:
        return f"{self.spec.package(n).replace('-', '_')}-{self.spec.version}-py3-none-any.whl"

    def downloads(self) -> list[str]:
        return [r.rsplit("/", 1)[-1] for r in self.requests if r.startswith("/files/")]


def make_spec(payloads: list[bytes], *, sha256: str | None = None) -> ModelSpec:
    whole = b"".join(payloads)
    return ModelSpec(
        name="Fake model",
        filename="fake-model.gguf",
        package_pattern="fake-model-part{n}",
        version="1.0.0",
        parts=len(payloads),
        size=len(whole),
        sha256=sha256 or hashlib.sha256(whole).hexdigest(),
    )


def _handler(index: FakeIndex) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:
            index.requests.append(self.path)
            if index.password is not None:
                expected = "Basic " + base64.b64encode(f"user:{index.password}".encode()).decode()
                if self.headers.get("Authorization") != expected:
                    self.send_error(401)
                    return
            if self.path.startswith("/simple/"):
                self._listing(self.path.removeprefix("/simple/").strip("/"))
            elif self.path.startswith("/files/"):
                self._file(self.path.removeprefix("/files/"))
            else:
                self.send_error(404)

        def _listing(self, name: str) -> None:
            files = [
                (fn, data) for fn, data in index.wheels.items() if fn.startswith(name.replace("-", "_") + "-")
            ]
            if not files:
                self.send_error(404)
                return
            if index.mode == "json":
                body = json.dumps(
                    {
                        "meta": {"api-version": "1.1"},
                        "name": name,
                        "files": [
                            {
                                "filename": fn,
                                "url": f"../../files/{fn}",  # relative, as PEP 691 allows
                                "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
                                "size": len(data),
                            }
                            for fn, data in files
                        ],
                    }
                ).encode()
                content_type = "application/vnd.pypi.simple.v1+json"
            else:
                links = "".join(
                    f'<a href="/files/{fn}#sha256={hashlib.sha256(data).hexdigest()}">{fn}</a><br>'
                    for fn, data in files
                )
                body = f"<html><body>{links}</body></html>".encode()
                content_type = "text/html"
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _file(self, filename: str) -> None:
            data = index.wheels.get(filename)
            if data is None:
                self.send_error(404)
                return
            if filename in index.tamper:
                data = data[:-30] + bytes([data[-30] ^ 0xFF]) + data[-29:]
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if filename in index.cut:
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(data)

    return Handler


@contextmanager
def serve_fake_index(payloads: list[bytes], *, sha256: str | None = None) -> Iterator[FakeIndex]:
    spec = make_spec(payloads, sha256=sha256)
    index = FakeIndex(spec=spec, payloads=payloads)
    for n, payload in enumerate(payloads, start=1):
        index.wheels[index.filename(n)] = build_wheel(spec.package(n), spec.version, n, payload)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(index))
    index.url = f"http://127.0.0.1:{server.server_address[1]}/simple"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield index
    finally:
        server.shutdown()
        server.server_close()
