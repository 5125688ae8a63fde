"""Vietnamese by default, English one click away; ?lang= on any URL is remembered.

Content people write (a product's name, a cooperative's story, a fair, a meeting point, a
place name) is Vietnamese, with an English version beside it in `<field>_en` where there is
one ("" where not). `localized(obj, field)` is the text an English reader gets: the English
where there is one, else the Vietnamese; `localized_html` (a template global) also marks that
Vietnamese, lang="vi" and "(Vietnamese only)", so the page never mixes the languages silently.
"""

from urllib.parse import urlencode

from flask import current_app, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import update

from core.db import write_transaction
from core.extensions import db
from core.models import User


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    remembered = session.get("lang")
    return remembered if remembered in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language() -> None:
    asked = request.args.get("lang")
    if asked not in current_app.config["LANGUAGES"]:
        return
    if session.get("lang") != asked:
        session["lang"] = asked
    if current_user.is_authenticated and current_user.language != asked:
        # Their messages are written in the language they read the site in.
        with write_transaction():
            db.session.execute(
                update(User).where(User.id == current_user.id).values(language=asked)
            )


def current_language() -> str:
    """The language of the page being answered, stored with what a guest orders or books."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def reads_english() -> bool:
    return current_language() == "en"


def localized(obj, field: str) -> str:
    """obj.<field> in the reader's language: the English version (obj.<field>_en) for English
    readers where there is one, else the Vietnamese. Plain text, for attributes and titles."""
    if obj is None:
        return ""
    if reads_english():
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field) or ""


def vietnamese_only(obj, field: str) -> bool:
    """An English reader is shown the Vietnamese, having no English version of it."""
    if obj is None or not reads_english():
        return False
    return bool(getattr(obj, field)) and not getattr(obj, f"{field}_en", "")


class InReadersLanguage:
    """localized(obj, field) when it is shown, not when it is made: for a lazy text's
    parameter (a mail's subject, made before the recipient's language is in force)."""

    def __init__(self, obj, field: str):
        self.obj, self.field = obj, field

    def __str__(self) -> str:
        return localized(self.obj, self.field)


def localized_html(obj, field: str, length: int | None = None) -> Markup:
    """localized(), for a page's body: Vietnamese shown to an English reader is marked as such
    (lang="vi", so a screen reader says it right, and a visible "(Vietnamese only)").
    `length` shortens it as Jinja's truncate does."""
    text = localized(obj, field)
    if length is not None:
        text = current_app.jinja_env.filters["truncate"](current_app.jinja_env, text, length)
    if not vietnamese_only(obj, field):
        return escape(text)
    return Markup('<span lang="vi">{}</span> <span class="vi-only">{}</span>').format(
        text, _("(chỉ có tiếng Việt)")
    )


def url_in_language(code: str) -> str:
    """The current page's URL with lang=code, keeping the rest of the query string."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", code))
    return f"{request.path}?{urlencode(args)}"


def init_app(app) -> None:
    app.before_request(remember_language)
    app.jinja_env.globals.update(
        url_in_language=url_in_language, localized=localized, localized_html=localized_html
    )
