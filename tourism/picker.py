"""The booking calendar as a date picker: what a tap on a day picks, and what each day of the
month offers to pick.

A stay: the first tap sets the check-in day; a tap on a later day sets the check-out day when
every night in between can be booked; a tap on or before the check-in day, or after a whole
stay is chosen, starts again from that day. A tour or experience: one tap sets its day.
A day that is past, closed, full or beyond the booking horizon is never a check-in (nor a
tour's day); the check-out day may be full or closed, since its night is not taken.
A tap that cannot be honoured keeps the selection as it was and says why (Refusal).
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from core.bounds import day_range
from tourism.availability import Day, day_state, slots_between, units_needed
from tourism.bookings import BOOKING_HORIZON_DAYS, MAX_NIGHTS
from tourism.models import Listing

# Why a tap was refused: the day's own state (past, closed, full, ahead), a night of the
# stay that cannot be booked (blocked), too many nights (too_long), or too few places left
# for the guests (too_few).
REFUSALS = ("past", "closed", "full", "ahead", "blocked", "too_long", "too_few")


@dataclass(frozen=True)
class Refusal:
    reason: str  # one of REFUSALS
    day: date  # the day it is about: the tapped day, or the night that blocks the stay
    free: int = 0  # places left on that day (too_few)


@dataclass(frozen=True)
class Selection:
    check_in: date | None = None
    check_out: date | None = None  # a stay's; a tour has none
    refusal: Refusal | None = None

    def awaits_check_out(self, listing: Listing) -> bool:
        return listing.is_stay and self.check_in is not None and self.check_out is None

    @property
    def nights(self) -> int:
        if self.check_in is None or self.check_out is None:
            return 0
        return (self.check_out - self.check_in).days


@dataclass(frozen=True)
class PickerDay:
    """One day of the picker's month: its availability, what a tap on it sets (action:
    check_in, check_out, day for a tour, None when it cannot be picked) and its part in the
    selection (role: check_in, check_out, night inside the stay, day for a tour, or None)."""

    day: date
    state: str  # Day.state, or "ahead" beyond the booking horizon
    free: int
    action: str | None
    role: str | None

    @property
    def chosen(self) -> bool:
        return self.role in ("check_in", "check_out", "day")


def selection_from(
    listing: Listing, check_in: date | None, check_out: date | None, today: date
) -> Selection:
    """The dates the form holds, as a selection: a date outside core.bounds.day_range is
    none (the form says what is wrong with it), a tour has no check-out day, and a check-out
    day not after the check-in day is no check-out day."""
    lowest, highest = day_range(today)
    check_in, check_out = (
        d if d and lowest <= d <= highest else None for d in (check_in, check_out)
    )
    if check_in is None or not listing.is_stay or (check_out is not None and check_out <= check_in):
        check_out = None
    return Selection(check_in, check_out)


def horizon(today: date) -> date:
    """The last day a booking may start on (tourism.bookings.quote)."""
    return today + timedelta(days=BOOKING_HORIZON_DAYS)


def _state(day: Day, today: date) -> str:
    if day.state in ("free", "few") and day.day > horizon(today):
        return "ahead"
    return day.state


def _days(listing: Listing, first: date, last: date, today: date) -> list[Day]:
    slots = slots_between(listing.id, first, last)
    return [
        day_state(listing, slots.get(first + timedelta(days=n)), first + timedelta(days=n), today)
        for n in range((last - first).days + 1)
    ]


def pick(
    listing: Listing, current: Selection, tapped: date, guests: int | None, today: date
) -> Selection:
    """The selection after a tap on `tapped`, or the current one with the reason it was
    refused. `guests` (None when not known) says how many rooms or seats each day needs."""
    current = replace(current, refusal=None)
    units = units_needed(listing, guests) if guests else 1
    if current.awaits_check_out(listing) and tapped > current.check_in:
        nights = (tapped - current.check_in).days
        if nights > MAX_NIGHTS:
            return replace(current, refusal=Refusal("too_long", tapped))
        for night in _days(listing, current.check_in, tapped - timedelta(days=1), today):
            if night.state not in ("free", "few"):
                return replace(current, refusal=Refusal("blocked", night.day))
            if night.free < units:
                return replace(current, refusal=Refusal("too_few", night.day, night.free))
        return Selection(current.check_in, tapped)
    # A check-in day (or a tour's day): the first tap, a tap on or before the check-in day,
    # or a tap after a whole stay.
    (day,) = _days(listing, tapped, tapped, today)
    state = _state(day, today)
    if state not in ("free", "few"):
        return replace(current, refusal=Refusal(state, tapped))
    if day.free < units:
        return replace(current, refusal=Refusal("too_few", tapped, day.free))
    return Selection(tapped, None)


def last_check_out(listing: Listing, check_in: date, today: date) -> date:
    """The latest check-out day a stay from check_in may have: the first night after it that
    cannot be booked (its morning is still a check-out), at most MAX_NIGHTS on."""
    nights = _days(listing, check_in, check_in + timedelta(days=MAX_NIGHTS - 1), today)
    for night in nights:
        if night.state not in ("free", "few"):
            return night.day
    return check_in + timedelta(days=MAX_NIGHTS)


def picker_weeks(
    listing: Listing, weeks: list[list[Day | None]], selection: Selection, today: date
) -> list[list[PickerDay | None]]:
    """The month's weeks (tourism.availability.month_calendar) with what each day offers."""
    awaiting = selection.awaits_check_out(listing)
    latest = last_check_out(listing, selection.check_in, today) if awaiting else None

    def offer(day: Day) -> PickerDay:
        state = _state(day, today)
        bookable = state in ("free", "few")
        if not listing.is_stay:
            action = "day" if bookable else None
            role = "day" if day.day == selection.check_in else None
        else:
            if awaiting and day.day > selection.check_in:
                # Up to the first night that cannot be booked: later days are offered too,
                # and a tap on one says why it cannot be the check-out day.
                action = "check_out" if day.day <= latest or bookable else None
            else:
                action = "check_in" if bookable else None
            role = _role(day.day, selection)
        return PickerDay(day.day, state, day.free, action, role)

    return [[offer(d) if d else None for d in week] for week in weeks]


def _role(day: date, selection: Selection) -> str | None:
    if day == selection.check_in:
        return "check_in"
    if day == selection.check_out:
        return "check_out"
    if selection.check_out and selection.check_in < day < selection.check_out:
        return "night"
    return None
