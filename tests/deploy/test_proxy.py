"""The shipped nginx configuration in front of gunicorn, on loopback (``.ci/run``'s deploy step).

``deploy/nginx/wijklab.conf`` runs as shipped, with only its ports, paths and certificate swapped:
TLS with a self-signed certificate made here by ``openssl`` (so the production settings run
unchanged: Secure cookies, HSTS, ProxyFix for one proxy), in a temporary prefix
(``nginx -c FILE -p PREFIX -e LOG``, ``daemon off``), in front of gunicorn with the issue's
``-w 2 --threads 2`` on a SQLite file made by the migrations. Both run as subprocesses and are
stopped in a ``finally``.
"""

from __future__ import annotations

import getpass
import http.client
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from wijklab.statements.signing import development_certificate

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "nginx" / "wijklab.conf"
ADMIN_EMAIL = "beheer@example.org"
ADMIN_PASSWORD = "Wijklab-proxy-test-2026"  # noqa: S105
GUNICORN_ARGS = ["-w", "2", "-k", "gthread", "--threads", "2", "--timeout", "30"]
ATTACKERS = 8  # the six, and two more
SLOW_BODY = 4000  # bytes announced; the attackers send one every 0.25 s, so they never finish


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout} s")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def replace_once(text: str, old: str, new: str) -> str:
    """Swap one line of the shipped file; fail when it is gone (the test must follow the file)."""
    assert text.count(old) == 1, f"deploy/nginx/wijklab.conf no longer has {old!r}"
    return text.replace(old, new)


def nginx_test_config(folder: Path, *, app_port: int, http_port: int, https_port: int) -> Path:
    """The shipped site with loopback ports, our certificate and the checkout's static files,
    inside a main configuration whose pid, logs and temp paths are all in ``folder``."""
    site = SHIPPED.read_text()
    site = replace_once(site, "server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    site = replace_once(
        site, "    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{http_port};\n"
    )
    site = replace_once(
        site,
        "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
        f"    listen 127.0.0.1:{https_port} ssl http2;\n",
    )
    site = replace_once(
        site, "/etc/letsencrypt/live/wijklab.example.org/fullchain.pem", str(folder / "cert.pem")
    )
    site = replace_once(
        site, "/etc/letsencrypt/live/wijklab.example.org/privkey.pem", str(folder / "key.pem")
    )
    site = replace_once(site, "alias /srv/wijklab/static/;", f"alias {ROOT / 'static'}/;")
    (folder / "wijklab.conf").write_text(site)
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    main = f"""
user {getpass.getuser()};
daemon off;
master_process on;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder / "access.log"};
{temp}
    uwsgi_temp_path {folder / "uwsgi"};
    scgi_temp_path {folder / "scgi"};
    include {folder / "wijklab.conf"};
}}
"""
    path = folder / "nginx.conf"
    path.write_text(main)
    return path


def self_signed_certificate(folder: Path) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=20,
    )


def prepare_database(url: str, env: dict) -> None:
    """The schema by the migrations, and one admin, in a process of its own."""
    script = (
        "from flask_migrate import upgrade\n"
        "from wijklab import create_app\n"
        "from wijklab.accounts.services import create_user\n"
        "from wijklab.extensions import db\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    upgrade()\n"
        f"    create_user(email={ADMIN_EMAIL!r}, name='Beheer Proxy', role='admin',"
        f" password={ADMIN_PASSWORD!r})\n"
        "    db.session.commit()\n"
        "    db.engine.dispose()\n"
    )
    subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=60, text=True
    )


