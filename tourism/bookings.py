"""Booking a stay or a tour: checks, the price, capacity taken atomically per day, the
cancellation policy, and the booking's statuses.

A listing that asks a deposit (tourism.deposits) books as "awaiting_deposit": its nights or
seats are taken at once, as for any booking, and held until pay_by. The deposit's transfer
confirms it (deposit_received, called by tourism.payables when the bank notice is matched);
a deadline passed without it expires it and gives the capacity back
(release_unpaid_deposits, every five minutes). Both are one conditional UPDATE from
"awaiting_deposit", so of the two at the same moment exactly one happens.
"""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from core import audit
from core.db import TryAgain, insert_missing, insert_unless_taken, write_transaction
from core.extensions import db
from core.models import utcnow
from core.submissions import new_form_token as _new_form_token
from payments.refunds import CancelTerms, owed_back, refund_due
from tourism import notifications
from tourism.availability import days_taken, units_needed
from tourism.deposits import cancel_refund, deposit_terms
from tourism.models import Booking, BookingEvent, Listing, Slot

log = logging.getLogger(__name__)

MAX_NIGHTS = 30
BOOKING_HORIZON_DAYS = 365

TRANSITIONS = {
    "awaiting_deposit": ("confirmed", "expired", "cancelled"),
    "requested": ("confirmed", "declined", "cancelled"),
    "confirmed": ("completed", "cancelled"),
    "completed": (),
    "cancelled": (),
    "declined": (),
    "expired": (),
}
RELEASES_CAPACITY = ("cancelled", "declined", "expired")
# Bookings that hold their capacity and may still happen: money for them is kept.
OPEN_STATUSES = ("awaiting_deposit", "requested", "confirmed")
# Moves no button makes: the deposit's transfer confirms (deposit_received), the clock
# expires (release_unpaid_deposits). A host cannot confirm a booking whose deposit is unpaid.
AUTOMATIC_MOVES = {("awaiting_deposit", "confirmed"), ("awaiting_deposit", "expired")}
PAYABLE_KIND = "booking"  # tourism.payables: how payments knows a booking


class BookingError(ValueError):
    """A booking that cannot be made as asked; the subclass says why."""


class DatesInPast(BookingError):
    pass


class CheckOutNotAfterCheckIn(BookingError):
    pass


class StayTooLong(BookingError):
    pass


class TooFarAhead(BookingError):
    pass


class TooManyGuests(BookingError):
    pass


class DatesUnavailable(BookingError):
    """Closed or full on at least one of the days."""

    def __init__(self, day: date):
        super().__init__(day.isoformat())
        self.day = day


class IllegalBookingMove(BookingError):
    def __init__(self, booking: Booking, to_status: str):
        super().__init__(f"{booking.status} -> {to_status}")
        self.from_status = booking.status
        self.to_status = to_status


class AlreadyMoved(IllegalBookingMove):
    """The booking has the status asked for already: the same button pressed twice (a double
    click, a second tab). Nothing more is changed; the first press did it."""

    def __init__(self, booking: Booking):
        super().__init__(booking, booking.status)
        self.status = booking.status


@dataclass(frozen=True)
class Quote:
    check_in: date
    check_out: date
    guests: int
    units: int
    nights: int
    unit_price: int
    total: int


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str
    country: str
    note: str = ""


def quote(listing: Listing, check_in: date, check_out: date | None, guests: int, today: date):
    """The price of a booking as asked, or a BookingError saying what is wrong with it.

    The days are checked against today before any date arithmetic, so a date at the end of
    the calendar (9999-12-31) is "too far ahead", never an overflow."""
    if check_in < today:
        raise DatesInPast()
    if (check_in - today).days > BOOKING_HORIZON_DAYS:
        raise TooFarAhead()
    if not listing.is_stay:
        check_out = check_in + timedelta(days=1)
    if check_out is None or check_out <= check_in:
        raise CheckOutNotAfterCheckIn()
    nights = (check_out - check_in).days
    if nights > MAX_NIGHTS:
        raise StayTooLong()
    if guests < 1 or guests > _most_guests(listing):
        raise TooManyGuests()
    units = units_needed(listing, guests)
    per_unit = listing.price * (nights if listing.is_stay else 1)
    return Quote(check_in, check_out, guests, units, nights, listing.price, per_unit * units)


def _most_guests(listing: Listing) -> int:
    return listing.max_guests * listing.capacity if listing.is_stay else listing.max_guests


FORM_TOKEN_LENGTH = 64  # Booking.form_token


