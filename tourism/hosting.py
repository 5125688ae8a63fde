"""The host's side: their listings, capacity and closed days, bookings and guests per day.

Every query takes the host's cooperative id, so a host reaches only their own listings and
bookings: anything else is "not found".
"""

import secrets
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from core.accounts import unique_slug
from core.db import insert_missing, insert_unless_taken, write_transaction
from core.extensions import db
from core.text import nfc
from marketplace.models import Cooperative
from payments import refunds
from tourism import notifications
from tourism.availability import days_taken
from tourism.bookings import AUTOMATIC_MOVES, OPEN_STATUSES, PAYABLE_KIND, TRANSITIONS, can_cancel
from tourism.models import Booking, Listing, Slot

MAX_RANGE_DAYS = 366
# Bookings that hold their days: awaiting their deposit, waiting for the host, confirmed.
ACTIVE_STATUSES = OPEN_STATUSES


class NotFound(LookupError):
    pass


class CapacityBelowTaken(ValueError):
    def __init__(self, day: date, taken: int):
        super().__init__(day.isoformat())
        self.day = day
        self.taken = taken


class BadRange(ValueError):
    pass


class ReasonRequired(ValueError):
    """A host cancels a booking only with a reason the guest will read."""


class KindLocked(ValueError):
    """A listing with bookings still to come keeps its kind: a stay takes its nights and a tour
    its one day, and giving them back must count them the way they were taken."""


def host_listings(host_id: int) -> list[Listing]:
    return db.session.scalars(
        select(Listing).where(Listing.host_id == host_id).order_by(Listing.title)
    ).all()


def host_listing(host_id: int, listing_id: int) -> Listing:
    listing = db.session.scalar(
        select(Listing).where(Listing.id == listing_id, Listing.host_id == host_id)
    )
    if listing is None:
        raise NotFound(listing_id)
    return listing


def host_booking(host_id: int, booking_id: int) -> Booking:
    booking = db.session.scalar(
        select(Booking)
        .join(Booking.listing)
        .where(Booking.id == booking_id, Listing.host_id == host_id)
        .options(joinedload(Booking.listing))
    )
    if booking is None:
        raise NotFound(booking_id)
    return booking


def host_bookings(
    host_id: int,
    status: str | None = None,
    listing_id: int | None = None,
    ids: list[int] | None = None,
):
    query = (
        select(Booking)
        .join(Booking.listing)
        .where(Listing.host_id == host_id)
        .options(joinedload(Booking.listing))
        .order_by(Booking.check_in, Booking.id)
    )
    if status:
        query = query.where(Booking.status == status)
    if listing_id:
        query = query.where(Booking.listing_id == listing_id)
    if ids is not None:
        query = query.where(Booking.id.in_(ids))
    return db.session.scalars(query).all()


def _days(first: date, last: date) -> list[date]:
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        raise BadRange()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _slots_locked(listing: Listing, days: list[date]) -> None:
    """Make the days' rows and lock them in date order, as a booking takes them, so that a
    host's change and a booking wait for each other instead of deadlocking (PostgreSQL)."""
    insert_missing(
        Slot,
        [{"listing_id": listing.id, "day": d, "capacity": listing.capacity} for d in days],
        ["listing_id", "day"],
    )
    db.session.execute(
        select(Slot.id)
        .where(Slot.listing_id == listing.id, Slot.day.in_(days))
        .order_by(Slot.day)
        .with_for_update()
    )


