"""A throwaway PostgreSQL cluster of the tests' own, from the machine's binaries (as
``scripts/with-postgres.sh`` starts one): the ``cluster`` fixture in ``conftest.py``."""

import contextlib
import os
import shutil
import socket
import subprocess
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bindir() -> Path | None:
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return next((d for d in candidates if (d / "pg_ctl").exists()), None)


class Cluster:
    """A throwaway PostgreSQL cluster on 127.0.0.1 (as scripts/with-postgres.sh starts
    one); as root, the server runs as the ``postgres`` user."""

    def __init__(self, bindir: Path):
        self.bindir, self.port = bindir, free_port()
        self.root = os.geteuid() == 0
        self.home = Path(
            subprocess.run(["mktemp", "-d", "/tmp/leitbild-pg.XXXXXX"], capture_output=True,
                           text=True, check=True).stdout.strip()
        )  # fmt: skip
        self.data = self.home / "data"
        if self.root:
            subprocess.run(["chown", "postgres:", str(self.home)], check=True)
        self._pg("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync")  # fmt: skip

    def _pg(self, tool: str, *args) -> None:
        argv = [str(self.bindir / tool), *map(str, args)]
        if self.root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, cwd="/", stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self._pg("pg_ctl", "-D", self.data, "-l", self.home / "server.log", "-w", "-t", "60",
                 "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.home} "
                 "-c fsync=off -c synchronous_commit=off", "start")  # fmt: skip

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def remove(self) -> None:
        if self.running():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._pg("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.home, ignore_errors=True)
