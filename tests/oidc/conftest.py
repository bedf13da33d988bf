"""A real OpenID Connect provider (npm oidc-provider, tests/oidc/provider.mjs) on a loopback port,
one per test process, and a browser at the provider driven with ``requests``."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "wijklab"
CLIENT_SECRET = "wijklab-test-secret"  # noqa: S105  (the loopback test provider's client)
PUBLIC_URL = "https://wijklab.example.org"  # TestingConfig.PUBLIC_URL
START_TIMEOUT_SECONDS = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_issuer():
    """Start the provider; skip (fail in CI) when node or the oidc-provider package is missing."""
    node = shutil.which("node")
    if node is None:
        skip_or_fail(
            "node is not installed: the OpenID Connect tests need it (apt-get install nodejs)"
        )
    if not (ROOT / "node_modules" / "oidc-provider" / "package.json").is_file():
        skip_or_fail(
            "npm package oidc-provider is missing: run make node_modules (oidc-provider@9)"
        )
    port = _free_port()
    env = {
        **os.environ,
        "OIDC_TEST_CLIENT_ID": CLIENT_ID,
        "OIDC_TEST_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_TEST_REDIRECT_URI": f"{PUBLIC_URL}/auth/oidc/test/callback",
        "OIDC_TEST_POST_LOGOUT_REDIRECT_URI": f"{PUBLIC_URL}/auth/login",
        "NODE_ENV": "test",
    }
    process = subprocess.Popen(  # noqa: S603
        [node, str(PROVIDER_SCRIPT), str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready = threading.Event()
    output: list[str] = []

    def watch() -> None:
        for line in process.stdout:
            output.append(line)
            if line.startswith("ready "):
                ready.set()

    # Read everything it prints (warnings about its development keys too): a full pipe blocks it.
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        if not ready.wait(START_TIMEOUT_SECONDS):
            pytest.fail(f"the test OpenID Connect provider did not start: {''.join(output)}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        watcher.join(timeout=5)
        process.stdout.close()


@pytest.fixture
def oidc_app(app, oidc_issuer):
    """The app with the loopback provider configured as "test"."""
    app.config["OIDC_PROVIDERS"] = {
        "test": {
            "discovery_url": f"{oidc_issuer}/.well-known/openid-configuration",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "label": "Testinstelling",
        }
    }
    return app


def sign_in_at_provider(client, login: str, start: str = "/auth/oidc/test") -> str:
    """Start at Wijklab, sign in at the provider as ``login`` (anna or bram) in a fresh browser,
    and return the path of our callback (with code and state) that the provider sends back to.
    Our own side is not called yet: the test does that with the Flask client."""
    response = client.get(start)
    assert response.status_code == 302, response.get_data(as_text=True)
    url = response.headers["Location"]
    browser = requests.Session()
    try:
        for _ in range(12):
            if url.startswith(PUBLIC_URL):
                return url[len(PUBLIC_URL) :]
            answer = browser.get(url, allow_redirects=False, timeout=10)
            if answer.status_code == 200 and answer.json().get("prompt") == "login":
                answer = browser.post(
                    url.split("?")[0] + "/login",
                    data={"login": login},
                    allow_redirects=False,
                    timeout=10,
                )
            if answer.status_code not in (302, 303):
                raise AssertionError(f"provider answered {answer.status_code}: {answer.text[:500]}")
            url = urljoin(url, answer.headers["Location"])
    finally:
        browser.close()
    raise AssertionError("the provider redirected too often")


def signed_in_user_id(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")
