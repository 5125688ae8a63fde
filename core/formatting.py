"""Money, numbers and dates in the active locale (Flask-Babel)."""

from flask_babel import format_currency, format_date, format_decimal


def vnd(amount: int | None) -> str:
    """Integer đồng as '45.000 ₫' (vi) or '₫45,000' (en)."""
    if amount is None:
        return ""
    return format_currency(int(amount), "VND")


def register_filters(app) -> None:
    app.jinja_env.filters["vnd"] = vnd
    app.jinja_env.filters["number"] = lambda n: format_decimal(n) if n is not None else ""
    app.jinja_env.filters["date"] = lambda d, fmt="medium": format_date(d, fmt) if d else ""
