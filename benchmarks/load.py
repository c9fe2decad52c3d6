"""Load test of the production server: `make bench-load` (or `.venv/bin/python benchmarks/load.py`).

Sets up a database with the demo data scaled up a hundred times (`leitbild scale-demo
--factor 100`: about 20,000 contributions, 5,000 registrations and 500,000
observations, all synthetic) on a throwaway PostgreSQL cluster — on SQLite when no
PostgreSQL binaries are found, and then says so — starts `leitbild serve --production`
on 127.0.0.1 and drives it with 32 concurrent clients for a fixed time. It prints one
table: per page the requests, requests per second, p50/p95/p99 latency, errors, the
ratio of the page's p95 to that of a minimal endpoint (`/healthz`) in the same run,
the median of sequential requests to the idle server ("alone") and the page's number
of database queries. It exits non-zero when any request failed or any page's p95 is
more than 5× the minimal endpoint's.

The load generator is a small asyncio HTTP/1.1 client in this file (no dependencies): a
closed loop of N clients, each sending its next request as soon as the previous one is
answered, cycling through the pages so that each gets the same share; every request's
latency is recorded from connecting to the last byte; requests started during the
warm-up are not counted. Registration is a POST of the public form with a unique
e-mail address; each simulated visitor comes from its own address (`X-Forwarded-For`
from 127.0.0.1, a trusted proxy), so the per-address rate limit counts visitors as it
would behind a reverse proxy and is not raised.

The scaled database (and the collected static files) are kept in
`var/bench/load-<database>-f<factor>-<hash>/` and reused while the migrations, the demo
data and the scaling code are unchanged; each run works on a copy.

Environment: BENCH_CLIENTS (32), BENCH_DURATION seconds measured (90), BENCH_WARMUP
seconds not counted (15), BENCH_FACTOR (100), BENCH_DB (auto, postgres or sqlite),
BENCH_WORKERS (gunicorn workers; default: serve's own default), BENCH_KEEP=1 keeps the
run's folder (server log) for inspection.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
PYTHON = sys.executable
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
DURATION = float(os.environ.get("BENCH_DURATION", "90"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "15"))
FACTOR = int(os.environ.get("BENCH_FACTOR", "100"))
DATABASE = os.environ.get("BENCH_DB", "auto")
WORKERS = os.environ.get("BENCH_WORKERS", "")
KEEP = os.environ.get("BENCH_KEEP", "") not in ("", "0")
RATIO_LIMIT = 5.0
ALONE_REPEAT = 15
REQUEST_TIMEOUT = 60.0
PROCESS = "/beteiligung/fortschreibung-2023-2025"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# PostgreSQL: a private cluster, as scripts/with-postgres.sh starts one ---------------------


class Postgres:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = os.geteuid() == 0

    @classmethod
    def find(cls) -> Postgres | None:
        found = shutil.which("initdb")
        candidates = [Path(found).resolve().parent] if found else []
        candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
        for bindir in candidates:
            if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
                return cls(bindir)
        return None

    def version(self) -> str:
        out = subprocess.run(
            [self.bindir / "pg_ctl", "--version"], capture_output=True, text=True, check=True
        )
        return out.stdout.split()[2]  # "pg_ctl (PostgreSQL) 15.18 (Debian …)"

    def _run(self, *argv, **kwargs):
        argv = [str(a) for a in argv]
        if self.root:  # the server refuses to run as root
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, check=True, cwd="/", **kwargs)

    def own(self, path: Path) -> None:
        if self.root:
            subprocess.run(["chown", "-R", "postgres:", str(path)], check=True)

    def initdb(self, data: Path) -> None:
        data.mkdir(mode=0o700)
        self.own(data)
        self._run(
            self.bindir / "initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            stdout=subprocess.DEVNULL,
        )

    def start(self, data: Path, port: int) -> None:
        # Default durability (fsync, synchronous commit): registrations pay for their
        # commits as they would in production.
        self._run(
            self.bindir / "pg_ctl",
            "-D",
            data,
            "-l",
            data / "server.log",
            "-w",
            "-t",
            "120",
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {port} -k {data}",
            "start",
            stdout=subprocess.DEVNULL,
        )

    def stop(self, data: Path) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(
                self.bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop",
                stdout=subprocess.DEVNULL,
            )  # fmt: skip

    def psql(self, port: int, sql: str, database: str = "leitbild") -> str:
        out = subprocess.run(
            [self.bindir / "psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
             "-d", database, "-At", "-c", sql],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return out.stdout.strip()


# The scaled database, built once and cached -------------------------------------------------


def cache_key() -> str:
    """Changes when the schema, the demo data or the scaling code change."""
    digest = hashlib.sha256(str(FACTOR).encode())
    src = ROOT / "src" / "leitbild"
    files = sorted(
        {
            *src.glob("*/migrations/*.py"),
            *src.glob("*/demo.py"),
            *src.glob("*/demo/**/*"),
            src / "demo" / "scale.py",
            src / "demo" / "loader.py",
        }
    )
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(src)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def server_env(database_url: str, data_dir: Path, port: int = 0) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "GUNICORN_CMD_ARGS")
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        LEITBILD_DATA_DIR=str(data_dir),
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        SITE_URL=f"http://127.0.0.1:{port}" if port else "http://127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    return env


def leitbild(env: dict, *args: str, quiet: bool = True) -> str:
    out = subprocess.run(
        [PYTHON, "-m", "leitbild.cli", *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else None,
        text=True,
    )
    return out.stdout


def populate(env: dict) -> None:
    """Schema, demo, scaled rows; what the daily job would do; static files."""
    began = time.monotonic()
    leitbild(env, "migrate", "--noinput")
    log(f"  migrated ({time.monotonic() - began:.0f} s)")
    leitbild(env, "load-demo", "--no-user")
    log(f"  demo loaded ({time.monotonic() - began:.0f} s)")
    print(leitbild(env, "scale-demo", "--factor", str(FACTOR)).strip(), file=sys.stderr)
    log(f"  scaled ×{FACTOR} ({time.monotonic() - began:.0f} s)")
    # `serve` runs this a minute after start; done now, the run measures pages only.
    leitbild(env, "anonymise_registrations")
    leitbild(env, "collectstatic", "--noinput")


@dataclass
class Database:
    vendor: str  # "postgresql" or "sqlite"
    url: str
    label: str
    stop: Callable[[], None] = field(default=lambda: None, repr=False)


def prepare_postgres(pg: Postgres, run_dir: Path) -> Database:
    cached = CACHE / f"load-postgresql-f{FACTOR}-{cache_key()}"
    if not (cached / "ready").exists():
        for old in CACHE.glob(f"load-postgresql-f{FACTOR}-*"):
            shutil.rmtree(old, ignore_errors=True)
        build = CACHE / f"load-postgresql-f{FACTOR}-building"
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir(parents=True)
        log(f"Building the scaled database (PostgreSQL) in {build} — a few minutes, once")
        pg.initdb(build / "pgdata")
        port = free_port()
        pg.start(build / "pgdata", port)
        try:
            pg.psql(port, "CREATE DATABASE leitbild", database="postgres")
            populate(server_env(f"postgres://postgres@127.0.0.1:{port}/leitbild", build / "data"))
            pg.psql(port, "VACUUM ANALYZE")
        finally:
            pg.stop(build / "pgdata")
        (build / "ready").touch()
        build.rename(cached)
    subprocess.run(["cp", "-a", str(cached / "pgdata"), str(run_dir / "pgdata")], check=True)
    shutil.copytree(cached / "data", run_dir / "data")
    port = free_port()
    pg.start(run_dir / "pgdata", port)
    return Database(
        vendor="postgresql",
        url=f"postgres://postgres@127.0.0.1:{port}/leitbild",
        label=f"PostgreSQL {pg.version()}",
        stop=lambda: pg.stop(run_dir / "pgdata"),
    )


def prepare_sqlite(run_dir: Path, why: str) -> Database:
    cached = CACHE / f"load-sqlite-f{FACTOR}-{cache_key()}"
    if not (cached / "ready").exists():
        for old in CACHE.glob(f"load-sqlite-f{FACTOR}-*"):
            shutil.rmtree(old, ignore_errors=True)
        build = CACHE / f"load-sqlite-f{FACTOR}-building"
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir(parents=True)
        log(f"Building the scaled database (SQLite) in {build} — a few minutes, once")
        populate(server_env(f"sqlite:///{build / 'leitbild.sqlite3'}", build / "data"))
        import sqlite3

        with contextlib.closing(sqlite3.connect(build / "leitbild.sqlite3")) as db:
            db.execute("ANALYZE")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (build / "ready").touch()
        build.rename(cached)
    shutil.copy(cached / "leitbild.sqlite3", run_dir / "leitbild.sqlite3")
    shutil.copytree(cached / "data", run_dir / "data")
    return Database(
        vendor="sqlite",
        url=f"sqlite:///{run_dir / 'leitbild.sqlite3'}",
        label=f"SQLite — FALLBACK ({why}); a city runs PostgreSQL",
    )


# The server ------------------------------------------------------------------------------------


class Server:
    def __init__(self, database: Database, run_dir: Path):
        self.port = free_port()
        self.env = server_env(database.url, run_dir / "data", self.port)
        self.log_path = run_dir / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        argv = [PYTHON, "-m", "leitbild.cli", "serve", "--production"]
        argv += ["--bind", f"127.0.0.1:{self.port}"]
        if WORKERS:
            argv += ["--workers", WORKERS]
        with open(self.log_path, "wb") as out:
            self.process = subprocess.Popen(
                argv, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                process_group=0,
            )  # fmt: skip
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped at start:\n{self.tail()}")
            with contextlib.suppress(OSError):
                status, _body, _headers = asyncio.run(http(self.port, "GET", "/healthz", timeout=5))
                if status == 200:
                    return
            time.sleep(0.5)
        raise RuntimeError(f"the server did not answer /healthz within 180 s:\n{self.tail()}")

    def workers(self) -> int:
        return len(
            re.findall(r"Booting worker with pid", self.log_path.read_text(errors="replace"))
        )

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


PROBE = r"""
import json, os, sys
import django
django.setup()
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from leitbild.monitoring.models import Indicator, Observation
from leitbild.participation.models import Contribution, Event, Registration

