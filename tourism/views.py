"""Community tourism pages: listings, availability, booking, the guest's booking page."""

from datetime import UTC, datetime
from email.utils import parseaddr

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core import formatting
from core.bounds import day_arg, number_arg
from core.clock import today
from core.db import TryAgain, flash_busy
from core.extensions import db
from core.i18n import current_language, localized
from core.limits import limited
from core.models import District, utcnow
from core.page_cache import public_page
from core.text import normalise_international_phone, same_secret
from payments.refunds import REASONS as REFUND_REASONS
from payments.refunds import refunds_of
from tourism import bookings, notifications, picker, practical
from tourism import reviews as guest_reviews
from tourism.availability import FEW_LEFT, month_view
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
            # The product page shows the tours and stays it belongs with.
            "listings_with_product": listings_with_product,
            "featured_listings": featured_listings,
            "listing_ld": listing_ld,
            "takes_deposits": takes_deposits,
            "quote_deposit": quote_deposit,
            "refund_reasons": REFUND_REASONS,
            # Where to go and when (the booking page, the guest's mails), and the languages
            # a host speaks in the reader's language.
            "arrival": practical.arrival,
            "clock": practical.clock,
            "spoken_languages": practical.spoken_languages,
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
@public_page
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


def _calendar_context(
    listing: Listing,
    month_arg: str | None,
    selection: picker.Selection,
    guests=None,
    tapped: bool = False,
) -> dict:
    """The month calendar as a date picker: the month asked (else the selection's), its days
    with what each offers, and what a tap carries (the dates chosen, the guests)."""
    day = today()
    context = month_view(listing, month_arg, day, fallback=selection.check_in)
    context["weeks"] = picker.picker_weeks(listing, context["weeks"], selection, day)
    context["selection"] = selection
    context["carried"] = {**_carried(selection), "guests": guests}
    context["picker_status"] = picker_status(listing, selection, guests)
    context["has_ahead"] = any(d and d.state == "ahead" for week in context["weeks"] for d in week)
    context["few_left"] = FEW_LEFT
    context["tapped"] = tapped  # the calendar then says what the tap picked
    context["quiet"] = request.headers.get("HX-Trigger") == "calendar"  # the dates typed
    return context


def picker_status(listing: Listing, selection: picker.Selection, guests: int | None) -> dict:
    """What the calendar says of the last tap: why it was refused (error), and what is chosen."""
    refusal, error = selection.refusal, ""
    if refusal is not None:
        day = formatting.day(refusal.day)
        if refusal.reason == "too_few":
            error = (
                ngettext(
                    "Đêm %(day)s chỉ còn %(num)s phòng, chưa đủ cho %(guests)s khách.",
                    "Đêm %(day)s chỉ còn %(num)s phòng, chưa đủ cho %(guests)s khách.",
                    refusal.free,
                    day=day,
                    guests=guests,
                )
                if listing.is_stay
                else ngettext(
                    "Ngày %(day)s chỉ còn %(num)s chỗ, chưa đủ cho %(guests)s khách.",
                    "Ngày %(day)s chỉ còn %(num)s chỗ, chưa đủ cho %(guests)s khách.",
                    refusal.free,
                    day=day,
                    guests=guests,
                )
            )
        else:
            error = {
                "past": _("Ngày %(day)s đã qua.", day=day),
                "closed": _("Ngày %(day)s chủ nhà không nhận khách.", day=day),
                "full": _("Ngày %(day)s đã hết chỗ.", day=day),
                "ahead": _("Chỉ nhận đặt trong vòng một năm tới."),
                "blocked": _(
                    "Đêm %(day)s đã hết chỗ hoặc đóng. Hãy chọn ngày trả phòng muộn nhất là "
                    "%(day)s, hoặc chọn lại ngày nhận phòng.",
                    day=day,
                ),
                "too_long": _max_nights(),
            }[refusal.reason]
    chosen = ""
    if selection.check_in is not None:
        if not listing.is_stay:
            chosen = _("Ngày đã chọn: %(day)s.", day=formatting.day(selection.check_in))
        elif selection.check_out is None:
            chosen = _(
                "Ngày nhận phòng: %(day)s. Hãy chọn ngày trả phòng.",
                day=formatting.day(selection.check_in),
            )
        else:
            chosen = ngettext(
                "Nhận phòng %(first)s, trả phòng %(last)s: %(num)s đêm.",
                "Nhận phòng %(first)s, trả phòng %(last)s: %(num)s đêm.",
                selection.nights,
                first=formatting.day(selection.check_in),
                last=formatting.day(selection.check_out),
            )
    complete = selection.check_in is not None and (
        selection.check_out is not None or not listing.is_stay
    )
    return {"error": error, "chosen": chosen, "complete": complete}


MAX_GUESTS = 200  # BookingForm.guests


def _picked(listing: Listing, check_in=None) -> tuple[picker.Selection, int | None, bool]:
    """(selection, guests, whether a day was tapped) from the query string: check_in and
    check_out as the form holds them, pick the day tapped on the calendar (each ignored when
    it is no day within core.bounds.day_range)."""
    args = request.args
    selection = picker.selection_from(
        listing, day_arg(args.get("check_in")) or check_in, day_arg(args.get("check_out")), today()
    )
    guests = number_arg(args.get("guests"), 1, MAX_GUESTS)
    tapped = day_arg(args.get("pick"))
    if tapped is None:
        return selection, guests, False
    return picker.pick(listing, selection, tapped, guests, today()), guests, True


