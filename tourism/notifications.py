"""What the guest and the host hear of a booking (core.notifications): the guest's request or
confirmation and the host's notice of a new booking, then each later step, told to the guest.

Every function here runs inside the write transaction of the change it tells of, so a change
that is rolled back tells no one.
"""

from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.labels import N_
from core.models import User
from core.notifications import Recipient, notify, site_link
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
            return Recipient.of(user)
    return Recipient(address=booking.email, language=booking.language or "vi")


def tell_booked(booking: Booking) -> None:
    """The guest's request (or confirmation, when booked at once) and the host's notice."""
    notify(
        "booking.requested" if booking.status == "requested" else "booking.confirmed",
        guest_of(booking),
        "booking_guest",
        _l("Yêu cầu đặt chỗ %(code)s", code=booking.code),
        booking=booking,
        link=booking_link(booking),
    )
    owner = booking.listing.host.owner
    if owner is not None:
        notify(
            "booking.new",
            Recipient.of(owner),
            "booking_host",
            _l("Đặt chỗ mới %(code)s", code=booking.code),
            booking=booking,
        )


def tell_step(
    booking: Booking, to_status: str, *, note: str = "", by_guest: bool = False, fee: int = 0
) -> None:
    """The guest hears that their booking was confirmed, declined or cancelled (by the host,
    with the host's reason, or by themselves, with the fee if any)."""
    if to_status not in STEP_MESSAGES:
        return
    event, template, subject = STEP_MESSAGES[to_status]
    notify(
        event,
        guest_of(booking),
        template,
        _l(subject, code=booking.code),
        booking=booking,
        note=note,
        by_guest=by_guest,
        fee=fee,
        link=booking_link(booking),
    )