pages = json.loads(sys.argv[1])
if not pages:
    now = timezone.now()
    event = (
        Event.objects.public().filter(title__startswith="[Synthetisch", starts_at__gt=now)
        .exclude(capacity=None).order_by("starts_at").first()
    )
    hot = (
        Contribution.objects.filter(goal__isnull=False).values("goal__field__slug", "goal__slug")
        .annotate(n=Count("pk")).order_by("-n").first()
    )
    print(json.dumps({
        "event": event.get_absolute_url(),
        "event_capacity": event.capacity,
        "indicator": Indicator.objects.filter(code__startswith="synthetisch-").order_by("code")
        .first().get_absolute_url(),
        "hot_goal": [hot["goal__field__slug"], hot["goal__slug"], hot["n"]],
        "contributions": Contribution.objects.count(),
        "registrations": Registration.objects.count(),
        "events": Event.objects.count(),
        "observations": Observation.objects.count(),
        "indicators": Indicator.objects.count(),
    }))
else:
    client = Client(SERVER_NAME="127.0.0.1")
    counts = {}
    for path in pages:
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        counts[path] = [response.status_code, len(ctx)]
    print(json.dumps(counts))
"""


def probe(server: Server, pages: list[str]) -> dict:
    out = subprocess.run(
        [PYTHON, "-c", PROBE, json.dumps(pages)],
        env={**server.env, "DJANGO_SETTINGS_MODULE": "leitbild.settings.base"},
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


# The load generator ----------------------------------------------------------------------------


async def http(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict | None = None,
    body: bytes = b"",
    timeout: float = REQUEST_TIMEOUT,
) -> tuple[int, bytes, dict]:
    """One request on a new connection (gunicorn's sync workers close it after each
    answer); returns status, body and headers (Set-Cookie values joined)."""

    async def go():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
            lines += ["Connection: close", "User-Agent: leitbild-load", "Accept: */*"]
            for name, value in (headers or {}).items():
                lines.append(f"{name}: {value}")
            if body or method == "POST":
                lines.append(f"Content-Length: {len(body)}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            data = await reader.read()
        finally:
            writer.close()
        head, _sep, content = data.partition(b"\r\n\r\n")
        head_lines = head.decode("latin-1").split("\r\n")
        status = int(head_lines[0].split()[1])
        found: dict[str, str] = {}
        for line in head_lines[1:]:
            name, _sep, value = line.partition(":")
            key = name.strip().lower()
            found[key] = f"{found[key]}; {value.strip()}" if key in found else value.strip()
        return status, content, found

    return await asyncio.wait_for(go(), timeout)


@dataclass
class Target:
    label: str
    path: str
    method: str = "GET"
    expect: int = 200
    minimal: bool = False
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    sizes: int = 0
    first_error: str = ""
    alone_ms: float = math.nan
    queries: str = "–"

    def ok(self, status: int, body: bytes) -> bool:
        if status != self.expect:
            return False
        if self.method == "GET" and self.path.startswith("/api/"):
            return body[:1] == b"{"
        if self.method == "GET" and not self.minimal:
            return body.rstrip().endswith(b"</html>")
        return True


class Registrar:
    """Each simulated visitor registers with an address of their own, from their own IP."""

    def __init__(self, port: int, event_path: str):
        self.port, self.event_path = port, event_path
        self.count = 0
        self.run = secrets.token_hex(3)

    async def session(self) -> tuple[str, str]:
        status, body, headers = await http(self.port, "GET", self.event_path)
        if status != 200:
            raise RuntimeError(f"event page answered {status}")
        cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if not (cookie and token):
            raise RuntimeError("no CSRF cookie or token on the event page")
        return cookie.group(1), token.group(1).decode()

    def request(self, csrf: tuple[str, str]) -> tuple[dict, bytes]:
        self.count += 1
        n = self.count
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": csrf[1],
                "name": f"Lasttest Anmeldung {n}",
                "email": f"lasttest-anmeldung-{self.run}-{n}@example.org",
                "consent": "on",
                "website": "",
            }
        ).encode()
        headers = {
            "Cookie": f"csrftoken={csrf[0]}",
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}",
        }
        return headers, body


async def send(port: int, target: Target, registrar: Registrar, csrf) -> tuple[int, bytes]:
    if target.method == "POST":
        headers, body = registrar.request(csrf)
        status, content, _headers = await http(
            port, "POST", target.path, headers=headers, body=body
        )
    else:
        status, content, _headers = await http(port, "GET", target.path)
    return status, content


async def alone(port: int, targets: list[Target], registrar: Registrar) -> None:
    """Median of sequential requests to the otherwise idle server."""
    csrf = await registrar.session()
    for target in targets:
        await send(port, target, registrar, csrf)  # warm
        times = []
        for _ in range(ALONE_REPEAT):
            began = time.perf_counter()
            status, content = await send(port, target, registrar, csrf)
            times.append((time.perf_counter() - began) * 1000)
            if not target.ok(status, content):
                raise RuntimeError(f"{target.label}: {target.path} answered {status}")
        target.alone_ms = sorted(times)[len(times) // 2]


async def load(port: int, targets: list[Target], registrar: Registrar) -> float:
    """CLIENTS closed-loop clients for WARMUP + DURATION seconds; returns the measured span."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    counted_from, stop_at = began + WARMUP, began + WARMUP + DURATION

    async def client(number: int) -> None:
        csrf = await registrar.session()
        position = number % len(targets)
        while loop.time() < stop_at:
            target = targets[position]
            position = (position + 1) % len(targets)
            started = loop.time()
            t0 = time.perf_counter()
            try:
                status, content = await send(port, target, registrar, csrf)
                good = target.ok(status, content)
                problem = "" if good else f"HTTP {status}: {content[:160]!r}"
            except (OSError, TimeoutError, ValueError, IndexError) as error:
                good, content, problem = False, b"", f"{type(error).__name__}: {error}"
            elapsed = (time.perf_counter() - t0) * 1000
            if started < counted_from:
                continue
            if good:
                target.latencies.append(elapsed)
                target.sizes += len(content)
            else:
                target.errors += 1
                target.first_error = target.first_error or problem

    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    return DURATION


