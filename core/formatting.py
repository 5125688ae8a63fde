"""Money, numbers and dates in the active locale (Flask-Babel)."""

from datetime import UTC, date, datetime
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


# One style per language, by name: Babel's own "short"/"medium" mix "10 thg 1, 2027" with
# "16:02 1/12/26". Vietnamese writes day/month/year with leading zeros; English spells the month.
DATE_FORMATS = {
    "vi": {
        "date": "dd/MM/yyyy",
        "month": "MM/yyyy",
        "month_name": "MMMM, yyyy",
        "weekday": "EEE, dd/MM",
        # A calendar's day, named as its cell shows it (no leading zero) for screen readers.
        "calendar_day": "d/MM/yyyy",
        "datetime": "HH:mm dd/MM/yyyy",
    },
    "en": {
        "date": "d MMM yyyy",
        "month": "MMM yyyy",
        "month_name": "MMMM yyyy",
        "weekday": "EEE, d MMM",
        "calendar_day": "d MMM yyyy",
        "datetime": "HH:mm, d MMM yyyy",
    },
}


def _pattern(name: str) -> str:
    language = str(get_locale() or "vi")
    return DATE_FORMATS.get(language, DATE_FORMATS["vi"])[name]


def day(value: date | None, style: str = "date") -> str:
    """A date in the named style of the active language ("date", "month", "weekday"…)."""
    return format_date(value, _pattern(style)) if value else ""


def moment(value: datetime | None) -> str:
    """A stored (UTC) time as the active language writes it, in Vietnam time."""
    # Flask-Babel converts to BABEL_DEFAULT_TIMEZONE (Vietnam) before applying the pattern.
    return format_datetime(_as_utc(value), _pattern("datetime")) if value else ""


def register_filters(app) -> None:
    app.jinja_env.filters["vnd"] = vnd
    app.jinja_env.filters["phone"] = phone_for_reading
    app.jinja_env.filters["number"] = lambda n: format_decimal(n) if n is not None else ""
    app.jinja_env.filters["date"] = day
    app.jinja_env.filters["datetime"] = moment


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
