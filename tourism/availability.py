"""What is free when: the days a booking takes, each day's free capacity, a month's calendar."""

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from core.bounds import day_range
from core.extensions import db
from tourism.models import Listing, Slot

FEW_LEFT = 2  # "few left" from this many free units down


@dataclass(frozen=True)
class Day:
    day: date
    capacity: int
    free: int
    state: str  # past, closed, full, few, free

    @property
    def bookable(self) -> bool:
        return self.state in ("free", "few")


def days_taken(listing: Listing, check_in: date, check_out: date) -> list[date]:
    """A stay takes its nights (check-out night free); a tour or experience its one day."""
    if not listing.is_stay:
        return [check_in]
    return [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]


def units_needed(listing: Listing, guests: int) -> int:
    """Rooms for a stay (max_guests per room), seats for a tour."""
    return math.ceil(guests / listing.max_guests) if listing.is_stay else guests


def slots_between(listing_id: int, first: date, last: date) -> dict[date, Slot]:
    rows = db.session.scalars(
        select(Slot).where(Slot.listing_id == listing_id, Slot.day.between(first, last))
    )
    return {slot.day: slot for slot in rows}


def day_state(listing: Listing, slot: Slot | None, day: date, today: date) -> Day:
    capacity = slot.capacity if slot else listing.capacity
    free = max(capacity - (slot.taken if slot else 0), 0)
    if day < today:
        state = "past"
    elif slot is not None and slot.closed:
        state = "closed"
    elif free == 0:
        state = "full"
    elif free <= FEW_LEFT:
        state = "few"
    else:
        state = "free"
    return Day(day=day, capacity=capacity, free=free, state=state)


def free_units(listing: Listing, days: list[date], today: date) -> int:
    """The fewest free units over the days (0 when any is past, closed or full)."""
    slots = slots_between(listing.id, min(days), max(days))
    states = [day_state(listing, slots.get(d), d, today) for d in days]
    return min((s.free if s.bookable else 0) for s in states)


def month_calendar(listing: Listing, year: int, month: int, today: date) -> list[list[Day | None]]:
    """Weeks (Monday first) of the month's days; None pads the first and last week."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    slots = slots_between(listing.id, first, last)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [day_state(listing, slots.get(d), d, today) if d.month == month else None for d in week]
        )
    return weeks


_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_from_arg(value: str | None, today: date, fallback: date | None = None) -> tuple[int, int]:
    """'2026-12' when the month has a day within core.bounds.day_range (a year back, two years
    ahead), else the fallback day's month (the dates chosen) when it is within that range,
    else this month: a month out of range is ignored."""
    lowest, highest = day_range(today)
    match = _MONTH.fullmatch((value or "").strip())
    if match:
        asked = int(match.group(1)), int(match.group(2))
        if 1 <= asked[1] <= 12 and (lowest.year, lowest.month) <= asked <= (
            highest.year,
            highest.month,
        ):
            return asked
    if fallback is not None and lowest <= fallback <= highest:
        return fallback.year, fallback.month
    return today.year, today.month


def month_view(
    listing: Listing, month_arg: str | None, today: date, fallback: date | None = None
) -> dict:
    """What a month calendar page needs: the weeks, the month, and its neighbours."""
    year, month = month_from_arg(month_arg, today, fallback)
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return {
        "listing": listing,
        "weeks": month_calendar(listing, year, month, today),
        "month_start": date(year, month, 1),
        "today_date": today,
        "previous_month": f"{previous[0]}-{previous[1]:02d}",
        "next_month": f"{following[0]}-{following[1]:02d}",
    }