def percentile(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# Putting it together ---------------------------------------------------------------------------


def choose_database(run_dir: Path) -> Database:
    pg = Postgres.find() if DATABASE in ("auto", "postgres") else None
    if pg is None and DATABASE == "postgres":
        raise SystemExit("BENCH_DB=postgres, but no PostgreSQL binaries (initdb, pg_ctl) found")
    if pg is not None:
        return prepare_postgres(pg, run_dir)
    why = "BENCH_DB=sqlite" if DATABASE == "sqlite" else "no PostgreSQL binaries found"
    return prepare_sqlite(run_dir, why)


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kb / 1024**2:.0f} GB RAM"
    return f"{os.cpu_count()} cores ({model or platform.machine()}){memory}"


def main() -> int:
    CACHE.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="leitbild-load-"))
    os.chmod(run_dir, 0o755)
    database = server = None
    failed = True
    try:
        began = time.monotonic()
        database = choose_database(run_dir)
        log(f"Database ready: {database.label} ({time.monotonic() - began:.0f} s)")
        server = Server(database, run_dir)
        server.start()
        log(f"Server up on 127.0.0.1:{server.port} ({server.workers()} gunicorn workers)")
        facts = probe(server, [])
        field_slug, goal_slug, hot = facts["hot_goal"]
        targets = [
            Target("minimal endpoint (/healthz)", "/healthz", minimal=True),
            Target("home", "/"),
            Target("edition", "/leitbild/2019/"),
            Target("field of action (6.2)", "/leitbild/2019/6-2/"),
            Target("goal", "/leitbild/2019/6-2/teilziel-1/"),
            Target("process page", f"{PROCESS}/"),
            Target("event page", facts["event"]),
            Target("contributions list", f"{PROCESS}/beitraege/"),
            Target(f"draft goal ({hot:,} contributions)",
                   f"{PROCESS}/entwurf/{field_slug}/{goal_slug}/"),
            Target("consideration table", f"{PROCESS}/abwaegung/"),
            Target("indicator page", facts["indicator"]),
            Target("organisations", "/organisationen/"),
            Target("API list (events)", "/api/v1/events/"),
            Target("registration (POST)", facts["event"], method="POST", expect=302),
        ]  # fmt: skip
        queries = probe(server, [t.path for t in targets if t.method == "GET" and not t.minimal])
        for target in targets:
            if target.path in queries and target.method == "GET":
                status, count = queries[target.path]
                target.queries = str(count) if status == 200 else f"HTTP {status}"
        registrar = Registrar(server.port, facts["event"])
        log(f"Sequential requests, {ALONE_REPEAT} per page …")
        asyncio.run(alone(server.port, targets, registrar))
        load_before = os.getloadavg()
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        log(f"{CLIENTS} clients for {WARMUP:.0f} s warm-up + {DURATION:.0f} s measured …")
        span = asyncio.run(load(server.port, targets, registrar))
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        load_after = os.getloadavg()
        generator_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
            cpu_after.ru_stime - cpu_before.ru_stime
        )
        workers = server.workers()
        report(
            targets,
            span,
            database=database,
            facts=facts,
            workers=workers,
            generator_cpu=generator_cpu,
            load=(load_before, load_after),
        )
        errors = sum(t.errors for t in targets)
        minimal = next(t for t in targets if t.minimal)
        base = percentile(minimal.latencies, 95)
        over = [t.label for t in targets if percentile(t.latencies, 95) > RATIO_LIMIT * base]
        if errors:
            print(f"\nFAILED: {errors} request(s) failed.")
            for t in targets:
                if t.errors:
                    print(f"  {t.label}: {t.errors} — first: {t.first_error}")
        if over:
            print(f"\nFAILED: p95 more than {RATIO_LIMIT:g}× the minimal endpoint's: {over}")
        failed = bool(errors or over)
        return 1 if failed else 0
    except Exception:
        if server is not None:
            print(f"--- server log (last lines) ---\n{server.tail()}", file=sys.stderr)
        raise
    finally:
        if server is not None:
            server.stop()
        if database is not None:
            database.stop()
        if KEEP or (failed and server is not None):
            log(f"Kept {run_dir} (server.log)")
            if not KEEP:
                # Keep only the log; the database copy is large.
                for path in run_dir.iterdir():
                    if path.name != "server.log":
                        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()
        else:
            shutil.rmtree(run_dir, ignore_errors=True)


