"""Community tourism pages: listings, availability, booking, the guest's booking page."""

from datetime import UTC

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core import formatting
from core.clock import today
from core.db import TryAgain
from core.extensions import db
from core.i18n import current_language
from core.limits import limited
from core.models import District, utcnow
from core.text import normalise_international_phone, same_secret
from payments.refunds import REASONS as REFUND_REASONS
from payments.refunds import refunds_of
from tourism import bookings, notifications
from tourism.availability import month_view
from tourism.deposits import deposit_terms, takes_deposits
from tourism.forms import BookingForm
from tourism.ics import booking_ics
from tourism.labels import BOOKING_STATUS_NAMES, DAY_STATE_NAMES, KIND_NAMES
from tourism.listings import (
    ListingFilters,
    featured_listings,
    find_listings,
    listing_ld,
    listings_with_product,
    localized,
    visible_listings,
)
from tourism.models import Booking, Listing

bp = Blueprint("tourism", __name__)


@bp.record_once
def register_template_globals(state):
    state.app.jinja_env.globals.update(
        {
            "kind_names_tourism": KIND_NAMES,
            "booking_status_names": BOOKING_STATUS_NAMES,
            "day_state_names": DAY_STATE_NAMES,
            "localized": localized,
            # The product page shows the tours and stays it belongs with.
            "listings_with_product": listings_with_product,
            "featured_listings": featured_listings,
            "listing_ld": listing_ld,
            "takes_deposits": takes_deposits,
            "quote_deposit": quote_deposit,
            "refund_reasons": REFUND_REASONS,
        }
    )


def quote_deposit(listing: Listing, quote: bookings.Quote) -> tuple[int, object]:
    """(deposit, deadline) a booking of this quote made now would ask (tourism.deposits)."""
    return deposit_terms(listing, quote.total, quote.check_in, utcnow())


def sitemap_urls() -> list[str]:
    """Tourism's addresses in /sitemap.xml (core.seo)."""
    return [url_for("tourism.index", _external=True)] + [
        url_for("tourism.listing", slug=listing.slug, _external=True)
        for listing in db.session.scalars(visible_listings())
    ]


@bp.get("/tourism")
def index():
    filters = ListingFilters.from_args(request.args)
    districts = db.session.scalars(select(District).order_by(District.name)).all()
    return render_template(
        "tourism/index.html",
        filters=filters,
        listings=find_listings(filters, today()),
        districts=districts,
    )


def _listing(slug: str) -> Listing:
    listing = db.session.scalar(
        visible_listings()
        .where(Listing.slug == slug)
        .options(
            selectinload(Listing.images),
            selectinload(Listing.products),
            joinedload(Listing.district),
            joinedload(Listing.commune),
        )
    )
    if listing is None:
        abort(404)
    return listing


def _calendar_context(listing: Listing, month_arg: str | None) -> dict:
    return month_view(listing, month_arg, today())


@bp.get("/tourism/<slug>")
def listing(slug: str):
    item = _listing(slug)
    form = BookingForm(formdata=None)  # with a fresh form_token
    asked = ListingFilters.from_args(request.args)  # dates and guests from the tourism search
    form.check_in.data = asked.day
    if "guests" in request.args:
        form.guests.data = asked.guests
    if current_user.is_authenticated:
        form.name.data, form.email.data = current_user.name, current_user.email
        form.phone.data = current_user.phone
    quote, message = _quote_or_error(item, form)  # arriving from a search with a date
    return render_template(
        "tourism/listing.html",
        form=form,
        quote=quote,
        message=message,
        **_calendar_context(item, request.args.get("month")),
    )


@bp.get("/tourism/<slug>/calendar")
def calendar(slug: str):
    context = _calendar_context(_listing(slug), request.args.get("month"))
    if request.htmx:
        return render_template("tourism/_calendar.html", **context)
    return redirect(url_for("tourism.listing", slug=slug, month=request.args.get("month")))


def _quote_or_error(listing: Listing, form: BookingForm):
    """(quote, None) or (None, message) for what the form asks; a date or a number the form
    refused (out of range) is its message, and is never priced."""
    if not form.check_in.data or form.guests.data is None:
        return None, None
    for asked in (form.check_in, form.check_out, form.guests):
        if asked.errors:
            return None, str(asked.errors[0])
    try:
        return (
            bookings.quote(
                listing, form.check_in.data, form.check_out.data, form.guests.data, today()
            ),
            None,
        )
    except bookings.BookingError as error:
        return None, booking_error_message(error, listing)


def booking_error_message(error: bookings.BookingError, listing: Listing) -> str:
    messages = {
        bookings.DatesInPast: _("Ngày đến đã qua; hãy chọn một ngày từ hôm nay."),
        bookings.CheckOutNotAfterCheckIn: _("Ngày đi phải sau ngày đến."),
        bookings.StayTooLong: _("Mỗi lần đặt tối đa %(n)s đêm.", n=bookings.MAX_NIGHTS),
        bookings.TooFarAhead: _("Chỉ nhận đặt trong vòng một năm tới."),
        bookings.TooManyGuests: _("Số khách vượt quá sức chứa của chỗ này."),
    }
    if isinstance(error, bookings.DatesUnavailable):
        return _(
            "Ngày %(day)s đã hết chỗ hoặc đóng. Hãy xem lịch và chọn ngày khác.",
            day=formatting.day(error.day),
        )
    return messages.get(type(error), _("Không thể đặt chỗ như vậy."))


