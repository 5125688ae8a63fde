"""Bookings' deposits as payments sees them (payments.payables): found by the code in a
transfer's reference, paid by what arrives at the host cooperative's account, refunded when
a paid booking is cancelled or its hold ran out. Registered by tourism.init_app.

A deposit that comes in whole confirms the booking at once (tourism.bookings.deposit_received):
nobody clicks. Money for a booking that is no longer open (cancelled, declined, expired) is
not kept: payments records it as a refund due, "released" when the hold had run out.
"""

from datetime import datetime

from sqlalchemy import select

from core.extensions import db
from payments.payables import Due, add_received
from payments.refunds import add_refunded
from tourism import bookings, notifications
from tourism.models import Booking, Listing


def _due(booking: Booking) -> Due:
    return Due(
        kind=bookings.PAYABLE_KIND,
        id=booking.id,
        code=booking.code,
        payee_id=booking.listing.host_id,
        amount=booking.deposit,
        paid=booking.paid_amount,
        placed_at=booking.created_at,
        is_open=booking.status in bookings.OPEN_STATUSES,
        closed_reason="released" if booking.status == "expired" else "cancelled",
    )


class BookingPayable:
    kind = bookings.PAYABLE_KIND
    prefix = "BK"

    def find(self, code: str) -> Due | None:
        # Locked for the transaction that takes the money in: the release job's conditional
        # UPDATE waits for it, or it waits for the job and finds the booking expired.
        booking = db.session.scalar(
            select(Booking)
            .where(Booking.code == code)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return _due(booking) if booking else None

    def candidates(self, payee_id: int, amount: int, booked_at: datetime) -> list[Due]:
        found = db.session.scalars(
            select(Booking)
            .join(Listing, Booking.listing_id == Listing.id)
            .where(
                Listing.host_id == payee_id,
                Booking.status == "awaiting_deposit",
                Booking.deposit - Booking.paid_amount == amount,
                Booking.created_at <= booked_at,
            )
            .order_by(Booking.id)
            .limit(2)  # more than one is as good as many: the credit waits for a person
            .with_for_update(of=Booking)
            .execution_options(populate_existing=True)
        ).all()
        return [_due(booking) for booking in found]

    def receive(self, due: Due, amount: int) -> None:
        booking = add_received(Booking, due.id, amount)
        if not due.is_open or booking.status != "awaiting_deposit":
            return  # closed (payments records the refund due), or paid before (paid twice)
        if booking.paid_amount >= booking.deposit:
            bookings.deposit_received(booking)
        else:
            notifications.tell_deposit_part(booking)

    def give_back(self, payable_id: int, amount: int) -> None:
        add_refunded(Booking, payable_id, amount)
