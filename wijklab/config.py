"""Configuration classes, read from WIJKLAB_* environment variables."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

INSTANCE_PATH = Path(__file__).resolve().parent.parent / "instance"
SIGNING_SETTINGS = (
    "SIGNING_P12",
    "SIGNING_P12_PASSWORD",
    "SIGNING_KEY",
    "SIGNING_KEY_PASSWORD",
    "SIGNING_CERT",
    "SIGNING_CHAIN",
    "SIGNING_DIR",
)


class ConfigError(RuntimeError):
    """Raised when the configuration cannot be used (for example no secret key in production)."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def development_secret_key(instance_path: Path) -> str:
    """Generate a secret key once and keep it in instance/, so sessions survive restarts."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


class Config:
    """Development defaults: SQLite in instance/, a generated secret key, memory rate limits."""

    ENV_NAME = "development"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_PATH / 'wijklab.sqlite'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    # A shared store (Redis) that cannot be reached must not stop anyone signing in: the limiter
    # counts per process until the store answers again (and logs the switch both ways), and
    # gives up on the store quickly.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS: dict = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_RATE_LIMIT = "10 per minute"
    VERIFY_RATE_LIMIT = "30 per minute"
    # Statements in one download for the exam committee (each is rendered and signed).
    COMMITTEE_EXPORT_MAX = 300

    IDLE_TIMEOUT = timedelta(hours=8)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "wijklab_session"
    REMEMBER_COOKIE_NAME = "wijklab_remember"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session it belongs to
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")
    PER_PAGE = 25
    # A Unicode TrueType font for PDFs (names like Ayşe); Debian's fonts-dejavu-core has it.
    PDF_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
    PDF_FONT = "DejaVuSans.ttf"
    PDF_FONT_BOLD = "DejaVuSans-Bold.ttf"

    # Links in mail and the verification address on statements are absolute on this address,
    # never on the request's Host header.
    PUBLIC_URL: str | None = "http://127.0.0.1:5000"
    # Host names this app answers to (Flask refuses any other Host with a 400); None: any.
    # Host names the app answers (WIJKLAB_TRUSTED_HOSTS), checked by wijklab.security before
    # Flask sees the request; not Flask's own TRUSTED_HOSTS, so the health check can be exempt.
    ALLOWED_HOSTS: list[str] | None = None
    # Mail: in development every message is an .eml file in MAIL_DIR (listed at /dev/mail);
    # WIJKLAB_MAIL_BACKEND=smtp with WIJKLAB_MAIL_SERVER etc. sends it for real.
    MAIL_BACKEND = "wijklab.activity.eml"
    MAIL_DIR = str(INSTANCE_PATH / "mail")
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_TIMEOUT = 10
    MAIL_DEFAULT_SENDER = "Wijklab <noreply@wijklab.example.org>"
    DEV_MAILBOX = True
    # Jobs: with a Redis URL, mail and schedules run on RQ workers; without, in-process.
    REDIS_URL: str | None = None
    RQ_QUEUE = "wijklab"
    # How long neighbourhood figures and placements may be cached (writes forget them sooner).
    FIGURES_CACHE_SECONDS = 60
    # Whole pages per session until the next write (wijklab.pagecache): None means on when
    # REDIS_URL is set (a cache every worker shares).
    PAGE_CACHE: bool | None = None
    PAGE_CACHE_SECONDS = 60
    REVIEW_LINK_RATE_LIMIT = "30 per minute"
    # Calendar apps fetch every few minutes, and Google's and Microsoft's share addresses.
    AGENDA_FEED_RATE_LIMIT = "120 per minute"
    FORGOT_PASSWORD_RATE_LIMIT = "5 per minute"  # noqa: S105  (a rate, not a password)
    # Behind exactly one reverse proxy (deploy/nginx): trust its X-Forwarded-For/-Proto/-Host.
    PROXY_FIX = False
    # The certificate that signs statement PDFs (wijklab.statements.signing): a PKCS#12 file, or
    # a PEM key and certificate (with an optional PEM chain). Without one, development generates
    # a self-signed certificate once into SIGNING_DIR (default <instance>/signing); production
    # refuses to start.
    SIGNING_P12: str | None = None
    SIGNING_P12_PASSWORD: str | None = None
    SIGNING_KEY: str | None = None
    SIGNING_KEY_PASSWORD: str | None = None
    SIGNING_CERT: str | None = None
    SIGNING_CHAIN: str | None = None
    SIGNING_DIR: str | None = None

    @classmethod
    def from_environment(cls) -> dict:
        """Values that the environment overrides, read when the app is created (not at import)."""
        values: dict = {}
        if url := os.environ.get("WIJKLAB_DATABASE_URL"):
            values["SQLALCHEMY_DATABASE_URI"] = url
        if key := os.environ.get("WIJKLAB_SECRET_KEY"):
            values["SECRET_KEY"] = key
        if uri := os.environ.get("WIJKLAB_RATELIMIT_STORAGE_URI"):
            values["RATELIMIT_STORAGE_URI"] = uri
        if font_dir := os.environ.get("WIJKLAB_PDF_FONT_DIR"):
            values["PDF_FONT_DIR"] = font_dir
        if url := os.environ.get("WIJKLAB_PUBLIC_URL"):
            values["PUBLIC_URL"] = url.strip()
        if hosts := os.environ.get("WIJKLAB_TRUSTED_HOSTS"):
            values["ALLOWED_HOSTS"] = [h.strip() for h in hosts.split(",") if h.strip()]
        if folder := os.environ.get("WIJKLAB_MAIL_DIR"):
            values["MAIL_DIR"] = folder
        backend = os.environ.get("WIJKLAB_MAIL_BACKEND", "").strip().lower()
        if backend:
            if backend not in {"smtp", "file"}:
                raise ConfigError("WIJKLAB_MAIL_BACKEND must be smtp or file")
            values["MAIL_BACKEND"] = "smtp" if backend == "smtp" else "wijklab.activity.eml"
        for name in ("SERVER", "USERNAME", "PASSWORD"):
            if value := os.environ.get(f"WIJKLAB_MAIL_{name}"):
                values[f"MAIL_{name}"] = value
        if os.environ.get("WIJKLAB_MAIL_PORT"):
            values["MAIL_PORT"] = _env_int("WIJKLAB_MAIL_PORT", 25)
        for name in ("USE_TLS", "USE_SSL"):
            if value := os.environ.get(f"WIJKLAB_MAIL_{name}"):
                values[f"MAIL_{name}"] = value.strip().lower() in {"1", "true", "yes", "on"}
        if sender := os.environ.get("WIJKLAB_MAIL_FROM"):
            values["MAIL_DEFAULT_SENDER"] = sender
        if url := os.environ.get("WIJKLAB_REDIS_URL"):
            values["REDIS_URL"] = url
        page_cache = os.environ.get("WIJKLAB_PAGE_CACHE", "").strip().lower()
        if page_cache in {"0", "false", "1", "true"}:
            values["PAGE_CACHE"] = page_cache in {"1", "true"}
        if name := os.environ.get("WIJKLAB_RQ_QUEUE"):
            values["RQ_QUEUE"] = name
        values["PROXY_FIX"] = os.environ.get("WIJKLAB_PROXY_FIX", "").strip() in {"1", "true"}
        for name in SIGNING_SETTINGS:
            if value := os.environ.get(f"WIJKLAB_{name}"):
                values[name] = value
        idle = _env_int("WIJKLAB_IDLE_TIMEOUT_MINUTES", int(cls.IDLE_TIMEOUT.total_seconds() // 60))
        values["IDLE_TIMEOUT"] = timedelta(minutes=idle)
        values["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=idle)
        remember = _env_int("WIJKLAB_REMEMBER_DAYS", cls.REMEMBER_COOKIE_DURATION.days)
        values["REMEMBER_COOKIE_DURATION"] = timedelta(days=min(max(remember, 0), 30))
        return values


class ProductionConfig(Config):
    """Production: a secret key from the environment is required, cookies are Secure."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    MAIL_BACKEND = "smtp"
    DEV_MAILBOX = False
    PUBLIC_URL = None  # required: WIJKLAB_PUBLIC_URL


