"""Money, numbers and dates in the active locale (Flask-Babel)."""

from datetime import UTC, datetime
from functools import lru_cache

from babel import numbers as babel_numbers
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from core.text import phone_for_reading


def vnd(amount: int | None) -> str:
    """Integer đồng as '45.000 ₫' (vi) or '₫45,000' (en)."""
    if amount is None:
        return ""
    return _vnd_in(str(get_locale()), int(amount))


@lru_cache(maxsize=4096)
def _vnd_in(locale: str, amount: int) -> str:
    # Babel parses the locale's pattern on every call; prices repeat, so remember them.
    return babel_numbers.format_currency(amount, "VND", locale=locale)


def register_filters(app) -> None:
    app.jinja_env.filters["vnd"] = vnd
    app.jinja_env.filters["phone"] = phone_for_reading
    app.jinja_env.filters["number"] = lambda n: format_decimal(n) if n is not None else ""
    app.jinja_env.filters["date"] = lambda d, fmt="medium": format_date(d, fmt) if d else ""
    # Stored times are UTC; Flask-Babel shows them in BABEL_DEFAULT_TIMEZONE (Vietnam).
    app.jinja_env.filters["datetime"] = lambda d: format_datetime(_as_utc(d), "short") if d else ""


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