@bp.get("/tourism/<slug>")
def listing(slug: str):
    """The listing, its calendar and the booking form. A tap on the calendar without
    JavaScript comes here: ?pick= with the dates chosen so far (check_in, check_out)."""
    item = _listing(slug)
    form = BookingForm(formdata=None)  # with a fresh form_token
    asked = ListingFilters.from_args(request.args)  # dates and guests from the tourism search
    selection, guests, tapped = _picked(item, check_in=asked.day)
    form.check_in.data, form.check_out.data = selection.check_in, selection.check_out
    if "guests" in request.args:
        form.guests.data = asked.guests if guests is None else guests
    if current_user.is_authenticated:
        form.name.data, form.email.data = current_user.name, current_user.email
        form.phone.data = current_user.phone
    quote, message = _quote_or_error(item, form)  # arriving from a search with a date
    if tapped and selection.awaits_check_out(item):  # no price until the check-out is tapped
        quote, message = None, None
    return render_template(
        "tourism/listing.html",
        form=form,
        quote=quote,
        message=message,
        **_reviews_context(item),
        **_calendar_context(item, request.args.get("month"), selection, form.guests.data, tapped),
    )


def _reviews_context(listing: Listing) -> dict:
    """The listing page's reviews: the newest, and where "Xem thêm" leads."""
    page = guest_reviews.REVIEWED.visible(listing)
    return {"page": page, "more_url": more_reviews_url(listing, page)}


def more_reviews_url(listing: Listing, page) -> str | None:
    if not page.more:
        return None
    return url_for("tourism.listing_reviews", slug=listing.slug, page=page.page + 1)


@bp.get("/tourism/<slug>/calendar")
def calendar(slug: str):
    """The calendar (htmx): another month (?month=), or a day tapped (?pick=, with the form's
    check_in, check_out and guests), which also sends the form's dates and the price."""
    item = _listing(slug)
    selection, guests, tapped = _picked(item)
    if not request.htmx:  # asked by hand: the page, with the same dates
        return redirect(
            url_for(
                "tourism.listing",
                slug=slug,
                month=request.args.get("month", "")[:7] or None,
                guests=guests,
                _anchor="calendar",
                **_carried(selection),
            )
        )
    context = _calendar_context(item, request.args.get("month"), selection, guests, tapped)
    if not tapped:
        return render_template("tourism/_calendar.html", **context)
    form = BookingForm(formdata=None)
    form.check_in.data, form.check_out.data = selection.check_in, selection.check_out
    form.guests.data = guests
    quote, message = _quote_or_error(item, form)
    if selection.awaits_check_out(item):  # no price until the check-out is tapped
        quote, message = None, None
    return render_template(
        "tourism/_picked.html", form=form, quote=quote, message=message, **context
    )


def _carried(selection: picker.Selection) -> dict:
    return {
        "check_in": selection.check_in.isoformat() if selection.check_in else None,
        "check_out": selection.check_out.isoformat() if selection.check_out else None,
    }


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


def _max_nights() -> str:
    return ngettext(
        "Mỗi lần đặt tối đa %(num)s đêm.", "Mỗi lần đặt tối đa %(num)s đêm.", bookings.MAX_NIGHTS
    )


def booking_error_message(error: bookings.BookingError, listing: Listing) -> str:
    messages = {
        bookings.DatesInPast: _("Ngày đến đã qua; hãy chọn một ngày từ hôm nay."),
        bookings.CheckOutNotAfterCheckIn: _("Ngày đi phải sau ngày đến."),
        bookings.StayTooLong: _max_nights(),
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
    part = render_template("tourism/_quote.html", listing=item, quote=quote, message=message)
    # The calendar shows the dates typed too: it asks for itself again on this event.
    return Response(part, headers={"HX-Trigger": "tourism-dates"})


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
                elif booking.status == "confirmed":  # instant booking: nothing to wait for
                    flash(
                        _(
                            "Đã đặt chỗ %(code)s và chỗ của bạn đã được xác nhận.",
                            code=booking.code,
                        ),
                        "success",
                    )
                else:
                    flash(
                        _(
                            "Đã gửi yêu cầu đặt chỗ %(code)s. Chủ nhà sẽ xác nhận; bạn sẽ nhận "
                            "được thư khi có trả lời.",
                            code=booking.code,
                        ),
                        "success",
                    )
                return redirect(_booking_url(booking))
    selection = picker.selection_from(item, form.check_in.data, form.check_out.data, today())
    context = _calendar_context(item, None, selection, form.guests.data)
    return render_template(
        "tourism/listing.html",
        form=form,
        quote=quote,
        booking_message=message,
        **_reviews_context(item),
        **context,
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
        review=guest_reviews.review_of_booking(item.id),
        may_review=guest_reviews.may_review(
            item, current_user.id if current_user.is_authenticated else None
        ),
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
    body = booking_ics(
        item,
        localized(item.listing, "title"),
        # The guest's own link, which opens the booking without logging in.
        _booking_url(item, _external=True),
        datetime.now(UTC),
        organizer=parseaddr(current_app.config["MAIL_SENDER"])[1] or "noreply@localhost",
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
        flash_busy()
    return redirect(_booking_url(item))
