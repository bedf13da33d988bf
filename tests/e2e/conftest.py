"""Browser-test fixtures: Debian's Chromium (never a downloaded browser), a live Wijklab server in
a thread of this process (so coverage counts it) with the demo data, log-in, screenshot and axe-core
helpers.

Without /usr/bin/chromium or node_modules/axe-core the tests skip with the reason; in CI
(CI=true or CI=1) they fail instead (see ``skip_or_fail``).
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import skip_or_fail
from wijklab import create_app
from wijklab.demo import DEMO_PASSWORD, seed_demo
from wijklab.extensions import db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
WIDTHS = (360, 1280)
TIMEOUT_MS = 5_000

# role -> (e-mail, name, Dutch role label in the header), all from wijklab.demo
DEMO_USERS = {
    "admin": ("admin@wijklab.example.org", "Fatima el Amrani", "Beheerder"),
    "wijkdocent": ("m.dijkstra@mondriaan.example.org", "Marloes Dijkstra", "Wijkdocent"),
    "supervisor": ("p.devries@demussen.example.org", "Petra de Vries", "Werkbegeleider"),
    "student": ("zoe.vandenberg@student.example.org", "Zoë van den Berg", "Student"),
}


# --- browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _chromium():
    """Every e2e test needs Debian's Chromium: Playwright must never download a browser."""
    if not CHROMIUM.exists():
        skip_or_fail(
            f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium) "
            "to run the browser tests"
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(_chromium):
    """Replaces pytest-playwright's fixture: launch Debian's Chromium, not a downloaded one."""
    return {"executable_path": str(CHROMIUM), "args": list(CHROMIUM_ARGS)}


@pytest.fixture
def context(new_context):
    """A fresh browser context per test that fails fast instead of waiting 30 s."""
    context = new_context()
    context.set_default_timeout(TIMEOUT_MS)
    return context


# --- live server ---------------------------------------------------------------------------

# When Chromium drops a connection while the development server streams a static file (a
# favicon fetched as the page navigates away), werkzeug leaves the file to the garbage
# collector, which warns from whichever test runs next. Only that warning, and only for the
# files under static/, is let through here; every other warning stays an error.
STATIC_FILE_WARNINGS = (
    r"ignore:unclosed file <_io\.BufferedReader name='[^']*static/:ResourceWarning",
    r"ignore:Exception ignored in. <_io\.FileIO name='[^']*static/"
    r":pytest.PytestUnraisableExceptionWarning",
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "e2e" in item.keywords:
            for spec in STATIC_FILE_WARNINGS:
                item.add_marker(pytest.mark.filterwarnings(spec))


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        pass


# The live server's app object, for tests that prepare data in its context (live_app).
_LIVE: dict = {}


@pytest.fixture(scope="session")
def live_server(_chromium, tmp_path_factory):
    """Wijklab with the demo data on a free port of 127.0.0.1, CSRF on, rate limits off; its mail
    lands as .eml files in MAIL_DIR, with links on the live server's own address."""
    database = tmp_path_factory.mktemp("e2e") / "wijklab.sqlite"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKEND": "wijklab.activity.eml",
            "MAIL_DIR": str(tmp_path_factory.mktemp("e2e-mail")),
        }
    )
    _LIVE["app"] = app
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="wijklab-e2e", daemon=True)
    thread.start()
    app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_app(live_server):
    """The live server's app: push its app_context() to prepare data (commit what it serves)."""
    return _LIVE["app"]


@pytest.fixture(scope="session")
def base_url(live_server):
    """Our own base_url: pytest-playwright's fallback warns, an error under filterwarnings."""
    return live_server


# --- helpers -------------------------------------------------------------------------------


# The session cookies of each demo user who logged in through the form in this test process.
_SIGNED_IN: dict[str, list] = {}


@pytest.fixture
def log_in(base_url):
    """Sign in and open ``path`` (the dashboard by default). The first time for a user, through
    the form at /auth/login; after that the test's fresh browser context gets that user's session
    cookies and opens ``path`` straight away (logging in through the form costs about a second a
    test). A session that has ended (a test logged that user out) sends the browser to the login
    page, and then the form is used again. The login form itself is tested in
    test_login_and_dashboard.py, which never takes the shortcut."""

    def log_in(page: Page, email: str, password: str = DEMO_PASSWORD, *, path: str = "/") -> None:
        cookies = _SIGNED_IN.get(email) if password == DEMO_PASSWORD else None
        if cookies:
            page.context.clear_cookies()
            page.context.add_cookies(cookies)
            page.goto(path)
            if urlsplit(page.url).path != "/auth/login":
                return
        page.goto("/auth/login")
        if urlsplit(page.url).path != "/auth/login":
            # Signed in after all: a response still on its way from the page before (every
            # response renews the session cookie) set a cookie again after the test cleared
            # them. Start clean once more.
            page.context.clear_cookies()
            page.goto("/auth/login")
        form = page.locator('input[name="email"]')
        if not form.count():
            # Say what the browser got instead of the form (a rate limit, an error page).
            raise AssertionError(f"no login form at {page.url}: {page.inner_text('body')[:300]}")
        form.fill(email)
        page.locator('input[name="password"]').fill(password)
        # The form's own submit button, by position: its text follows the page's language.
        page.locator('main form button[type="submit"]').click()
        expect(page).to_have_url(f"{base_url}/")
        if password == DEMO_PASSWORD:
            _SIGNED_IN[email] = page.context.cookies()
        if path != "/":
            page.goto(path)

    return log_in


@pytest.fixture
def console_errors(page):
    """Errors the page logs (a CSP violation, a failed script or stylesheet), collected as text."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def screenshot():
    """Save a full-page screenshot as tests/e2e/screenshots/<name>.png (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def describe_violations(violations: list[dict], where: str) -> str:
    """axe-core's violations as a readable list: rule, impact, help, the offending nodes."""
    lines = [f"{len(violations)} accessibility violation(s) on {where}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'no impact given'}): "
            f"{violation['help']}  [{violation.get('helpUrl', '')}]"
        )
        for node in violation.get("nodes", []):
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


@pytest.fixture
def check_axe():
    """Run axe-core in the page and fail with a readable summary of any violation."""
    if not AXE_SCRIPT.exists():
        skip_or_fail(
            f"{AXE_SCRIPT.relative_to(ROOT)} is missing: run "
            "`npm install --no-audit --no-fund axe-core@4` (make test does)"
        )

    def check(page: Page, where: str) -> None:
        page.add_script_tag(path=str(AXE_SCRIPT))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        if result["violations"]:
            pytest.fail(describe_violations(result["violations"], where), pytrace=False)

    return check