def set_capacity(listing: Listing, first: date, last: date, capacity: int) -> None:
    """Rooms or seats for each day from first to last; never below what is already booked."""
    days = _days(first, last)
    if capacity < 0:
        raise BadRange()
    with write_transaction():
        _slots_locked(listing, days)
        changed = db.session.execute(
            update(Slot)
            .where(Slot.listing_id == listing.id, Slot.day.in_(days), Slot.taken <= capacity)
            .values(capacity=capacity)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != len(days):  # some day has more booked: change none (rolled back)
            slot = db.session.scalars(
                select(Slot)
                .where(Slot.listing_id == listing.id, Slot.day.in_(days), Slot.taken > capacity)
                .order_by(Slot.day)
            ).first()
            raise CapacityBelowTaken(slot.day, slot.taken)


def set_closed(listing: Listing, first: date, last: date, closed: bool) -> None:
    """Close days to new bookings (bookings already made stay), or open them again."""
    days = _days(first, last)
    with write_transaction():
        _slots_locked(listing, days)
        db.session.execute(
            update(Slot)
            .where(Slot.listing_id == listing.id, Slot.day.in_(days))
            .values(closed=closed)
            .execution_options(synchronize_session=False)
        )


def guests_per_day(host_id: int, first: date, last: date) -> dict[date, int]:
    """Guests expected each day (requested and confirmed bookings) across the host's listings."""
    days = set(_days(first, last))
    guests: dict[date, int] = defaultdict(int)
    for booking in db.session.scalars(
        select(Booking)
        .join(Booking.listing)
        .where(
            Listing.host_id == host_id,
            Booking.status.in_(ACTIVE_STATUSES),
            Booking.check_in <= last,
            Booking.check_out > first,
        )
        .options(joinedload(Booking.listing))
    ):
        for day in days_taken(booking.listing, booking.check_in, booking.check_out):
            if day in days:
                guests[day] += booking.guests
    return dict(guests)


SLUG_ATTEMPTS = 5


def create_listing(host_id: int, **fields) -> Listing:
    """The host's new listing, in the district and commune of the host.

    Its slug is made from the title and is unique; when a listing made at the same moment
    (another host, another form) takes the same slug first, the next free one is used."""
    with write_transaction():
        host = db.session.get(Cooperative, host_id)
        fields["title"] = nfc(fields["title"]).strip()
        for attempt in range(SLUG_ATTEMPTS + 1):
            slug = unique_slug(Listing, fields["title"])
            if attempt == SLUG_ATTEMPTS:  # taken again and again: make it certainly free
                slug = f"{slug[:100]}-{secrets.token_hex(4)}"
            listing = Listing(
                host_id=host.id, slug=slug, district_id=host.district_id,
                commune_id=host.commune_id, **fields,
            )  # fmt: skip
            if insert_unless_taken(listing):
                return listing
    raise AssertionError("unreachable")


def update_listing(host_id: int, listing_id: int, **fields) -> Listing:
    """Change one of the host's listings (its slug stays: links already shared keep working).

    NotFound if it is not theirs; KindLocked if the kind would change while bookings are to
    come (checked in the same transaction as the change)."""
    with write_transaction():
        listing = host_listing(host_id, listing_id)
        check_kind_change(listing, fields["kind"])
        fields["title"] = nfc(fields["title"]).strip()
        for name, value in fields.items():
            setattr(listing, name, value)
    return listing


def check_kind_change(listing: Listing | None, kind: str) -> None:
    """KindLocked if the listing has requested or confirmed bookings and the kind would change."""
    if listing is None or kind == listing.kind:
        return
    active = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.listing_id == listing.id, Booking.status.in_(ACTIVE_STATUSES)
        )
    )
    if active:
        raise KindLocked()


HOST_NOTE_LENGTH = 300  # BookingEvent.note


def host_moves(booking: Booking, today: date) -> tuple[str, ...]:
    """The statuses the host may move the booking to now: the allowed transitions, without
    cancelling once the stay or tour has begun."""
    return tuple(
        to
        for to in TRANSITIONS[booking.status]
        if (booking.status, to) not in AUTOMATIC_MOVES
        and (to != "cancelled" or can_cancel(booking, today))
    )


def host_note(to_status: str, note: str | None) -> str:
    """The note recorded with a host's move; cancelling needs a reason (ReasonRequired)."""
    note = nfc(note or "").strip()[:HOST_NOTE_LENGTH]
    if to_status == "cancelled" and not note:
        raise ReasonRequired()
    return note


BANK_REFERENCE_LENGTH = 60  # payments.models.Refund.bank_reference


def booking_refunds(booking: Booking) -> list:
    """The refunds due and done of a booking's money (payments.refunds)."""
    return refunds.refunds_of(PAYABLE_KIND, [booking.id])


def record_refund(
    host_id: int, booking_id: int, refund_id: int, bank_reference: str, actor_id: int
):
    """The host transferred a refund of one of their bookings back and gives the bank's
    reference of that transfer: the refund is done (once: a second click is RefundError) and
    the guest is told, in one transaction. NotFound for another host's booking or a refund
    that is not this booking's."""
    with write_transaction():
        booking = host_booking(host_id, booking_id)
        if refund_id not in {refund.id for refund in booking_refunds(booking)}:
            raise NotFound(refund_id)
        refund = refunds.record_refund(refund_id, host_id, bank_reference, actor_id)
        notifications.tell_refunded(booking, refund)
    return refund
