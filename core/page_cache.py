"""Public pages served whole from a cache to guests, and never stale.

What a guest who has done nothing reads (home, the catalogue with its query, a product, a
cooperative, tourism, fairs: views marked @public_page) is the same for every such guest in
one language, so it is rendered once and kept: in this process's memory by default, in Redis
with REDIS_URL (Flask-Caching's backends). The cache is a WSGI middleware in front of Flask:
a hit costs one one-row query and a lookup, none of Flask's per-request work.

Never stale: each page is kept under the site's page version, a counter in the one-row table
page_version that a trigger on every table a page shows (all but TABLES_NOT_ON_PAGES) bumps in
the transaction of the change itself, whoever makes it (a route, a job, a command, psql). The
version is read before the page is rendered, so a page is never kept under a version older
than the data it shows' own. The key also holds today's date in Hậu Giang (a rating expires
on a date), the language, the Accept-Encoding (Flask-Compress answers each differently) and
htmx's headers (the catalogue answers htmx with its results only).

A guest who has done nothing: no remember-me cookie, and no session or one that holds nothing
a page shows (a CSRF token, a rate limit's id, the language). Everyone else, logged in or
with a cart or a message to flash, gets the page rendered for them, as before. A page rendered
for the cache carries no CSRF token (page_csrf_token() is ""): a guest's POST without one is
accepted when the browser says it comes from this site (core.security.SiteCSRFProtect). A
response that sets a cookie is never kept.

Kept pages go out with an ETag (a repeated visit is a 304) and `Cache-Control: public,
max-age=0, s-maxage=PAGE_CACHE_S_MAXAGE`, so nginx or a CDN may hold them that long too
(README, "Page cache"); every other answer is `private`.
"""

import hashlib
import logging
import threading
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs

from flask import current_app, g, request
from flask_caching import Cache
from flask_login import config as login_config
from sqlalchemy import text
from werkzeug.http import parse_cookie

from core import clock
from core.db import write_transaction
from core.extensions import db
from core.logging import request_id_from
from core.models import utcnow
from core.page_parts import LONGEST_KEPT_QUERY, VERSION_QUERY, remember_version

log = logging.getLogger(__name__)

cache = Cache()

# Tables whose rows no page kept for guests ever shows: a change to them leaves the page
# version alone (an order, a bank notice, a mail). Every other table carries the version's
# triggers (tests/test_page_cache.py checks both ways). A lot is here: its units and scans
# change with every sale and scan, and the product page shows the product's stock, not its lots.
# Users too: no page shows an account (a review keeps its author's shown name), and a sign-up,
# a logout or a language chosen would otherwise renew every kept page.
TABLES_NOT_ON_PAGES = frozenset(
    {
        "audit_events",
        "bank_feeds",
        "bank_transactions",
        "booking_events",
        "cart_items",
        "checkouts",
        "form_submissions",
        "lots",
        "messages",
        "order_events",
        "order_line_lots",
        "order_lines",
        "orders",
        "payment_allocations",
        "refunds",
        "saved_addresses",
        "statement_uploads",
        "users",
    }
)
# What a guest's session may hold and still be served the guests' page (Flask-Login marks any
# session without a login "_fresh": False).
GUEST_SESSION_KEYS = frozenset({"csrf_token", "limit_id", "lang", "_fresh"})
KEEP_HEADER = "X-Page-Cache-Keep"  # Flask's mark on a page the middleware may keep
_KEY = "ocop.page_cache_key"  # in the WSGI environ: the key of a page rendered for the cache
# What the pages' views read of htmx's headers (request.htmx, its history restore).
_HTMX_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_HISTORY_RESTORE_REQUEST")
_VARY = "Cookie, Accept-Encoding, HX-Request, HX-History-Restore-Request"
_ENCODINGS = ("zstd", "br", "gzip", "deflate", "identity")


