"""Load tests: gunicorn (2 sync workers on a free loopback port) driven by wrk.

Gunicorn serves either wijklab (``wijklab:create_app()``, configured by WIJKLAB_DATABASE_URL and
WIJKLAB_SECRET_KEY) or the hello-world app of benchmarks/hello.py, the same way. The workers'
peak resident memory is read from /proc/<pid>/status (VmHWM); writing 5 to
/proc/<pid>/clear_refs resets that peak between pages.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
THREADS = 2
CONNECTIONS = 8


def wrk_path() -> str | None:
    return shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, cookie: str | None = None) -> tuple[int, str, bytes]:
    """One GET without following redirects: status, Location and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Location") or "", response.read()
    finally:
        connection.close()


class Gunicorn:
    """``with Gunicorn("benchmarks.hello:app") as server:`` serves on server.port until the end
    of the block."""

    def __init__(
        self, app_spec: str, env: dict[str, str] | None = None, *, preload: bool = False
    ) -> None:
        self.app_spec = app_spec
        self.env = env or {}
        # --preload imports the app once before forking: a quicker start for the smoke.
        self.preload = preload
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        env = {**os.environ, "PYTHONPATH": str(ROOT), **self.env}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                # The production settings (gc.freeze() once a worker has loaded the app).
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                # Long enough for a whole national export to finish (its time is a figure).
                "--timeout",
                "600",
                "--graceful-timeout",
                "2",
                *(["--preload"] if self.preload else []),
                self.app_spec,
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app_spec} stopped: {self.process.returncode}")
            try:
                _get(self.port, "/")
                if len(self.workers()) >= WORKERS:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"gunicorn {self.app_spec} did not answer within 60 s")
            time.sleep(0.2)
        return self

    def __exit__(self, *_exc) -> None:
        if self.process and self.process.poll() is None:
            workers = self.workers()
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                for pid in workers:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                self.process.kill()
                self.process.wait()

    def workers(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []

    def reset_peaks(self) -> None:
        for pid in self.workers():
            # On an older kernel the peak then covers the worker's whole life.
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")

    def peak_rss_mb(self, field: str = "VmHWM") -> float:
        """The largest VmHWM (or another /proc status field) among the workers, in MB."""
        peaks = [0]
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if match := re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE):
                peaks.append(int(match.group(1)))
        return max(peaks) / 1024

    def get(self, path: str, cookie: str | None = None) -> tuple[int, str, bytes]:
        return _get(self.port, path, cookie)

    def wait_idle(self, limit: float = 180) -> float:
        """Wait until a worker answers a cheap request at once: wrk stops at its deadline, but the
        sync workers still answer the requests it left queued, which would slow the next page.
        Returns the seconds waited."""
        start = time.monotonic()
        while time.monotonic() - start < limit:
            asked = time.monotonic()
            _get(self.port, "/healthz")
            if time.monotonic() - asked < 0.05:
                break
        return time.monotonic() - start


@dataclass
class Download:
    label: str
    status: int
    rows: int  # CSV: lines but the header; xlsx: not counted (0)
    seconds: float
    first_byte: float
    megabytes: float
    peak_rss_mb: float
    start_rss_mb: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def download(server: Gunicorn, path: str, cookie: str) -> Download:
    """One streamed download through gunicorn: time to the first byte and in all, size, CSV rows
    and the workers' peak memory meanwhile."""
    server.reset_peaks()
    start_rss = server.peak_rss_mb("VmRSS")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=700)
    size = lines = 0
    first = None
    status = 0
    start = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        status = response.status
        while chunk := response.read1(65536):
            if first is None:
                first = time.perf_counter() - start
            size += len(chunk)
            lines += chunk.count(b"\n")
    except (OSError, http.client.HTTPException):
        status = -status or -1  # cut off (a worker timeout): negative, and no row count
    finally:
        connection.close()
    seconds = time.perf_counter() - start
    csv = "fmt=csv" in path and status == 200
    return Download(
        label=path.split("fmt=", 1)[-1].split("&", 1)[0],
        status=status,
        rows=max(lines - 1, 0) if csv else 0,
        seconds=seconds,
        first_byte=first or seconds,
        megabytes=size / 2**20,
        peak_rss_mb=server.peak_rss_mb(),
        start_rss_mb=start_rss,
    )


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers plus socket errors
    peak_rss_mb: float = 0.0


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """The figures of `wrk --latency` output."""
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", output, re.MULTILINE))
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output)) + sum(
        int(n)
        for line in re.findall(r"Socket errors: (.*)$", output, re.MULTILINE)
        for n in re.findall(r"\d+", line)
    )
    if not (rps and total and "50" in percentiles and "99" in percentiles):
        raise ValueError(f"unexpected wrk output:\n{output}")
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        requests=int(total.group(1)),
        errors=errors,
    )


def run_wrk(
    server: Gunicorn, path: str, cookie: str | None, duration: float, timeout: float = 30
) -> WrkResult:
    """wrk -t2 -c8 for ``duration`` seconds against one path, with the peak worker memory."""
    command = [
        wrk_path() or "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={round(timeout)}s",
        "--latency",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{server.port}{path}")
    server.reset_peaks()
    done = subprocess.run(  # noqa: S603  (our own argument list)
        command, capture_output=True, text=True, check=True, timeout=duration + timeout + 30
    )
    result = parse_wrk(done.stdout)
    result.peak_rss_mb = server.peak_rss_mb()
    server.wait_idle()
    return result