def book(
    listing_id: int,
    *,
    check_in: date,
    check_out: date | None,
    guests: int,
    contact: Contact,
    user_id: int | None,
    form_token: str,
    today: date,
    language: str = "vi",
    tell: Callable[[Booking], object] | None = None,
) -> Booking:
    """Take the capacity of every day of the booking and write it, all or nothing.

    The same form_token twice (a double click, a reload) gives back the first booking, at once
    or later: the booking row, which carries the token, is written first in a savepoint, so a
    twin waits for the first request and then finds the token taken, before it takes any
    capacity. tell(booking) (the messages, sent once the booking is committed) runs in the same
    transaction, never for a repeat. `language` is the page's: the guest's messages use it.
    """
    if not form_token or len(form_token) > FORM_TOKEN_LENGTH:
        raise ValueError("not a form token")
    with write_transaction():
        existing = _booking_with_token(form_token)
        if existing is not None:
            return existing
        listing = db.session.get(Listing, listing_id)
        asked = quote(listing, check_in, check_out, guests, today)
        now = utcnow()
        deposit, pay_by = deposit_terms(listing, asked.total, asked.check_in, now)
        if deposit:
            status = "awaiting_deposit"
        else:
            status = "confirmed" if listing.instant_booking else "requested"
        booking = Booking(
            form_token=form_token,
            access_token=secrets.token_urlsafe(24),
            listing_id=listing.id,
            user_id=user_id,
            check_in=asked.check_in,
            check_out=asked.check_out,
            guests=guests,
            units=asked.units,
            total=asked.total,
            status=status,
            deposit=deposit,
            pay_by=pay_by,
            created_at=now,
            language=language,
            **contact.__dict__,
        )
        if not insert_unless_taken(booking):  # the twin of this form committed it meanwhile
            first = _booking_with_token(form_token)
            if first is None:  # refused by another constraint than the token's
                raise RuntimeError("the booking could not be written")
            return first
        days = days_taken(listing, asked.check_in, asked.check_out)
        insert_missing(
            Slot,
            [{"listing_id": listing.id, "day": d, "capacity": listing.capacity} for d in days],
            ["listing_id", "day"],
        )
        for day in days:  # in date order: two bookings lock the same days in the same order
            _take(listing.id, day, asked.units)
        booking.code = f"BK-{booking.created_at.year}-{booking.id:06d}"
        booking.events.append(BookingEvent(from_status=None, to_status=status, actor_id=user_id))
        if tell is not None:
            tell(booking)
    return booking


def _booking_with_token(form_token: str) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.form_token == form_token))


def _take(listing_id: int, day: date, units: int) -> None:
    taken = db.session.execute(
        update(Slot)
        .where(
            Slot.listing_id == listing_id,
            Slot.day == day,
            Slot.closed.is_(False),
            Slot.taken + units <= Slot.capacity,
        )
        .values(taken=Slot.taken + units)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise DatesUnavailable(day)


def _release(booking: Booking) -> None:
    for day in days_taken(booking.listing, booking.check_in, booking.check_out):
        db.session.execute(
            update(Slot)
            .where(Slot.listing_id == booking.listing_id, Slot.day == day)
            .values(taken=Slot.taken - booking.units)
            .execution_options(synchronize_session=False)
        )


def cancellation_fee(booking: Booking, today: date) -> int:
    """Free until free_cancel_days before the start; after that the stated share of the total.
    A booking whose deposit is still awaited was never secured: cancelling it is free."""
    listing = booking.listing
    if booking.status == "awaiting_deposit":
        return 0
    if (booking.check_in - today).days >= listing.free_cancel_days:
        return 0
    return booking.total * listing.late_cancel_fee_percent // 100


def cancel_terms(booking: Booking, today: date, *, by_guest: bool = True) -> CancelTerms:
    """What cancelling now does with the booking's money, as the move would do it: the fee
    (the guest's, by the policy; none when the host cancels), what the host holds of what
    was paid, and what goes back (deposits.cancel_refund), by the host's own transfer."""
    return _terms_with_fee(booking, cancellation_fee(booking, today) if by_guest else 0)


def _terms_with_fee(booking: Booking, fee: int) -> CancelTerms:
    owed = owed_back(PAYABLE_KIND, booking.id) if booking.paid_amount > 0 else 0
    return CancelTerms(
        fee=fee,
        held=max(booking.paid_amount - owed, 0),
        refund=cancel_refund(booking.paid_amount, owed, fee),
    )


def _refund_what_is_held(booking: Booking, fee: int, reason: str) -> int:
    """Record as due what the host holds of the booking's money beyond `fee`; the amount."""
    if booking.paid_amount <= 0:
        return 0
    amount = _terms_with_fee(booking, fee).refund  # what the confirmation told
    refund_due(booking.listing.host_id, PAYABLE_KIND, booking.id, amount, reason)
    return amount


def can_cancel(booking: Booking, today: date) -> bool:
    return "cancelled" in TRANSITIONS[booking.status] and booking.check_in >= today


def change_booking_status(
    booking_id: int,
    to_status: str,
    *,
    actor_id: int | None,
    today: date,
    note: str = "",
    from_statuses: tuple[str, ...] | None = None,
) -> Booking:
    """One allowed move, as a conditional UPDATE; cancelling or declining gives the capacity
    back, once. Cancelling a booking that was paid (its deposit) records the refund due:
    what was paid less the fee when the guest cancels, all of it when the host does.

    AlreadyMoved (an IllegalBookingMove) when the booking has that status already: the move
    pressed twice, whose second press changes nothing and records no second event. The
    automatic moves (AUTOMATIC_MOVES) are refused here: only the money and the clock make them.
    """
    with write_transaction():
        booking = db.session.get(Booking, booking_id, populate_existing=True)
        if booking is None:
            raise LookupError(booking_id)
        _check_move(booking, to_status, today, from_statuses)
        by_guest = actor_id is None or actor_id == booking.user_id
        values = {}
        if to_status == "cancelled":
            values["cancel_fee"] = cancellation_fee(booking, today) if by_guest else 0
        if not _move(booking, to_status, actor_id=actor_id, note=note, values=values):
            # Another request moved it after we read it (PostgreSQL: our UPDATE waited for it).
            db.session.refresh(booking)
            _check_move(booking, to_status, today, from_statuses)
            raise IllegalBookingMove(booking, to_status)
        refund = 0
        if to_status in ("cancelled", "declined"):
            refund = _refund_what_is_held(booking, values.get("cancel_fee", 0), "cancelled")
        notifications.tell_step(
            booking,
            to_status,
            note=note,
            by_guest=by_guest,
            fee=values.get("cancel_fee", 0),
            refund=refund,
        )
    db.session.refresh(booking)
    return booking


def _move(booking: Booking, to_status: str, *, actor_id, note: str = "", values=None) -> bool:
    """The move from the status read to to_status as one conditional UPDATE, with the
    capacity given back, the event and the audit record; False when another change moved
    the booking first (nothing done). The booking is read again afterwards, under the lock
    the UPDATE took, so what was paid meanwhile is seen."""
    from_status = booking.status
    moved = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == from_status)
        # A new SEQUENCE for the calendar file (tourism.ics): imported again, it replaces
        # the event the guest took before.
        .values(status=to_status, sequence=Booking.sequence + 1, **(values or {}))
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        return False
    if to_status in RELEASES_CAPACITY:
        _release(booking)
    audit.record(actor_id, "booking.status", "booking", booking.id, f"{from_status} → {to_status}")
    db.session.add(
        BookingEvent(
            booking_id=booking.id,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor_id,
            note=note,
        )
    )
    db.session.refresh(booking)
    return True