def public_page(view):
    """Mark a view whose GET answer to a guest who has done nothing is everyone's."""
    view.public_page = True
    return view


def keep_until(moment: datetime) -> None:
    """The page being rendered changes by itself at `moment` (naive UTC, as stored: a booth's
    hold ends), with no write to bump the version: it is kept until then at most."""
    earliest = g.get("page_keep_until")
    g.page_keep_until = moment if earliest is None else min(earliest, moment)


def version_trigger_sql(dialect: str, table: str) -> list[str]:
    """The statements that make a change to `table` bump the page version in its transaction
    (for a migration that adds a table a page shows)."""
    if dialect == "postgresql":
        # At commit (deferred), once per transaction: the one row is locked only while the
        # transaction commits, so changes to different products do not queue behind each other.
        # (No TRUNCATE trigger: it cannot be deferred, and only the tests truncate.)
        return [
            f'DROP TRIGGER IF EXISTS page_version_{table} ON "{table}"',
            f'CREATE CONSTRAINT TRIGGER page_version_{table} AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_page_version()",
        ]
    # SQLite has no statement or deferred triggers; it has one writer at a time anyway.
    return [
        f"CREATE TRIGGER IF NOT EXISTS page_version_{table}_{verb.lower()} "
        f'AFTER {verb} ON "{table}" BEGIN UPDATE page_version SET version = version + 1; END'
        for verb in ("INSERT", "UPDATE", "DELETE")
    ]


def drop_version_trigger_sql(dialect: str, table: str) -> list[str]:
    """The statements that take version_trigger_sql's triggers off `table` again."""
    if dialect == "postgresql":
        return [f'DROP TRIGGER IF EXISTS page_version_{table} ON "{table}"']
    return [
        f"DROP TRIGGER IF EXISTS page_version_{table}_{verb}"
        for verb in ("insert", "update", "delete")
    ]


# PostgreSQL's bump, once per transaction (a transaction-local setting remembers it).
BUMP_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION bump_page_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('ocop.page_version_bumped', true), '') <> 'on' THEN
        PERFORM set_config('ocop.page_version_bumped', 'on', true);
        UPDATE page_version SET version = version + 1;
    END IF;
    RETURN NULL;
END
$$
"""


def fresh_version() -> int:
    """A version no page was ever kept under, for a database made or put back: microseconds
    since the epoch, ahead of any count of changes before (one per change), so a page kept
    (in Redis, or a process not restarted) for an older database is never taken for its."""
    return time.time_ns() // 1000


def code_fingerprint(root: Path) -> str:
    """What the code, templates, translations and static files are: a deploy's pages are
    never taken for the last one's (Redis keeps them across a rolling restart)."""
    digest = hashlib.blake2b(digest_size=8)
    folders = [
        folder
        for folder in sorted(root.iterdir())
        if folder.name in ("templates", "translations", "static")
        or ((folder / "__init__.py").exists() and folder.name not in ("tests", "bench"))
    ]
    for path in [root / "app.py", *(p for f in folders for p in sorted(f.rglob("*")))]:
        if path.is_file() and path.suffix not in (".pyc", ".po"):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def accepted_encodings(header: str) -> str | None:
    """Accept-Encoding as Flask-Compress reads it (the encodings it knows, their order and
    weights), so that a made-up header is not a new page; None when it is too long to be a
    browser's."""
    known = [
        part.replace(" ", "")
        for part in header.lower().split(",")
        if part.split(";")[0].strip() in _ENCODINGS
    ]
    joined = ",".join(known)
    return joined if len(joined) <= 80 else None


def renew_version() -> None:
    """A version no page was kept under (fresh_version), after a migration or a restore of
    PostgreSQL (`flask init-db`): pages kept before, in Redis, are not taken for these."""
    with write_transaction():
        db.session.execute(
            text("UPDATE page_version SET version = :fresh WHERE version < :fresh"),
            {"fresh": fresh_version()},
        )