@dataclass
class Stack:
    folder: Path
    database: Path
    app_port: int
    http_port: int
    https_port: int
    gunicorn_log: Path
    tls: ssl.SSLContext = field(repr=False)

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.https_port}{path}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        skip_or_fail("nginx is not installed (apt-get install nginx)")
    if shutil.which("openssl") is None:
        skip_or_fail("openssl is not installed")
    folder = tmp_path_factory.mktemp("proxy")
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / kind).mkdir()
    self_signed_certificate(folder)
    ports = dict(app_port=free_port(), http_port=free_port(), https_port=free_port())
    database = folder / "wijklab.sqlite"
    # Production refuses to start without the school's signing certificate.
    signing = development_certificate(folder / "signing")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("WIJKLAB_") and key != "PYTEST_XDIST_WORKER"
    }
    env.update(
        WIJKLAB_ENV="production",
        WIJKLAB_SECRET_KEY=uuid.uuid4().hex * 2,
        WIJKLAB_DATABASE_URL=f"sqlite:///{database}",
        WIJKLAB_PUBLIC_URL=f"https://127.0.0.1:{ports['https_port']}",
        WIJKLAB_TRUSTED_HOSTS="127.0.0.1",
        WIJKLAB_PROXY_FIX="1",
        WIJKLAB_MAIL_BACKEND="file",
        WIJKLAB_MAIL_DIR=str(folder / "mail"),
        WIJKLAB_SIGNING_KEY=str(signing),
        WIJKLAB_SIGNING_CERT=str(signing),
        PYTHONWARNINGS="ignore",
        XDG_RUNTIME_DIR=str(folder),  # gunicorn 27 puts its control socket here
    )
    prepare_database(f"sqlite:///{database}", env)
    gunicorn_log = folder / "gunicorn.log"
    gunicorn = nginx = None
    with gunicorn_log.open("w") as log:
        try:
            gunicorn = subprocess.Popen(  # noqa: S603
                [
                    str(ROOT / ".venv" / "bin" / "gunicorn"),
                    *GUNICORN_ARGS,
                    "--bind",
                    f"127.0.0.1:{ports['app_port']}",
                    "wijklab:create_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            wait_for_port(ports["app_port"], gunicorn, "gunicorn")
            config = nginx_test_config(folder, **ports)
            nginx = subprocess.Popen(  # noqa: S603
                [
                    shutil.which("nginx") or "/usr/sbin/nginx",
                    "-c",
                    str(config),
                    "-p",
                    f"{folder}/",
                    "-e",
                    str(folder / "error.log"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            wait_for_port(ports["https_port"], nginx, "nginx")
            tls = ssl.create_default_context(cafile=str(folder / "cert.pem"))
            yield Stack(folder, database, tls=tls, gunicorn_log=gunicorn_log, **ports)
        finally:
            stop(nginx)
            stop(gunicorn)


# --- small HTTP helpers (no third-party client) ---------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser(stack: Stack):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=stack.tls),
        urllib.request.HTTPCookieProcessor(jar),
        NoRedirect(),
    )
    return opener, jar


def fetch(opener, url: str, data: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of one request; redirects are returned, not followed."""
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read().decode()


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert found, "no CSRF token on the page"
    return found.group(1)


def healthz_seconds(stack: Stack, port: int | None = None, timeout: float = 5) -> float:
    """Seconds for one GET /healthz: through nginx (TLS), or straight to gunicorn on ``port``."""
    started = time.monotonic()
    if port is None:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", stack.https_port, timeout=timeout, context=stack.tls
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        assert response.status == 200
    finally:
        connection.close()
    return time.monotonic() - started


class SlowBody:
    """``count`` connections that each announce a POST body and send it one byte at a time."""

    def __init__(self, port: int, count: int, tls: ssl.SSLContext | None) -> None:
        self.port, self.count, self.tls = port, count, tls
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.opened = 0

    def _dribble(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock = self.tls.wrap_socket(raw, server_hostname="127.0.0.1") if self.tls else raw
        with sock:
            sock.sendall(
                (
                    "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {SLOW_BODY}\r\n\r\nemail="
                ).encode()
            )
            self.opened += 1
            while not self.stopping.wait(0.25):
                try:
                    sock.sendall(b"a")
                except OSError:
                    return

    def __enter__(self):
        for _ in range(self.count):
            thread = threading.Thread(target=self._dribble, daemon=True)
            thread.start()
            self.threads.append(thread)
        time.sleep(1.0)  # every connection is open and has reached the server's workers
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)


# --- the tests --------------------------------------------------------------------------------


def test_healthz_through_tls_and_plain_http_is_redirected(stack):
    opener, _ = browser(stack)
    status, headers, body = fetch(opener, stack.url("/healthz"))
    assert status == 200 and '"ok"' in body
    assert headers["Strict-Transport-Security"].startswith("max-age=")  # the app's, over TLS
    plain = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=5)
    try:
        plain.request("GET", "/auth/login")
        response = plain.getresponse()
        response.read()
    finally:
        plain.close()
    assert response.status == 301
    assert response.getheader("Location").startswith("https://127.0.0.1")
    connection = http.client.HTTPSConnection(
        "127.0.0.1", stack.https_port, timeout=5, context=stack.tls
    )
    try:
        connection.request("HEAD", "/healthz")
        connection.getresponse().read()
        assert connection.sock.version() in {"TLSv1.2", "TLSv1.3"}
    finally:
        connection.close()


def test_static_files_are_served_by_nginx(stack):
    opener, _ = browser(stack)
    status, headers, body = fetch(opener, stack.url("/static/css/app.css"))
    assert status == 200 and body == (ROOT / "static" / "css" / "app.css").read_text()
    assert headers["Server"] == "nginx"  # gunicorn's responses say "wijklab"
    assert "max-age=3600" in headers["Cache-Control"]


def test_slow_body_attack_is_held_by_nginx(stack):
    """Eight connections dribble a POST body through nginx: gunicorn (-w 2 --threads 2) sees
    none of them, and /healthz through the proxy answers in well under a second."""
    with SlowBody(stack.https_port, ATTACKERS, stack.tls) as attack:
        timings = [healthz_seconds(stack) for _ in range(10)]
        assert attack.opened == ATTACKERS
    print(f"healthz through nginx under {ATTACKERS} slow bodies: max {max(timings):.3f} s")
    assert max(timings) < 1.0


def test_slow_body_attack_blocks_bare_gunicorn(stack):
    """The attack is real: straight at gunicorn, the same connections starve /healthz (this is
    what the proxy prevents; bounded to a few seconds). Three times as many connections as
    through nginx: the kernel spreads them over the two workers at random, and each worker must
    get more of them than its two threads (eight could leave one worker a free thread)."""
    with SlowBody(stack.app_port, 3 * ATTACKERS, None) as attack:
        started = time.monotonic()
        with pytest.raises((TimeoutError, socket.timeout)):
            healthz_seconds(stack, port=stack.app_port, timeout=3)
        blocked = time.monotonic() - started
        assert attack.opened == 3 * ATTACKERS
    print(
        f"healthz straight to gunicorn under {3 * ATTACKERS} slow bodies: no answer in "
        f"{blocked:.1f} s"
    )
    assert blocked >= 2.9
    # Once the attackers are gone gunicorn answers again.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            assert healthz_seconds(stack, port=stack.app_port, timeout=2) < 2
            break
        except (TimeoutError, OSError):
            time.sleep(0.2)
    else:
        pytest.fail("gunicorn did not recover after the attack")


def test_login_and_framework_upload_through_the_proxy(stack):
    opener, jar = browser(stack)
    status, _, page = fetch(opener, stack.url("/auth/login"))
    assert status == 200
    form = urllib.parse.urlencode(
        {"csrf_token": csrf_token(page), "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    ).encode()
    same_origin = {"Referer": stack.url("/auth/login")}  # as a browser sends it over HTTPS
    status, headers, _ = fetch(opener, stack.url("/auth/login"), data=form, headers=same_origin)
    assert status == 302, "login through the proxy failed"
    cookies = {cookie.name: cookie for cookie in jar}
    assert cookies["wijklab_session"].secure  # production cookies, set over TLS via ProxyFix

    status, _, page = fetch(opener, stack.url("/frameworks"))
    assert status == 200
    toml = (ROOT / "wijklab" / "goals" / "frameworks" / "hbo-social-work.toml").read_bytes()
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{csrf_token(page)}\r\n--{boundary}\r\nContent-Disposition: form-data; "
            f'name="file"; filename="hbo-social-work.toml"\r\n'
            "Content-Type: application/toml\r\n\r\n"
        ).encode()
        + toml
        + f"\r\n--{boundary}--\r\n".encode()
    )
    multipart = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Referer": stack.url("/frameworks"),
    }
    status, headers, _ = fetch(opener, stack.url("/frameworks"), data=body, headers=multipart)
    assert status == 302 and headers["Location"].endswith("/frameworks")
    with sqlite3.connect(stack.database) as connection:
        loaded = connection.execute("SELECT count(*) FROM framework_item").fetchone()[0]
    assert loaded > 0

    # Over the 2 MiB limit: nginx refuses it before gunicorn reads a byte.
    too_big = b"x" * (2 * 1024 * 1024 + 1)
    status, headers, _ = fetch(opener, stack.url("/frameworks"), data=too_big, headers=multipart)
    assert status == 413 and headers["Server"] == "nginx"


def test_proxyfix_takes_the_client_address_that_nginx_saw(stack):
    """The client connects from 127.0.0.2 and forges X-Forwarded-For: the app logs 127.0.0.2."""
    connection = http.client.HTTPSConnection(
        "127.0.0.1",
        stack.https_port,
        timeout=5,
        context=stack.tls,
        source_address=("127.0.0.2", 0),
    )
    marker = uuid.uuid4().hex
    try:
        connection.request(
            "POST",
            f"/auth/login?probe={marker}",
            body=f"email={marker}%40example.org&password=x",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-For": "203.0.113.9",
                "X-Forwarded-Proto": "http",
            },
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 400  # no CSRF token: refused, and logged as a security event
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [
            line
            for line in stack.gunicorn_log.read_text().splitlines()
            if "csrf_refused" in line and '"ip": "127.0.0.' in line
        ]
        if lines:
            break
        time.sleep(0.1)
    assert lines, "the security event was not logged"
    assert '"ip": "127.0.0.2"' in lines[-1]
    assert "203.0.113.9" not in stack.gunicorn_log.read_text()


def test_review_links_stay_out_of_the_access_log(stack):
    opener, _ = browser(stack)
    token = uuid.uuid4().hex
    status, _, _ = fetch(opener, stack.url(f"/r/{token}"))
    assert status in {200, 404, 410}
    fetch(opener, stack.url("/healthz"))
    time.sleep(0.2)
    access = (stack.folder / "access.log").read_text()
    assert "/healthz" in access and token not in access
