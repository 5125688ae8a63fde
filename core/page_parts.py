"""Rendered parts of pages, kept in this process and reused while what they show is unchanged.

Three kinds of key, one store:
- by value (`Rendered.get`): the key holds every value the part displays (a product card: name,
  price, stock state, stars…), so a change simply makes a new key;
- by language (`layout_part`): the layout's fixed parts, the footer and the site's links;
- by page version (`kept_part`): a page's own template (a product's body, a catalogue
  query's results) kept under the page version (core.page_cache), which every
  change to a table a page shows bumps in its own transaction. The version is read before
  anything the part shows, so a part is never kept under a version newer than its data.

The whole-page cache serves guests who have done nothing; these parts also serve everyone it
cannot (a logged-in buyer, a guest with a cart), and a guest's first visit after a change.

A part is everyone's, so it must not hold anything of one person's. Its forms' CSRF token is a
mark, put back per answer (the reader's token, or the field left out on a page kept for
guests: page_csrf_token); csrf_token(), current_user, session or cart_count read in a kept or
layout part is an error. A part changed without the version (a restore with its triggers off)
lasts PAGE_CACHE_SECONDS at most, as a kept page does.
"""

import time
from collections import OrderedDict
from collections.abc import Callable
from threading import Lock

from flask import current_app, g, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import text

from core import clock
from core.extensions import db

MAX_KEPT_PARTS = 1_000  # per process: a product's part is about 15 kB, 24 results 25 kB
# A query longer than any form of ours makes is a crawler's: its parts are not kept.
LONGEST_KEPT_QUERY = 256
# What a template could read of one reader: refused while a part for everyone is rendered.
_READERS_OWN = ("current_user", "session", "cart_count")
# In a template's text only where a template put it: typed text with "<" is escaped.
TOKEN_MARK = Markup("<!--reader-csrf-token-->")
_TOKEN_FIELD = f'<input type="hidden" name="csrf_token" value="{TOKEN_MARK}">'
_VERSION = "ocop.page_version"  # in the WSGI environ: the version the page cache read
VERSION_QUERY = "SELECT version FROM page_version"


class Rendered:
    """At most `size` rendered parts, by key, the least recently used dropped first, each for
    `max_age` seconds at most (None: as long as it stays in)."""

    def __init__(self, size: int, max_age: float | None = None):
        self.size = size
        self.max_age = max_age
        self._parts: OrderedDict = OrderedDict()  # key: (part, when it was rendered)
        self._lock = Lock()  # gunicorn's threads share it

    def get(self, key: tuple, render: Callable[[], object]):
        now = time.monotonic()
        with self._lock:
            kept = self._parts.get(key)
            if kept is not None and (self.max_age is None or now - kept[1] < self.max_age):
                self._parts.move_to_end(key)
                return kept[0]
        part = render()
        with self._lock:
            self._parts[key] = (part, now)
            self._parts.move_to_end(key)
            if len(self._parts) > self.size:
                self._parts.popitem(last=False)
        return part


def remember_version(environ: dict, version: int) -> None:
    """The page cache read the version for this request already: the view need not again."""
    environ[_VERSION] = version


def page_version() -> int:
    if _VERSION not in request.environ:
        request.environ[_VERSION] = db.session.execute(text(VERSION_QUERY)).scalar_one()
    return request.environ[_VERSION]


def kept_part(template: str, load: Callable[[], dict]) -> dict[str, Markup]:
    """`template` (a page's own part, not extending the layout) rendered with the context
    `load()` returns, once per page version, language, day and URL: {"body": its text, and
    each of its top-level {% set name %}…{% endset %} (a title, the JSON-LD)}."""
    keep = (
        current_app.config["PAGE_PARTS"]
        and request.method in ("GET", "HEAD")  # never a write's own, uncommitted reading
        and len(request.query_string) <= LONGEST_KEPT_QUERY
    )
    if not keep:
        part = _render_part(template, load())
    else:
        key = (template, page_version(), str(get_locale()), clock.today(), request.url)
        part = current_app.extensions["page_parts"].get(key, lambda: _render_part(template, load()))
    return {name: _with_readers_token(html) for name, html in part.items()}


def render_kept_page(template: str, load: Callable[[], dict]) -> str:
    """A whole page whose own part (title, description, og:type, JSON-LD and content) is
    `template`, kept (kept_part); the layout around it is the reader's (kept_page.html)."""
    return render_template("kept_page.html", body=kept_part(template, load))


def layout_part(template: str, **values) -> Markup:
    """A part of the layout that shows nothing but the language, the site's settings and
    `values` (the footer; the site's links with the page's section marked): rendered once per
    process for each."""
    key = (template, str(get_locale()), request.script_root, *sorted(values.items()))
    part = current_app.extensions["layout_parts"].get(
        key, lambda: _render_part(template, dict(values))["body"]
    )
    return _with_readers_token(part)


def rendering_kept_part() -> bool:
    return g.get("rendering_kept_part", False)


def _render_part(name: str, context: dict) -> dict[str, Markup]:
    app = current_app._get_current_object()
    app.update_template_context(context)
    context.update({name: _NotInKeptPart(name) for name in _READERS_OWN})
    g.rendering_kept_part = True
    try:
        # Jinja's template module: the rendered text and the template's exported variables.
        module = app.jinja_env.get_template(name).make_module(context)
    finally:
        g.rendering_kept_part = False
    sets = {k: v for k, v in vars(module).items() if isinstance(v, Markup)}
    return {"body": Markup(str(module)), **sets}


def page_csrf_token() -> str:
    """The CSRF token for a page's forms: none on a page rendered for the whole-page cache, the
    mark in a kept part (put back per answer), else the reader's."""
    if rendering_kept_part():
        return TOKEN_MARK
    return "" if g.get("page_for_cache") else generate_csrf()


def _with_readers_token(html: Markup) -> Markup:
    if TOKEN_MARK not in html:
        return html
    token = page_csrf_token()
    # On plain text: MarkupSafe before 3 escapes what Markup.replace looks for.
    if not token:
        return Markup(str(html).replace(_TOKEN_FIELD, ""))
    return Markup(str(html).replace(str(TOKEN_MARK), token))


class _NotInKeptPart:
    """A reader's own value (current_user, session…) in a part kept for everyone: an error."""

    def __init__(self, name: str):
        self._name = name

    def _refuse(self, *args, **kwargs):
        raise RuntimeError(f"a kept part is everyone's: it cannot show {self._name}")

    __getattr__ = __getitem__ = __bool__ = __iter__ = __str__ = __html__ = _refuse


def _refused_in_kept_parts(generate):
    def csrf_token(*args, **kwargs):
        if rendering_kept_part():
            raise RuntimeError("a kept part is everyone's: use page_csrf_token() in it")
        return generate(*args, **kwargs)

    return csrf_token


def init_app(app) -> None:
    app.extensions["page_parts"] = Rendered(MAX_KEPT_PARTS, app.config["PAGE_CACHE_SECONDS"])
    app.extensions["layout_parts"] = Rendered(100)  # a few per language
    app.jinja_env.globals.update(page_csrf_token=page_csrf_token, layout_part=layout_part)
    if "csrf_token" in app.jinja_env.globals:
        guarded = _refused_in_kept_parts(app.jinja_env.globals["csrf_token"])
        app.jinja_env.globals["csrf_token"] = guarded
