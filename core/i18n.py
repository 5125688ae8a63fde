"""Vietnamese by default, English one click away; ?lang= on any URL is remembered."""

from urllib.parse import urlencode

from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
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


def url_in_language(code: str) -> str:
    """The current page's URL with lang=code, keeping the rest of the query string."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", code))
    return f"{request.path}?{urlencode(args)}"


def init_app(app) -> None:
    app.before_request(remember_language)
    app.jinja_env.globals["url_in_language"] = url_in_language