def report(targets, span, *, database, facts, workers, generator_cpu, load):
    minimal = next(t for t in targets if t.minimal)
    base = percentile(minimal.latencies, 95)
    print()
    print(f"leitbild load test — {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"machine: {machine()}; load average before/after: {load[0][0]:.1f} / {load[1][0]:.1f}")
    print(f"database: {database.label}")
    print(
        f"data: {facts['contributions']:,} contributions, {facts['registrations']:,} "
        f"registrations on {facts['events']:,} events, {facts['observations']:,} observations "
        f"of {facts['indicators']} indicators (demo × {FACTOR}, synthetic)"
    )
    print(
        f"server: leitbild serve --production, {workers} gunicorn sync workers + 1 task worker, "
        f"127.0.0.1"
    )
    print(
        f"load: {CLIENTS} concurrent clients (closed loop, one connection per request, pages "
        f"in turn), {WARMUP:.0f} s warm-up not counted, {span:.0f} s measured; the generator "
        f"used {generator_cpu:.1f} s CPU ({generator_cpu / span * 100:.0f} % of one core)"
    )
    print(
        "registration: POSTs of the public form with a new e-mail address each, every one "
        "from its own client address (X-Forwarded-For from the trusted proxy 127.0.0.1)\n"
    )
    header = (
        "| page | requests | req/s | p50 ms | p95 ms | p99 ms | errors | p95 ÷ minimal "
        "| alone ms | queries | KB |"
    )
    print(header)
    print("|" + "|".join(["---"] + ["---:"] * 10) + "|")
    for t in targets:
        n = len(t.latencies)
        p95 = percentile(t.latencies, 95)
        ratio = p95 / base if base else math.nan
        flag = " ✗" if ratio > RATIO_LIMIT else ""
        size = t.sizes / n / 1024 if n else 0
        print(
            f"| {t.label} | {n + t.errors:,} | {n / span:.1f} | "
            f"{percentile(t.latencies, 50):.0f} | {p95:.0f} | {percentile(t.latencies, 99):.0f} | "
            f"{t.errors} | {ratio:.2f}{flag} | {t.alone_ms:.1f} | {t.queries} | {size:.0f} |"
        )
    total = sum(len(t.latencies) for t in targets)
    print(f"\nall pages: {total:,} requests, {total / span:.1f} req/s")


if __name__ == "__main__":
    sys.exit(main())