def page_key(environ: dict, language: str, version: int, code: str) -> str | None:
    encodings = accepted_encodings(environ.get("HTTP_ACCEPT_ENCODING", ""))
    if encodings is None:
        return None
    parts = [
        code,
        str(version),
        clock.today().isoformat(),
        language,
        environ.get("wsgi.url_scheme", ""),
        environ.get("HTTP_HOST", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        encodings,
        *(environ.get(name, "") for name in _HTMX_HEADERS),
    ]
    return "page:" + hashlib.blake2b("\n".join(parts).encode(), digest_size=20).hexdigest()


class PageCache:
    """The WSGI middleware: serves kept pages to guests who have done nothing, keeps the
    pages Flask marks (KEEP_HEADER), passes everything else through untouched."""

    def __init__(self, app, wsgi_app, *, in_memory: bool):
        self.app = app
        self.wsgi_app = wsgi_app
        self.store = app.extensions["cache"][cache]
        # cachelib's memory cache is not thread safe (gunicorn's threads); Redis is.
        self.lock = threading.Lock() if in_memory else None
        with app.app_context():
            self.engine = db.engine
        self.serializer = app.session_interface.get_signing_serializer(app)
        self.session_cookie = app.config["SESSION_COOKIE_NAME"]
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", login_config.COOKIE_NAME)
        self.languages = app.config["LANGUAGES"]
        self.default_language = app.config["BABEL_DEFAULT_LOCALE"]
        self.s_maxage = app.config["PAGE_CACHE_S_MAXAGE"]
        self.access_log = app.logger.getChild("access")
        self.code = code_fingerprint(Path(app.root_path))

    def __call__(self, environ, start_response):
        # A query longer than any form of ours makes is a crawler's or an attacker's: pages
        # kept for each would only push out the real ones.
        query = environ.get("QUERY_STRING", "")
        if environ.get("REQUEST_METHOD") != "GET" or len(query) > LONGEST_KEPT_QUERY:
            return self.wsgi_app(environ, start_response)
        language = self.guest_language(environ)
        if language is None:
            return self.wsgi_app(environ, start_response)
        try:
            version = self.version()
        except Exception:  # noqa: BLE001 - no version (a database not migrated yet): no cache
            log.warning("page version unreadable; page served uncached", exc_info=True)
            return self.wsgi_app(environ, start_response)
        remember_version(environ, version)
        key = page_key(environ, language, version, self.code)
        if key is None:
            return self.wsgi_app(environ, start_response)
        page = self.get(key)
        if page is not None:
            return self.serve(page, environ, start_response)
        environ[_KEY] = key
        return self.render_and_keep(key, environ, start_response)

    def guest_language(self, environ) -> str | None:
        """The language of a guest who has done nothing; None for anyone else."""
        cookies = parse_cookie(environ)
        if self.remember_cookie in cookies:
            return None
        session = {}
        cookie = cookies.get(self.session_cookie)
        if cookie:
            try:
                session = self.serializer.loads(cookie)
            except Exception:  # noqa: BLE001 - a bad cookie: Flask makes a new session
                return None
            if not isinstance(session, dict) or not session.keys() <= GUEST_SESSION_KEYS:
                return None
        remembered = session.get("lang")
        asked = parse_qs(environ.get("QUERY_STRING", "")).get("lang", [None])[-1]
        if asked in self.languages and asked != remembered:
            return None  # Flask remembers the choice (a cookie): that answer is not kept
        return remembered if remembered in self.languages else self.default_language

    def version(self) -> int:
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(VERSION_QUERY)
            # All rows and a closed cursor: an SQLite statement left unfinished keeps its
            # read snapshot, and the next request on this connection would read that.
            (version,) = cursor.fetchall()[0]
            cursor.close()
            return version
        finally:
            connection.close()

    def get(self, key):
        try:
            if self.lock is None:
                return self.store.get(key)
            with self.lock:
                return self.store.get(key)
        except Exception:  # noqa: BLE001 - Redis away: the page is rendered, as without a cache
            log.warning("page cache unreachable; page served uncached", exc_info=True)
            return None

    def keep(self, key, page, seconds: int) -> None:
        try:
            if self.lock is None:
                self.store.set(key, page, timeout=seconds)
            else:
                with self.lock:
                    self.store.set(key, page, timeout=seconds)
        except Exception:  # noqa: BLE001 - Redis away: not kept this time
            log.warning("page cache unreachable; page not kept", exc_info=True)

    def render_and_keep(self, key, environ, start_response):
        answer = {}

        def capture(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            if any(name == KEEP_HEADER for name, _ in headers):
                return lambda data: None  # Flask returns its body, never writes
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        if "status" not in answer or not any(n == KEEP_HEADER for n, _ in answer["headers"]):
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        headers = [(n, v) for n, v in answer["headers"] if n not in (KEEP_HEADER, "X-Request-ID")]
        status = answer["status"]
        seconds = int(next(v for n, v in answer["headers"] if n == KEEP_HEADER))
        if status.startswith("200") and not any(n.lower() == "set-cookie" for n, _ in headers):
            etag = '"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'
            headers = [(n, v) for n, v in headers if n not in ("Cache-Control", "Vary", "ETag")]
            headers += [
                ("Cache-Control", f"public, max-age=0, s-maxage={self.s_maxage}"),
                ("Vary", _VARY),
                ("ETag", etag),
            ]
            self.keep(key, (status, headers, content, etag), seconds)
        request_id = [(n, v) for n, v in answer["headers"] if n == "X-Request-ID"]
        start_response(status, headers + request_id)
        return [content]

    def serve(self, page, environ, start_response):
        status, headers, content, etag = page
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        if etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            status, content = "304 Not Modified", b""
            headers = [(n, v) for n, v in headers if n in ("Cache-Control", "Vary", "ETag")]
        if self.access_log.isEnabledFor(logging.INFO):
            path = environ.get("PATH_INFO", "")
            code = int(status[:3])
            self.access_log.info(
                "GET %s %s (page cache)",
                path,
                code,
                extra={"request_id": request_id, "method": "GET", "path": path, "status": code},
            )
        start_response(status, [*headers, ("X-Request-ID", request_id), ("X-Page-Cache", "hit")])
        return [content]


def _mark_page_for_cache() -> None:
    view = current_app.view_functions.get(request.endpoint)
    g.page_for_cache = _KEY in request.environ and getattr(view, "public_page", False)


def _label_answer(response):
    if g.get("page_for_cache") and response.status_code == 200:
        seconds = current_app.config["PAGE_CACHE_SECONDS"]
        if (until := g.get("page_keep_until")) is not None:
            seconds = min(seconds, int((until - utcnow()).total_seconds()))
        if seconds > 0:
            response.headers[KEEP_HEADER] = str(seconds)
    # The middleware makes a page it keeps public; any other answer is this visitor's.
    response.headers.setdefault("Cache-Control", "private")
    return response


def init_app(app) -> None:
    redis_url = app.config.get("PAGE_CACHE_REDIS_URL") or app.config.get("REDIS_URL")
    cache.init_app(
        app,
        config={
            "CACHE_TYPE": "RedisCache" if redis_url else "SimpleCache",
            "CACHE_REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": "ocop-page:",
            "CACHE_THRESHOLD": app.config["PAGE_CACHE_ENTRIES"],
            "CACHE_DEFAULT_TIMEOUT": app.config["PAGE_CACHE_SECONDS"],
        },
    )
    app.before_request(_mark_page_for_cache)
    app.after_request(_label_answer)
    if app.config["PAGE_CACHE"]:
        app.wsgi_app = PageCache(app, app.wsgi_app, in_memory=not redis_url)
