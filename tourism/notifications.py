"""What the guest and the host hear of a booking (core.notifications): the guest's request or
confirmation (or the deposit to transfer, with the bank details and the deadline) and the
host's notice of a new booking, then each later step, told to the guest: the deposit received
(the host hears it too), the hold expired, a refund made.

Every function here runs inside the write transaction of the change it tells of, so a change
that is rolled back tells no one.
"""

from dataclasses import replace
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from core.labels import N_
from core.models import User
from core.notifications import Recipient, notify, site_link
from payments.transfers import transfer_to
from tourism.models import Booking

# The steps of a booking the guest hears of: status -> (event, template, subject).
STEP_MESSAGES = {
    "confirmed": (
        "booking.confirmed",
        "booking_confirmed",
        N_("Đặt chỗ %(code)s đã được xác nhận"),
    ),
    "declined": ("booking.declined", "booking_declined", N_("Đặt chỗ %(code)s không được nhận")),
    "cancelled": ("booking.cancelled", "booking_cancelled", N_("Đặt chỗ %(code)s đã bị hủy")),
}


def booking_link(booking: Booking) -> str:
    return site_link("tourism.booking", code=booking.code, token=booking.access_token)


def guest_of(booking: Booking) -> Recipient:
    """The tourist's account when they booked logged in, else the email of the booking form in
    the language of the page it was made on."""
    if booking.user_id is not None:
        user = db.session.get(User, booking.user_id)
        if user is not None:
            return replace(Recipient.of(user), phone=user.phone or booking.phone)
    return Recipient(address=booking.email, language=booking.language or "vi", phone=booking.phone)


def _params(booking: Booking) -> dict:
    """What a Zalo template of a booking shows (core.zalo)."""
    return {
        "booking_code": booking.code,
        "customer_name": booking.name,
        "check_in": booking.check_in.strftime("%d/%m/%Y"),
    }


def _tell_host(booking: Booking, event: str, template: str, subject, **context) -> None:
    owner = booking.listing.host.owner
    if owner is not None:
        notify(
            event,
            Recipient.of(owner),
            template,
            subject,
            params=_params(booking),
            booking=booking,
            **context,
        )


def _tell_guest(booking: Booking, event: str, template: str, subject: str, **context) -> None:
    """The guest's message, with the booking's private link; subject is a msgid of %(code)s."""
    notify(
        event,
        guest_of(booking),
        template,
        _l(subject, code=booking.code),
        params=_params(booking),
        booking=booking,
        link=booking_link(booking),
        **context,
    )


def deposit_transfer(booking: Booking):
    """What the guest still has to transfer of the deposit (payments.transfers), or None."""
    if booking.status != "awaiting_deposit":
        return None
    return transfer_to(booking.listing.host, booking.code, booking.deposit - booking.paid_amount)


BOOKED_EVENTS = {
    "awaiting_deposit": ("booking.awaiting_deposit", N_("Chuyển tiền cọc để giữ chỗ %(code)s")),
    "requested": ("booking.requested", N_("Yêu cầu đặt chỗ %(code)s")),
    # Booked at once (instant booking): the guest hears it is confirmed, not requested.
    "confirmed": ("booking.confirmed", N_("Đặt chỗ %(code)s đã được xác nhận")),
}


def tell_booked(booking: Booking) -> None:
    """The guest's request (or confirmation, when booked at once, or the deposit to transfer:
    bank, account, holder, amount, text and deadline) and the host's notice."""
    event, subject = BOOKED_EVENTS[booking.status]
    _tell_guest(booking, event, "booking_guest", subject, transfer=deposit_transfer(booking))
    _tell_host(
        booking, "booking.new", "booking_host", _l("Đặt chỗ mới %(code)s", code=booking.code)
    )


def tell_step(
    booking: Booking,
    to_status: str,
    *,
    note: str = "",
    by_guest: bool = False,
    fee: int = 0,
    refund: int = 0,
) -> None:
    """The guest hears that their booking was confirmed, declined or cancelled (by the host,
    with the host's reason, or by themselves, with the fee if any, and what the host will
    refund of what was paid); the host hears when the guest cancelled, so the room or the
    tour seat is free again in their plans too, and what they owe back."""
    if to_status not in STEP_MESSAGES:
        return
    if to_status == "cancelled" and by_guest:
        _tell_host(
            booking,
            "booking.cancelled_by_guest",
            "booking_cancelled_by_guest",
            _l("Khách đã hủy đặt chỗ %(code)s", code=booking.code),
            fee=fee,
            refund=refund,
        )
    event, template, subject = STEP_MESSAGES[to_status]
    _tell_guest(
        booking, event, template, subject, note=note, by_guest=by_guest, fee=fee, refund=refund
    )


def tell_deposit_paid(booking: Booking) -> None:
    """The deposit came in and confirmed the booking: the guest hears it is secured, the
    host that it is confirmed without a click."""
    _tell_guest(
        booking,
        "booking.deposit_paid",
        "booking_deposit_paid",
        N_("Đã nhận tiền cọc, đặt chỗ %(code)s đã được xác nhận"),
    )
    _tell_host(
        booking,
        "booking.deposit_paid_host",
        "booking_deposit_paid_host",
        _l("Khách đã đặt cọc cho %(code)s", code=booking.code),
    )


def tell_deposit_part(booking: Booking) -> None:
    """Less than the deposit came in: the guest hears what is still missing, by when."""
    _tell_guest(
        booking,
        "booking.deposit_part_paid",
        "booking_deposit_part",
        N_("Đặt chỗ %(code)s còn thiếu tiền cọc"),
        transfer=deposit_transfer(booking),
    )


def tell_expired(booking: Booking, *, refund: int = 0) -> None:
    """The deposit did not come by the deadline: the hold is given up (and what came of the
    deposit will be refunded)."""
    _tell_guest(
        booking,
        "booking.expired",
        "booking_expired",
        N_("Đặt chỗ %(code)s đã hết hạn giữ chỗ"),
        refund=refund,
    )


def tell_refunded(booking: Booking, refund) -> None:
    """The host recorded the transfer back of a refund (payments.refunds.record_refund)."""
    _tell_guest(
        booking,
        "booking.refunded",
        "booking_refunded",
        N_("Đã hoàn tiền cho đặt chỗ %(code)s"),
        refund=refund,
    )


def remind_arrivals(day: date) -> int:
    """The day-before reminder to each guest of a confirmed booking starting on `day`: where
    to go (address, map links, directions), the host's phone and Zalo, when to arrive
    (tourism.practical, in the mail's template). Once per booking, however often it runs."""
    told = 0
    for booking in db.session.scalars(
        select(Booking)
        .where(Booking.status == "confirmed", Booking.check_in == day)
        .order_by(Booking.id)
    ):
        told += bool(
            notify(
                "booking.reminder",
                guest_of(booking),
                "booking_reminder",
                _l("Nhắc lịch: %(code)s bắt đầu ngày mai", code=booking.code),
                params=_params(booking),
                once_key=f"booking.reminder:{booking.id}",
                booking=booking,
                link=booking_link(booking),
            )
        )
    return told
