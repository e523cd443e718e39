"""A throwaway PostgreSQL server from Debian's `postgresql` package, for tests and benchmarks.

`LocalPostgres().start()` runs `initdb` in a new temporary folder and `pg_ctl start` on a free loopback
port (UTF-8, the C.UTF-8 locale so pg_trgm reads Korean as letters, fsync off: the data is thrown away),
and `stop()` removes it all. PostgreSQL refuses to run as root, so under root the server runs as the
`postgres` user the package creates. tests/setup.sh installs the package.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


def postgres_bin() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin that has initdb, if any."""
    found = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if Path(p, "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalPostgres:
    def __init__(self, bin_dir: Path | None = None) -> None:
        found = bin_dir or postgres_bin()
        if found is None:
            raise RuntimeError(
                "PostgreSQL is not installed: run tests/setup.sh (as root it runs `apt-get install -y postgresql`)."
            )
        self.bin = found
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="journey-pg-"))
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError(
                    "running as root needs the 'postgres' user that Debian's package creates"
                ) from None
            self.user = "postgres"
            shutil.chown(self.folder, "postgres")
        self.url = f"postgresql://journey@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            user=self.user,
            cwd=self.folder,
            timeout=120,
        )

    def start(self) -> LocalPostgres:
        data = self.folder / "data"
        self._run(
            "initdb", "-D", str(data), "-U", "journey", "-A", "trust", "--encoding=UTF8", "--locale=C.UTF-8"
        )
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")
        return self

    def new_database(self) -> str:
        """The URL of a new, empty database on this server."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        for _ in range(20):
            try:
                shutil.rmtree(self.folder)
                return
            except OSError:
                time.sleep(0.1)

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