def _check_move(booking: Booking, to_status: str, today: date, from_statuses) -> None:
    if booking.status == to_status:
        raise AlreadyMoved(booking)
    allowed = (
        to_status in TRANSITIONS[booking.status]
        and (booking.status, to_status) not in AUTOMATIC_MOVES
        and (from_statuses is None or booking.status in from_statuses)
    )
    if to_status == "cancelled" and booking.check_in < today:
        allowed = False
    if not allowed:
        raise IllegalBookingMove(booking, to_status)


# --- the deposit: received, or not in time --------------------------------------------------


def deposit_received(booking: Booking) -> bool:
    """The deposit of a booking awaiting it has all come in (tourism.payables, inside the
    transaction that matched the transfer, the booking's row locked): it is confirmed, and
    the guest and the host are told. False when it was no longer awaiting its deposit."""
    if booking.status != "awaiting_deposit" or booking.paid_amount < booking.deposit:
        return False
    if not _move(booking, "confirmed", actor_id=None):
        return False
    notifications.tell_deposit_paid(booking)
    return True


def release_unpaid_deposits(now: datetime) -> int:
    """Every booking still awaiting its deposit at its deadline expires: its capacity goes
    back, once, what was paid of the deposit is a refund due ("released"), and the guest is
    told. One transaction per booking; a booking whose deposit came at the same moment is
    either confirmed (and left alone here) or released (and the money it brought refunded),
    never both. The number released."""
    due = db.session.scalars(
        select(Booking.id)
        .where(Booking.status == "awaiting_deposit", Booking.pay_by <= now)
        .order_by(Booking.id)
    ).all()
    released = 0
    for booking_id in due:
        try:
            released += _release_unpaid(booking_id, now)
        except TryAgain:  # a long lock wait: the next run (five minutes on) tries it again
            log.warning("booking %s: release waited too long; left for the next run", booking_id)
    return released


def _release_unpaid(booking_id: int, now: datetime) -> bool:
    with write_transaction():
        booking = db.session.get(Booking, booking_id, populate_existing=True)
        if booking is None or booking.status != "awaiting_deposit" or booking.pay_by > now:
            return False
        if not _move(booking, "expired", actor_id=None):
            return False  # paid (or cancelled) meanwhile: it stays as that move left it
        refund = _refund_what_is_held(booking, 0, "released")
        notifications.tell_expired(booking, refund=refund)
    return True


def new_form_token() -> str:
    """A booking form's one-time token (core.submissions.new_form_token)."""
    return _new_form_token()
