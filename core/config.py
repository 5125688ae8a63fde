"""Configuration: defaults, then instance/config.py, then the environment."""

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """The app cannot start with this configuration."""


DEFAULTS = {
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "LANGUAGES": ("vi", "en"),
    "WTF_CSRF_TIME_LIMIT": None,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Per person (account, or a guest's session) and, with a much higher ceiling, per address
    # (core.limits). Login is counted per account typed. Each may be set in the environment.
    "RATELIMIT_LOGIN": "10 per minute; 50 per hour",
    "RATELIMIT_LOGIN_PER_ADDRESS": "100 per minute",
    "RATELIMIT_REGISTER": "5 per minute",
    "RATELIMIT_REGISTER_PER_ADDRESS": "60 per minute",
    "RATELIMIT_PASSWORD": "10 per minute",
    "RATELIMIT_PASSWORD_PER_ADDRESS": "100 per minute",
    # Asking for a password reset mail: per account typed (a mailbox is not flooded, whatever
    # addresses ask), and setting the new password through the mailed link: per person.
    "RATELIMIT_FORGOT_PASSWORD": "5 per minute; 20 per hour",
    "RATELIMIT_FORGOT_PASSWORD_PER_ADDRESS": "60 per minute",
    "RATELIMIT_RESET_PASSWORD": "10 per minute",
    "RATELIMIT_RESET_PASSWORD_PER_ADDRESS": "100 per minute",
    "RATELIMIT_CHECKOUT": "10 per minute",
    "RATELIMIT_CHECKOUT_PER_ADDRESS": "600 per minute",
    "RATELIMIT_BOOKING": "10 per minute",
    "RATELIMIT_BOOKING_PER_ADDRESS": "600 per minute",
    "RATELIMIT_BOOTH_REQUEST": "20 per minute",
    "RATELIMIT_BOOTH_REQUEST_PER_ADDRESS": "600 per minute",
    # Bank notices (payments.webhooks): per feed (the token in the address), and per address
    # far higher, since SePay sends every cooperative's notices from the same servers.
    "RATELIMIT_BANK_WEBHOOK": "600 per minute",
    "RATELIMIT_BANK_WEBHOOK_PER_ADDRESS": "6000 per minute",
    "CATALOGUE_PAGE_SIZE": 24,
    # The whole-page cache of guests' public pages (core.page_cache): PAGE_CACHE=off in the
    # environment turns it off. How long nginx or a CDN may hold a page (s-maxage), and how
    # many pages and how long this process keeps at most (never past a change: see there).
    "PAGE_CACHE": True,
    "PAGE_CACHE_S_MAXAGE": 10,
    "PAGE_CACHE_ENTRIES": 2000,
    "PAGE_CACHE_SECONDS": 600,
    # Parts of pages kept per page version for everyone (core.page_parts: a product's body, a
    # catalogue query's results): PAGE_PARTS=off renders them every time (the benchmarks' cold
    # figures).
    "PAGE_PARTS": True,
    # How long a mailed password reset link works, in seconds (core.accounts). It also stops
    # working once the password is changed: it can be used once.
    "PASSWORD_RESET_MAX_AGE": 3600,
    # Static files may be cached for a year: their URLs carry a fingerprint of the content
    # (core.assets.static_url), and a URL without one is told to revalidate.
    "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,
    # The app's log level (core.logging). The lines' format is LOG_FORMAT (log_format below):
    # "json" in production, "text" (readable lines) for `make run` and FLASK_DEBUG.
    "LOG_LEVEL": "INFO",
    # Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For gives the
    # visitor's address to the rate limits; 0 trusts no such header (a visitor could forge it).
    "TRUSTED_PROXIES": 0,
    # Delivery fee per cooperative's parcel, by destination (core.provinces.delivery_region),
    # free from a parcel worth FREE_DELIVERY_FROM.
    "DELIVERY_FEES": {"same_province": 20_000, "mekong": 30_000, "elsewhere": 45_000},
    "FREE_DELIVERY_FROM": 500_000,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_SENDER": "OCOP Hậu Giang <no-reply@ocop.haugiang.example>",
    # Zalo ZNS (core.zalo): off until an Official Account's access token is set.
    "ZALO_ZNS_ACCESS_TOKEN": "",
    "ZALO_ZNS_TEMPLATES": "",
    "ZALO_ZNS_URL": "",
    "OFFICE_CONTACT": {
        "address": "Số 8 Ngô Quốc Trị, phường 5, TP Vị Thanh, Hậu Giang",
        "phone": "0293 3878 123",
        "email": "ocop@haugiang.example",
    },
}

ENV_KEYS = (
    "SECRET_KEY",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_SENDER",
    "MAIL_OUTBOX",
    "UPLOAD_FOLDER",
    "ZALO_ZNS_ACCESS_TOKEN",
    "ZALO_ZNS_TEMPLATES",
    "ZALO_ZNS_URL",
    "LOG_LEVEL",
)


LOG_FORMATS = ("json", "text")


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def log_format(config) -> str:
    """How log lines are written (core.logging): "json", one JSON object a line, the default
    (production: gunicorn, the worker); "text", readable lines ("19:41:19 INFO POST /login 302
    (9.8 ms)"), for a person at a terminal: `make run` sets LOG_FORMAT=text, and FLASK_DEBUG
    means text too; "" under TESTING: Flask's own handler, as the tests read it. LOG_FORMAT
    decides when set; else LOG_JSON (the older switch: LOG_JSON=0 is text)."""
    if config.get("LOG_FORMAT") in LOG_FORMATS:
        return config["LOG_FORMAT"]
    if config.get("LOG_JSON") is not None:
        return "json" if config["LOG_JSON"] else ("" if config.get("TESTING") else "text")
    if config.get("TESTING"):
        return ""
    return "text" if _truthy(os.environ.get("FLASK_DEBUG", "")) else "json"


def is_production() -> bool:
    return os.environ.get("OCOP_ENV", "development") == "production"


def load_config(app, overrides=None):
    """Fill app.config; raise ConfigError for what production cannot do without."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.update(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for key in ENV_KEYS:
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    for key, value in os.environ.items():
        if key.startswith("RATELIMIT_") and isinstance(DEFAULTS.get(key), str) and value:
            app.config[key] = value
    if (
        os.environ.get("TRUSTED_PROXIES", "").isascii()
        and os.environ.get("TRUSTED_PROXIES", "").isdigit()
    ):
        app.config["TRUSTED_PROXIES"] = int(os.environ["TRUSTED_PROXIES"])
    if os.environ.get("MAIL_PORT"):
        app.config["MAIL_PORT"] = int(os.environ["MAIL_PORT"])
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    if os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
    if os.environ.get("PAGE_CACHE_REDIS_URL"):
        app.config["PAGE_CACHE_REDIS_URL"] = os.environ["PAGE_CACHE_REDIS_URL"]
    if os.environ.get("PAGE_CACHE"):
        app.config["PAGE_CACHE"] = _truthy(os.environ["PAGE_CACHE"])
    if os.environ.get("PAGE_PARTS"):
        app.config["PAGE_PARTS"] = _truthy(os.environ["PAGE_PARTS"])
    if os.environ.get("LOG_JSON"):
        app.config["LOG_JSON"] = _truthy(os.environ["LOG_JSON"])
    if os.environ.get("LOG_FORMAT", "").strip().lower() in LOG_FORMATS:
        app.config["LOG_FORMAT"] = os.environ["LOG_FORMAT"].strip().lower()
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{instance / 'ocop.db'}")
    app.config.setdefault("MAIL_OUTBOX", str(instance / "outbox"))
    app.config.setdefault("UPLOAD_FOLDER", str(instance / "uploads"))
    if overrides:
        app.config.update(overrides)
    app.config["LOG_FORMAT"] = log_format(app.config)
    app.config["LOG_JSON"] = app.config["LOG_FORMAT"] == "json"
    # Tests run each job where it is enqueued (core.jobs); elsewhere a worker takes them.
    app.config.setdefault("JOBS_IMMEDIATE", app.config.get("TESTING", False))
    if is_production():
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        if is_production():
            raise ConfigError(
                "SECRET_KEY is not set. In production (OCOP_ENV=production) set the SECRET_KEY "
                "environment variable or put SECRET_KEY in instance/config.py."
            )
        app.config["SECRET_KEY"] = _development_secret(instance)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"])


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// forms and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # Busy timeout in seconds; the pragmas are set per connection in core.db.
        return {"connect_args": {"timeout": 10}}
    return {
        "pool_pre_ping": True,
        # A lock wait ends with an error we turn into "please try again", never a hang.
        "connect_args": {"options": "-c lock_timeout=5000 -c statement_timeout=30000"},
    }


def _development_secret(instance: Path) -> str:
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