@bp.get("/tourism/<slug>/quote")
def price_quote(slug: str):
    """The price as the form is filled in (htmx)."""
    item = _listing(slug)
    form = BookingForm(formdata=request.args, meta={"csrf": False})
    form.validate()  # fills the dates and guests it can parse; errors are shown on submit
    quote, message = _quote_or_error(item, form)
    return render_template("tourism/_quote.html", listing=item, quote=quote, message=message)


@bp.post("/tourism/<slug>/book")
@limited("BOOKING")
def book(slug: str):
    item = _listing(slug)
    form = BookingForm()
    quote, message = None, None
    if form.validate_on_submit():
        quote, message = _quote_or_error(item, form)
        if quote is not None:
            try:
                booking = bookings.book(
                    item.id,
                    check_in=form.check_in.data,
                    check_out=form.check_out.data,
                    guests=form.guests.data,
                    contact=bookings.Contact(
                        name=form.name.data.strip(),
                        phone=normalise_international_phone(form.phone.data),
                        email=form.email.data.strip().lower(),
                        country=form.country.data.strip(),
                        note=(form.note.data or "").strip(),
                    ),
                    user_id=current_user.id if current_user.is_authenticated else None,
                    form_token=form.form_token.data,  # one of ours (BookingForm)
                    today=today(),
                    language=current_language(),
                    tell=notifications.tell_booked,
                )
            except bookings.BookingError as error:
                message = booking_error_message(error, item)
            except TryAgain:
                message = _("Hệ thống đang bận, chưa có chỗ nào được đặt. Vui lòng thử lại.")
            else:
                if booking.status == "awaiting_deposit":
                    flash(
                        _(
                            "Đã giữ chỗ %(code)s. Hãy chuyển tiền cọc trước %(deadline)s.",
                            code=booking.code,
                            deadline=formatting.moment(booking.pay_by),
                        ),
                        "success",
                    )
                else:
                    flash(_("Đã gửi yêu cầu đặt chỗ %(code)s.", code=booking.code), "success")
                return redirect(_booking_url(booking))
    context = _calendar_context(item, None)
    return render_template(
        "tourism/listing.html", form=form, quote=quote, booking_message=message, **context
    )


def _booking_url(booking: Booking, **extra) -> str:
    return url_for("tourism.booking", code=booking.code, token=booking.access_token, **extra)


def _visible_booking(code: str) -> Booking:
    booking = db.session.scalar(
        select(Booking).where(Booking.code == code).options(joinedload(Booking.listing))
    )
    if booking is None:
        abort(404)
    token = request.values.get("token", "")
    own = current_user.is_authenticated and booking.user_id == current_user.id
    host = (
        current_user.is_authenticated
        and current_user.cooperative is not None
        and current_user.cooperative.id == booking.listing.host_id
    )
    if not (own or host or same_secret(token, booking.access_token)):
        abort(404)
    return booking


def _deposit_context(item: Booking) -> dict:
    """What the booking page shows of the deposit: the transfer still to make, the deadline,
    the refunds due and done."""
    return {
        "transfer": notifications.deposit_transfer(item),
        "deadline_passed": item.pay_by is not None and item.pay_by <= utcnow(),
        "refunds": refunds_of(bookings.PAYABLE_KIND, [item.id]),
    }


@bp.get("/bookings/<code>")
def booking(code: str):
    item = _visible_booking(code)
    day = today()
    return render_template(
        "tourism/booking.html",
        booking=item,
        token=request.args.get("token", ""),
        can_cancel=bookings.can_cancel(item, day),
        cancel_terms=bookings.cancel_terms(item, day),
        **_deposit_context(item),
    )


@bp.get("/bookings/<code>/deposit")
def booking_deposit(code: str):
    """The deposit part of the booking page, asked again every few seconds (htmx) while the
    transfer is awaited; once the booking has moved on, the whole page is loaded again."""
    if not request.htmx:  # asked by hand: the page it is part of
        return booking(code)
    item = _visible_booking(code)
    token = request.args.get("token", "")
    part = render_template(
        "tourism/_deposit.html", booking=item, token=token, **_deposit_context(item)
    )
    if item.status != "awaiting_deposit":  # paid, expired or cancelled: the status, the timeline…
        return Response(part, headers={"HX-Refresh": "true"})
    return part


@bp.get("/bookings/<code>.ics")
def booking_calendar_file(code: str):
    item = _visible_booking(code)
    from datetime import datetime

    body = booking_ics(
        item,
        localized(item.listing, "title"),
        url_for("tourism.booking", code=item.code, _external=True),
        datetime.now(UTC),
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{item.code}.ics"'},
    )


@bp.post("/bookings/<code>/cancel")
def cancel_booking(code: str):
    item = _visible_booking(code)
    try:
        bookings.change_booking_status(
            item.id,
            "cancelled",
            actor_id=current_user.id if current_user.is_authenticated else None,
            today=today(),
            note=_("Khách hủy"),
            from_statuses=("awaiting_deposit", "requested", "confirmed"),
        )
        flash(_("Đã hủy đặt chỗ %(code)s.", code=item.code), "success")
    except bookings.AlreadyMoved:  # cancelled meanwhile: the same button pressed twice
        flash(_("Đã hủy đặt chỗ %(code)s.", code=item.code), "success")
    except bookings.IllegalBookingMove:
        flash(_("Đặt chỗ này không thể hủy nữa."), "error")
    except TryAgain:
        flash(_("Hệ thống đang bận. Vui lòng thử lại."), "error")
    return redirect(_booking_url(item))
