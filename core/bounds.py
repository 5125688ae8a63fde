"""Every input bounded before it reaches the database.

A value out of range is a clear message on the form, or a filter quietly ignored (or clamped),
never an error from the database: PostgreSQL's INTEGER ends at 2,147,483,647, Python's dates
at year 9999, and every text column has a length. Forms use the validators here; filters in
query strings use the *_arg functions. tests/test_form_bounds.py checks that every form field
is bounded.
"""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from wtforms.validators import Length, StopValidation, ValidationError

from core import clock, formatting

INT_MAX = 2**31 - 1  # PostgreSQL INTEGER, the type of every whole-number column here

# Dates a booking, a stay or a calendar may ask about: a year back, two years ahead.
DAYS_BACK = 366
DAYS_AHEAD = 731


def number_arg(text: str | None, lowest: int = 0, highest: int = INT_MAX) -> int | None:
    """'42' -> 42, clamped to [lowest, highest]; anything that is not ASCII digits -> None.

    ('²' passes str.isdigit() but int() refuses it; a thousand digits would be a slow int.)"""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    if len(text) > len(str(highest)):
        return highest
    return min(max(int(text), lowest), highest)


def day_range(today: date | None = None) -> tuple[date, date]:
    today = today or clock.today()
    return today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)


def day_arg(text: str | None, today: date | None = None) -> date | None:
    """An ISO date within day_range(), or None (the filter is then ignored)."""
    try:
        day = date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None
    lowest, highest = day_range(today)
    return day if lowest <= day <= highest else None


class DayWithinRange:
    """A form's date within `days_back` before and `days_ahead` after today (by default a
    year back and two years ahead)."""

    def __init__(self, message=None, *, days_back: int = DAYS_BACK, days_ahead: int = DAYS_AHEAD):
        self.message = message
        self.days_back = days_back
        self.days_ahead = days_ahead

    def __call__(self, _form, field):
        if field.data is None:
            return
        today = clock.today()
        lowest = today - timedelta(days=self.days_back)
        highest = today + timedelta(days=self.days_ahead)
        if not lowest <= field.data <= highest:
            raise ValidationError(
                self.message
                or _l(
                    "Vui lòng chọn ngày từ %(first)s đến %(last)s.",
                    first=formatting.day(lowest),
                    last=formatting.day(highest),
                )
            )


class TypedLength(Length):
    """Length(max=…) of what was typed, for a field whose data is a number, not text: a page
    of digits is one clear message (the field's own), before anyone reads it as a number."""

    def __call__(self, _form, field):
        typed = field.raw_data[0] if field.raw_data else ""
        if isinstance(typed, str) and len(typed) > self.max:
            raise StopValidation(self.message)
