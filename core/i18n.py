"""Vietnamese by default, English one click away; ?lang= on any URL is remembered."""

from urllib.parse import urlencode

from flask import current_app, request, session


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    remembered = session.get("lang")
    return remembered if remembered in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language() -> None:
    asked = request.args.get("lang")
    if asked in current_app.config["LANGUAGES"] and session.get("lang") != asked:
        session["lang"] = asked


def url_in_language(code: str) -> str:
    """The current page's URL with lang=code, keeping the rest of the query string."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", code))
    return f"{request.path}?{urlencode(args)}"


def init_app(app) -> None:
    app.before_request(remember_language)
    app.jinja_env.globals["url_in_language"] = url_in_language
