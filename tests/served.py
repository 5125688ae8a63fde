"""The app as it is served in production, for tests that talk HTTP to it.

`serve(folder)` migrates the test database (TEST_DATABASE_URL, or a fresh SQLite file in folder),
empties its tables and starts the real gunicorn with the project's gunicorn.conf.py: several
worker processes of a few threads each, on a free port of 127.0.0.1. Its log (stderr, plain
text: LOG_JSON=0) goes to a file in folder; `explain()` gives what it logged since a point, for
the message of a failed assertion. The data a test needs is made in this process, through the
app's own functions, against the same database (`with served.data():`).

The rate limits are the app's real ones. Every worker is its own process, so their counts are
kept in Redis (db 14) when it is up, under a key prefix of this run only: nothing of another
run, or of anyone else using that db, is counted or flushed.

`Person` is someone with a browser: its own cookie jar and, if given one, its own loopback
address (all of 127.0.0.0/8 reaches 127.0.0.1 on Linux), which is the address the app sees.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from itertools import count
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit
from urllib.request import (
    HTTPCookieProcessor,
    HTTPErrorProcessor,
    HTTPHandler,
    Request,
    build_opener,
)

import pytest

from tests.ci import not_available

ROOT = Path(__file__).resolve().parent.parent
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 14
WORKERS, THREADS = 3, 2
START_TIMEOUT = 45  # seconds for gunicorn to answer /healthz
REQUEST_TIMEOUT = 45  # seconds; above gunicorn's worker timeout (30), so a hung worker shows

ERROR_PAGE = "Đã có lỗi xảy ra"  # the heading of the 500 page
TOO_MANY_REQUESTS = "Quá nhiều yêu cầu"  # the heading of the 429 page


def venv_tool(name: str) -> str | None:
    """A command installed next to this Python (the project's .venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    return shutil.which(name)


def redis_is_up() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=0.5):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


_addresses = count(1)


def fresh_address() -> str:
    """A loopback address no other person of this run has used: 127.0.1.1, 127.0.1.2, ..."""
    number = next(_addresses)
    return f"127.0.{1 + number // 250}.{1 + number % 250}"


# --- the server ---------------------------------------------------------------------------


class ServedApp:
    def __init__(self, url, process, log_path, app, rate_limits_shared):
        self.url = url
        self.process = process
        self.log_path = log_path
        self.app = app  # the same database, in this process: to make and read data
        self.rate_limits_shared = rate_limits_shared  # counted in Redis, across workers

    @contextmanager
    def data(self):
        """The app's database session, in this process; committed at the end. Each block
        reads afresh what the server wrote."""
        from core.extensions import db

        with self.app.app_context():
            try:
                yield db.session
                db.session.commit()
            finally:
                db.session.remove()

    def log_position(self) -> int:
        return self.log_path.stat().st_size

    def log_since(self, position: int) -> str:
        """The log from position, as plain text: gunicorn.conf.py gives the root logger a
        JSON handler, so even with LOG_JSON=0 the lines come as JSON; each is shown as
        "[time] LEVEL logger: message (method path status)" and its traceback below it."""
        with open(self.log_path, "rb") as log:
            log.seek(position)
            raw = log.read().decode("utf-8", "replace")
        return "\n".join(_plain(line) for line in raw.splitlines())

    def explain(self, position: int) -> str:
        """What the server logged since position: each kind of exception with how often, the
        first traceback, and the last lines."""
        text = self.log_since(position)
        lines = text.splitlines()
        exceptions: dict[str, int] = {}
        for line in lines:
            if _EXCEPTION_LINE.match(line):
                exceptions[line[:300]] = exceptions.get(line[:300], 0) + 1
        parts = ["", "--- gunicorn log since the test began ---"]
        if exceptions:
            parts.append("exceptions:")
            parts += [f"  {n} × {line}" for line, n in exceptions.items()]
        else:
            parts.append("no exception logged")
        first = next((i for i, line in enumerate(lines) if line.startswith("Traceback")), None)
        if first is None:
            parts += ["last lines:", *(lines[-15:] or ["(none)"])]
        else:
            end = next(
                (i for i in range(first + 1, len(lines)) if _LOG_LINE_START.match(lines[i])),
                len(lines),
            )
            parts += ["first traceback (the project's frames):", lines[max(0, first - 1)]]
            parts += _own_frames(lines[first:end])
        return "\n".join(parts)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        from core.extensions import db

        with self.app.app_context():
            db.engine.dispose()


