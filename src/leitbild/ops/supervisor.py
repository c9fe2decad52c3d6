"""Run a few long-lived processes as one service (``leitbild serve``).

Each child runs in its own process group, so that a signal reaches the processes it
started too (gunicorn's workers are handled by gunicorn; runserver's reloader child is
not). SIGTERM, SIGINT and SIGQUIT are passed on to every child; when any child ends
on its own, the others are stopped and the service exits non-zero, so that the
supervisor above it (systemd, a container runtime) restarts the whole set.
"""

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

logger = logging.getLogger("leitbild.ops.serve")

_FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = field(default=None, repr=False)


@dataclass
class Periodic:
    """A short job run every ``every`` seconds (first soon after start); its exit is
    logged, never a reason to stop the service."""

    name: str
    argv: list[str]
    every: float
    first_after: float = 60.0
    process: subprocess.Popen | None = field(default=None, repr=False)
    due: float = 0.0


def _run_periodic(jobs: list[Periodic], now: float) -> None:
    for job in jobs:
        if job.process is not None and job.process.poll() is not None:
            level = logging.INFO if job.process.returncode == 0 else logging.ERROR
            logger.log(level, "%s finished with status %s", job.name, job.process.returncode)
            job.process = None
        if job.process is None and now >= job.due:
            job.process = subprocess.Popen(job.argv, process_group=0, preexec_fn=_die_with_parent)
            job.due = now + job.every
            logger.info("Started %s (pid %s)", job.name, job.process.pid)


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if ``serve`` itself is killed (SIGKILL,
    OOM killer), instead of living on unsupervised. Linux only; elsewhere a no-op."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def supervise(
    children: list[Child], *, periodic: list[Periodic] = (), stop_timeout: float = 40.0
) -> int:
    """Start the children, wait, stop them all; meanwhile run the ``periodic`` jobs on
    their schedule. Returns the exit status for ``serve``: 0 after a signal, 1 when a
    child ended by itself."""
    received: list[int] = []
    periodic = list(periodic)
    for job in periodic:
        job.due = time.monotonic() + job.first_after

    def on_signal(signum, _frame):
        received.append(signum)
        if len(received) > 1:
            # A second Ctrl-C: do not wait for graceful shutdowns.
            _signal_all(children, signal.SIGKILL)

    previous = {sig: signal.signal(sig, on_signal) for sig in _FORWARDED}
    status = 0
    try:
        for child in children:
            child.process = subprocess.Popen(
                child.argv, process_group=0, preexec_fn=_die_with_parent
            )
            logger.info("Started %s (pid %s)", child.name, child.process.pid)
        while not received:
            ended = next((c for c in children if c.process.poll() is not None), None)
            if ended is not None:
                logger.error(
                    "%s exited with status %s; stopping the others",
                    ended.name,
                    ended.process.returncode,
                )
                status = 1
                break
            _run_periodic(periodic, time.monotonic())
            time.sleep(0.2)
        sig = received[0] if received else signal.SIGTERM
        if received:
            logger.info("Received %s; stopping", signal.strsignal(sig))
        _signal_all(children, sig)
        deadline = time.monotonic() + stop_timeout
        for child in children:
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.error("%s did not stop within %ss; killing it", child.name, stop_timeout)
                _signal(child, signal.SIGKILL)
                child.process.wait()
        return status
    finally:
        for child in [*children, *periodic]:
            if child.process is not None and child.process.poll() is None:
                _signal(child, signal.SIGKILL)
                child.process.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _signal_all(children: list[Child], sig: int) -> None:
    for child in children:
        _signal(child, sig)


def _signal(child: Child, sig: int) -> None:
    if child.process is None or child.process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.process.pid, sig)