class TestingConfig(Config):
    """Tests: in-memory SQLite unless WIJKLAB_TEST_DATABASE_URL names PostgreSQL."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    # The limiter stays on (its storage exists) but lets tests through; rate-limit tests lower it.
    LOGIN_RATE_LIMIT = "10000 per minute"
    VERIFY_RATE_LIMIT = "10000 per minute"
    REVIEW_LINK_RATE_LIMIT = "10000 per minute"
    AGENDA_FEED_RATE_LIMIT = "10000 per minute"
    FORGOT_PASSWORD_RATE_LIMIT = "10000 per minute"  # noqa: S105  (a rate, not a password)
    # Tests send through a real SMTP server in the test process (tests/conftest.py sets the port).
    MAIL_BACKEND = "smtp"
    MAIL_SERVER = "127.0.0.1"
    DEV_MAILBOX = False
    PUBLIC_URL = "https://wijklab.example.org"
    PAGE_CACHE = False  # tests/test_page_cache.py turns it on

    @classmethod
    def from_environment(cls) -> dict:
        values = {
            "SQLALCHEMY_DATABASE_URI": os.environ.get("WIJKLAB_TEST_DATABASE_URL") or "sqlite://"
        }
        return values


def load_config(app, config=None) -> None:
    """Apply a config class, or a mapping of overrides, then settle the secret key.

    A mapping with TESTING set overrides TestingConfig; any other mapping overrides the class
    that WIJKLAB_ENV names (development by default).
    """
    overrides: dict = {}
    if config is None or isinstance(config, dict):
        overrides = dict(config or {})
        if overrides.get("TESTING"):
            config = TestingConfig
        elif os.environ.get("WIJKLAB_ENV", "development").lower() == "production":
            config = ProductionConfig
        else:
            config = Config
    app.config.from_object(config)
    app.config.update(config.from_environment())
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] == "production":
            raise ConfigError(
                "WIJKLAB_SECRET_KEY is not set: production refuses to start without a secret key."
            )
        app.config["SECRET_KEY"] = development_secret_key(Path(app.instance_path))
    _settle_public_address(app.config)
    _settle_signing(app.config)


def _settle_signing(config) -> None:
    """Check the signing certificate settings: one kind, files that exist, and (in production)
    a certificate at all: a statement signed with a generated certificate proves nothing."""
    p12, key, cert = (config.get(f"SIGNING_{name}") for name in ("P12", "KEY", "CERT"))
    if p12 and (key or cert):
        raise ConfigError(
            "Set either WIJKLAB_SIGNING_P12 or WIJKLAB_SIGNING_KEY with WIJKLAB_SIGNING_CERT, "
            "not both."
        )
    if bool(key) != bool(cert):
        raise ConfigError("WIJKLAB_SIGNING_KEY and WIJKLAB_SIGNING_CERT go together: set both.")
    for name in ("P12", "KEY", "CERT", "CHAIN"):
        path = config.get(f"SIGNING_{name}")
        if path and not Path(path).is_file():
            raise ConfigError(f"WIJKLAB_SIGNING_{name} names {path}, which is no file.")
    if config["ENV_NAME"] == "production" and not (p12 or key):
        raise ConfigError(
            "No signing certificate: production refuses to start without the certificate that "
            "signs statement PDFs. Set WIJKLAB_SIGNING_P12 (with WIJKLAB_SIGNING_P12_PASSWORD) or "
            "WIJKLAB_SIGNING_KEY and WIJKLAB_SIGNING_CERT (PEM files)."
        )


def _settle_public_address(config) -> None:
    """Check PUBLIC_URL (required in production) and, in production, trust only its host unless
    WIJKLAB_TRUSTED_HOSTS names the hosts."""
    url = config.get("PUBLIC_URL")
    if not url:
        if config["ENV_NAME"] == "production":
            raise ConfigError(
                "WIJKLAB_PUBLIC_URL is not set: production refuses to start without the public "
                "address (for example https://wijklab.example.org)."
            )
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"WIJKLAB_PUBLIC_URL must be an http(s) address, not {url!r}")
    config["PUBLIC_URL"] = url.rstrip("/")
    if config["ENV_NAME"] == "production" and not config.get("ALLOWED_HOSTS"):
        config["ALLOWED_HOSTS"] = [parts.hostname]