def _own_frames(traceback: list[str]) -> list[str]:
    """A traceback without the frames of installed libraries (and their source lines)."""
    kept, skipping = [], False
    for line in traceback:
        if line.startswith("  File "):
            skipping = "/site-packages/" in line or "/lib/python3" in line
        elif not line.startswith(" "):
            skipping = False
        if not skipping:
            kept.append(line)
    return kept


def _plain(line: str) -> str:
    if not line.startswith("{"):
        return line
    try:
        entry = json.loads(line)
    except ValueError:
        return line
    request = " ".join(str(entry[k]) for k in ("method", "path", "status") if entry.get(k))
    text = f"[{entry.get('time')}] {entry.get('level')} {entry.get('logger')}: "
    text += str(entry.get("message"))
    if request:
        text += f" ({request})"
    if entry.get("exception"):
        text += "\n" + entry["exception"]
    return text


# An exception's own line ("sqlalchemy.exc.OperationalError: ...") and the start of a log line
# that is not part of a traceback (Flask's "[2026-...] ERROR in app: ...", gunicorn's lines).
_EXCEPTION_LINE = re.compile(r"^(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Error|Exception|Violation)\b")
_LOG_LINE_START = re.compile(r"^(\[\d{4}-|\{)")


def serve(folder: Path) -> ServedApp:
    """Migrate and empty the test database, start gunicorn on it, wait until it answers."""
    gunicorn, flask = venv_tool("gunicorn"), venv_tool("flask")
    if gunicorn is None or flask is None:
        not_available(
            "gunicorn (or flask) is not installed next to this Python, so the served tests cannot "
            "run. `make setup` installs them."
        )
    from app import create_app
    from core.config import normalise_database_url

    database_url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{folder / 'served.db'}"
    port = free_port()
    shared = redis_is_up()
    env = _server_environment(folder, database_url, port, shared)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,  # this copy serves no request; the server's limits are on
            "MAIL_OUTBOX": str(folder / "outbox"),
            "UPLOAD_FOLDER": str(folder / "uploads"),
        }
    )
    _fresh_schema(app, flask, env)
    # Settings with no environment variable, given to the app factory (gunicorn evaluates the
    # literal arguments of "module:factory(...)"). Everything else comes from the environment.
    overrides = {
        "RATELIMIT_ENABLED": True,  # whatever an instance/config.py may say
        "RATELIMIT_KEY_PREFIX": f"served-{uuid.uuid4().hex}",
        "MAIL_OUTBOX": str(folder / "outbox"),
    }
    log_path = folder / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [gunicorn, "-c", "gunicorn.conf.py", f"app:create_app({overrides!r})"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = ServedApp(f"http://127.0.0.1:{port}", process, log_path, app, shared)
    try:
        _wait_until_up(served)
    except BaseException:
        served.stop()
        raise
    return served


def _server_environment(folder: Path, database_url: str, port: int, shared: bool) -> dict:
    """A clean environment: nothing of ours leaks in (no OCOP_ENV=production, whose Secure
    cookies would not come back over http; no MAIL_SERVER; no TRUSTED_PROXIES)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "TMPDIR", "SYSTEMROOT") or key.startswith(("PG", "LC_"))
    }
    env.update(
        {
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "FLASK_APP": "app:create_app",
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(WORKERS),
            "GUNICORN_THREADS": str(THREADS),
            "SECRET_KEY": "test",
            "DATABASE_URL": database_url,
            "LOG_JSON": "0",
            "UPLOAD_FOLDER": str(folder / "uploads"),
        }
    )
    if shared:
        env["REDIS_URL"] = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    return env


def _fresh_schema(app, flask: str, env: dict) -> None:
    """As the in-process tests' conftest does: a reused PostgreSQL database loses every table,
    `flask init-db` migrates it to the newest schema, and the tables are emptied (a migration
    may add rows). The database is left migrated."""
    from core.extensions import db
    from tests.conftest import _drop_everything, _empty_tables

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            _drop_everything(db.engine)
        db.session.remove()
        db.engine.dispose()
    done = subprocess.run(
        [flask, "init-db"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"flask init-db failed:\n{done.stdout}\n{done.stderr}"
    with app.app_context():
        _empty_tables()
        db.session.remove()


def _wait_until_up(served: ServedApp) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            pytest.fail(f"gunicorn exited ({served.process.returncode}).{served.explain(0)}")
        try:
            page = Person(served.url).get("/healthz")
            if page.status == 200 and _worker_count(served.process.pid) >= WORKERS:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer /healthz in {START_TIMEOUT} s.{served.explain(0)}")


def _worker_count(pid: int) -> int:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return WORKERS  # no /proc: one answer is all we can wait for
    return len(children)


# --- people -------------------------------------------------------------------------------


class _FromAddress(HTTPHandler):
    """Connects from the given local address."""

    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(
            partial(http.client.HTTPConnection, source_address=(self.address, 0)), req
        )


class _EveryStatus(HTTPErrorProcessor):
    """Hands back every response as it came: no redirect followed, no error raised."""

    def http_response(self, request, response):
        return response

    https_response = http_response


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.hidden.setdefault(values["name"], values.get("value") or "")


@dataclass
class Page:
    status: int
    url: str
    text: str
    location: str | None = None
    history: list[int] = field(default_factory=list)  # the redirects' statuses, first first
    from_page_cache: bool = False  # answered from the kept pages (core.page_cache)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def first_status(self) -> int:
        return self.history[0] if self.history else self.status

    def hidden_fields(self) -> dict[str, str]:
        """The hidden inputs of the page, the first of each name (csrf_token, form_token)."""
        parser = _Inputs()
        parser.feed(self.text)
        return parser.hidden

    def csrf_token(self) -> str:
        """The page's CSRF token; "" on a page kept for guests (core.page_cache), which has
        none: a guest's POST from it is vouched for by the browser's Sec-Fetch-Site."""
        token = self.hidden_fields().get("csrf_token")
        if token:
            return token
        found = re.search(r'"X-CSRFToken": "([^"]+)"', self.text)  # <body hx-headers=...>
        return found.group(1) if found else ""

    def flashes(self) -> list[str]:
        return [
            re.sub(r"\s+", " ", message).strip()
            for message in re.findall(r'<p class="flash[^"]*">(.*?)</p>', self.text, re.S)
        ]

    def is_error_page(self) -> bool:
        return self.status >= 500 or ERROR_PAGE in self.text

    def is_too_many_requests(self) -> bool:
        return self.status == 429 or TOO_MANY_REQUESTS in self.text

    def describe(self) -> str:
        """For a failure message: the statuses, where it ended, what the page said."""
        steps = " → ".join(str(s) for s in [*self.history, self.status])
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", self.text, re.S)
        said = self.flashes()
        if not said and heading:
            said = [re.sub(r"<[^>]+>|\s+", " ", heading.group(1)).strip()]
        return f"{steps} {self.path} {said}"


class Person:
    """Someone with a browser: own cookies, own address (127.0.0.1 unless given one)."""

    def __init__(self, base_url: str, address: str = "127.0.0.1", label: str = ""):
        self.base_url = base_url
        self.address = address
        self.label = label or address
        self.cookies = CookieJar()
        self._opener = build_opener(
            HTTPCookieProcessor(self.cookies), _FromAddress(address), _EveryStatus()
        )

    def __repr__(self) -> str:
        return f"Person({self.label})"

    def open(self, method: str, path: str, data: dict | None = None, headers=None) -> Page:
        url = urljoin(self.base_url, path)
        body = urlencode(data or {}).encode() if method == "POST" else None
        request = Request(url, data=body, method=method)
        request.add_header("Accept-Language", "vi")
        request.add_header("User-Agent", "ocop-served-tests")
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
            # What a browser says of a form on this site's page.
            request.add_header("Sec-Fetch-Site", "same-origin")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        with self._opener.open(request, timeout=REQUEST_TIMEOUT) as response:
            return Page(
                status=response.status,
                url=url,
                text=response.read().decode("utf-8", "replace"),
                location=response.headers.get("Location"),
                from_page_cache=response.headers.get("X-Page-Cache") == "hit",
            )

    def get(self, path: str, follow: bool = True) -> Page:
        page = self.open("GET", path)
        return self.follow(page) if follow else page

    def post(self, path: str, data: dict, follow: bool = True, headers=None) -> Page:
        page = self.open("POST", path, data, headers)
        return self.follow(page) if follow else page

    def follow(self, page: Page) -> Page:
        """Where the redirects lead (GET), with their statuses kept in history."""
        history = []
        for _ in range(5):
            if page.status not in (301, 302, 303, 307, 308) or not page.location:
                break
            history.append(page.status)
            page = self.open("GET", urljoin(page.url, page.location))
        page.history = history + page.history
        return page


# --- doing things at once -----------------------------------------------------------------


def in_parallel(work, items, workers: int = 8) -> list:
    """work(item) for every item, a few at a time; exceptions are raised."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, items))


def at_once(work, items) -> list:
    """work(item) for every item in its own thread, all released together by a barrier; an
    exception is returned in place of its result."""
    items = list(items)
    barrier = threading.Barrier(len(items))
    results: list = [None] * len(items)

    def run(index, item):
        try:
            barrier.wait(timeout=30)
            results[index] = work(item)
        except Exception as error:  # noqa: BLE001 - the test reports every kind of outcome
            results[index] = error

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT * 3)
    return results
