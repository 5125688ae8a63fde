"""The host's tourism pages: listings, capacity and closed days, bookings. Rules in
tourism.hosting and tourism.bookings; who may come in: marketplace.cooperatives
(approved_cooperative_only)."""

from datetime import date, timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import formatting
from core.clock import today
from core.db import TryAgain
from core.formatting import vnd
from core.submissions import submit_once
from marketplace.cooperatives import approved_cooperative_only
from payments.refunds import RefundError, due_for
from tourism import bookings, hosting
from tourism.availability import month_view
from tourism.deposits import takes_deposits
from tourism.host_forms import (
    CapacityForm,
    ClosingForm,
    ListingForm,
    NewListingForm,
    RefundForm,
)
from tourism.labels import BOOKING_STATUS_NAMES
from tourism.models import Booking, Listing

tourism_host = Blueprint("tourism_host", __name__, url_prefix="/dashboard/tourism")

GUEST_DAYS = 14


tourism_host.before_request(approved_cooperative_only)


@tourism_host.context_processor
def _cancel_terms():
    """What cancelling a booking now does, for the confirmation of every booking row."""
    return {
        "host_cancel_terms": lambda booking: bookings.cancel_terms(booking, today(), by_guest=False)
    }


def _host_id() -> int:
    return g.cooperative.id


def _own_listing_or_404(listing_id: int) -> Listing:
    try:
        return hosting.host_listing(_host_id(), listing_id)
    except hosting.NotFound:
        abort(404)


def _own_booking_or_404(booking_id: int) -> Booking:
    try:
        return hosting.host_booking(_host_id(), booking_id)
    except hosting.NotFound:
        abort(404)


def _try_again() -> str:
    return _("Hệ thống đang bận, chưa lưu được. Vui lòng thử lại.")


# --- overview ------------------------------------------------------------------------------


@tourism_host.get("")
def index():
    first = today()
    last = first + timedelta(days=GUEST_DAYS - 1)
    guests = hosting.guests_per_day(_host_id(), first, last)
    return render_template(
        "tourism/host/index.html",
        listings=hosting.host_listings(_host_id()),
        guest_days=[
            (first + timedelta(days=n), guests.get(first + timedelta(days=n), 0))
            for n in range(GUEST_DAYS)
        ],  # fmt: skip
        waiting=hosting.host_bookings(_host_id(), status="requested"),
        moves_for=lambda booking: hosting.host_moves(booking, first),
        today_date=first,
        refunds_due=_refunds_due(),
    )


def _refunds_due() -> list[tuple]:
    """(refund, booking) for each refund the host still owes a guest."""
    due = [r for r in due_for(_host_id()) if r.payable_kind == bookings.PAYABLE_KIND]
    if not due:
        return []
    found = {b.id: b for b in hosting.host_bookings(_host_id(), ids=[r.payable_id for r in due])}
    return [(refund, found[refund.payable_id]) for refund in due if refund.payable_id in found]


# --- a listing: create, edit --------------------------------------------------------------


@tourism_host.route("/new", methods=["GET", "POST"])
def new_listing():
    form = NewListingForm(deposits_allowed=takes_deposits(g.cooperative))  # a fresh form_token
    if form.validate_on_submit():
        fields = form.listing_fields()

        def make() -> str:
            listing = hosting.create_listing(_host_id(), **fields)
            return url_for(".listing", listing_id=listing.id)

        try:
            # The same form posted twice (a double click, a resend) makes one listing, and
            # every answer goes to it.
            target = submit_once(form.form_token.data, make)
        except TryAgain:
            flash(_try_again(), "error")
        else:
            flash(_("Đã thêm “%(title)s”.", title=fields["title"]), "success")
            return redirect(target or url_for(".index"))
    return render_template("tourism/host/listing_form.html", form=form, listing=None)


@tourism_host.route("/<int:listing_id>/edit", methods=["GET", "POST"])
def edit_listing(listing_id: int):
    listing = _own_listing_or_404(listing_id)
    form = ListingForm(obj=listing, deposits_allowed=takes_deposits(g.cooperative))
    if form.validate_on_submit():
        try:
            hosting.update_listing(_host_id(), listing.id, **form.listing_fields())
        except hosting.KindLocked:
            form.kind.errors = [
                *form.kind.errors,
                _(
                    "Chỗ này còn đặt chỗ đang chờ hoặc đã xác nhận, nên chưa đổi được loại hình. "
                    "Hãy tạo một chỗ mới cho loại hình khác."
                ),
            ]
        except hosting.NotFound:
            abort(404)
        except TryAgain:
            flash(_try_again(), "error")
        else:
            flash(_("Đã lưu “%(title)s”.", title=listing.title), "success")
            return redirect(url_for(".listing", listing_id=listing.id))
    return render_template("tourism/host/listing_form.html", form=form, listing=listing)


# --- a listing: calendar, capacity, closed days, its bookings ------------------------------


def _calendar_context(listing: Listing, month_arg: str | None) -> dict:
    return month_view(listing, month_arg, today())


def _day_forms(listing: Listing) -> tuple[CapacityForm, ClosingForm]:
    day = today()
    capacity = CapacityForm(formdata=None, prefix="cap", first=day, last=day)
    capacity.capacity.data = listing.capacity
    closing = ClosingForm(formdata=None, prefix="close", first=day, last=day)
    return capacity, closing


def _listing_page(listing: Listing, month_arg=None, capacity_form=None, closing_form=None):
    blank_capacity, blank_closing = _day_forms(listing)
    day = today()
    return render_template(
        "tourism/host/listing.html",
        capacity_form=capacity_form or blank_capacity,
        closing_form=closing_form or blank_closing,
        listing_bookings=hosting.host_bookings(_host_id(), listing_id=listing.id),
        moves_for=lambda booking: hosting.host_moves(booking, day),
        **_calendar_context(listing, month_arg),
    )


@tourism_host.get("/<int:listing_id>")
def listing(listing_id: int):
    item = _own_listing_or_404(listing_id)
    month = request.args.get("month")
    if request.htmx and not request.headers.get("HX-History-Restore-Request"):
        return render_template("tourism/host/_host_calendar.html", **_calendar_context(item, month))
    return _listing_page(item, month)


def _month_of(day: date | None) -> str | None:
    return f"{day:%Y-%m}" if day else None


def _back_to_listing(listing: Listing, first: date):
    return redirect(url_for(".listing", listing_id=listing.id, month=_month_of(first)))


def _range_message() -> str:
    return _(
        "Ngày cuối phải bằng hoặc sau ngày đầu, và mỗi lần tối đa %(n)s ngày.",
        n=hosting.MAX_RANGE_DAYS,
    )


@tourism_host.post("/<int:listing_id>/capacity")
def set_capacity(listing_id: int):
    item = _own_listing_or_404(listing_id)
    form = CapacityForm(prefix="cap")
    if form.validate():
        first, last, capacity = form.first.data, form.last.data, form.capacity.data
        try:
            hosting.set_capacity(item, first, last, capacity)
        except hosting.CapacityBelowTaken as error:
            if item.is_stay:
                message = _(
                    "Không thể đặt sức chứa %(capacity)s: ngày %(day)s đã có %(n)s phòng được "
                    "đặt. Chưa thay đổi ngày nào.",
                    capacity=capacity,
                    day=formatting.day(error.day),
                    n=error.taken,
                )
            else:
                message = _(
                    "Không thể đặt sức chứa %(capacity)s: ngày %(day)s đã có %(n)s chỗ được "
                    "đặt. Chưa thay đổi ngày nào.",
                    capacity=capacity,
                    day=formatting.day(error.day),
                    n=error.taken,
                )
            form.capacity.errors = [*form.capacity.errors, message]
        except hosting.BadRange:
            form.last.errors = [*form.last.errors, _range_message()]
        except TryAgain:
            flash(_try_again(), "error")
        else:
            flash(
                _(
                    "Đã đặt sức chứa %(capacity)s cho các ngày %(first)s – %(last)s.",
                    capacity=capacity,
                    first=formatting.day(first),
                    last=formatting.day(last),
                ),
                "success",
            )
            return _back_to_listing(item, first)
    return _listing_page(item, _month_of(form.first.data), capacity_form=form)


@tourism_host.post("/<int:listing_id>/closed")
def set_closed(listing_id: int):
    item = _own_listing_or_404(listing_id)
    form = ClosingForm(prefix="close")
    if form.validate():
        first, last, close = form.first.data, form.last.data, form.action.data == "close"
        try:
            hosting.set_closed(item, first, last, close)
        except hosting.BadRange:
            form.last.errors = [*form.last.errors, _range_message()]
        except TryAgain:
            flash(_try_again(), "error")
        else:
            if close:
                message = _(
                    "Đã đóng các ngày %(first)s – %(last)s: không nhận đặt chỗ mới. "
                    "Các đặt chỗ đã có vẫn giữ nguyên.",
                    first=formatting.day(first),
                    last=formatting.day(last),
                )
            else:
                message = _(
                    "Đã mở lại các ngày %(first)s – %(last)s.",
                    first=formatting.day(first),
                    last=formatting.day(last),
                )
            flash(message, "success")
            return _back_to_listing(item, first)
    return _listing_page(item, _month_of(form.first.data), closing_form=form)


# --- bookings ------------------------------------------------------------------------------


@tourism_host.get("/bookings")
def bookings_list():
    status = request.args.get("status", "")
    status = status if status in BOOKING_STATUS_NAMES else ""
    everything = hosting.host_bookings(_host_id())
    counts = {key: 0 for key in BOOKING_STATUS_NAMES}
    for booking in everything:
        counts[booking.status] += 1
    day = today()
    return render_template(
        "tourism/host/bookings.html",
        status=status,
        counts=counts,
        total=len(everything),
        shown=[b for b in everything if b.status == status] if status else everything,
        moves_for=lambda booking: hosting.host_moves(booking, day),
    )


def _status_name(status: str) -> str:
    return _(BOOKING_STATUS_NAMES[status]) if status in BOOKING_STATUS_NAMES else "?"


def _safe_next() -> str:
    """Back to the page the button was on, if it is one of ours."""
    target = request.form.get("next", "")
    prefix = tourism_host.url_prefix
    ours = target == prefix or target.startswith(prefix + "/") or target.startswith(prefix + "?")
    if ours and target.isprintable() and "//" not in target and "\\" not in target:
        return target
    return url_for(".bookings_list")


@tourism_host.post("/bookings/<int:booking_id>/status")
def booking_status(booking_id: int):
    item = _own_booking_or_404(booking_id)
    to_status = request.form.get("to", "")
    code, from_status = item.code, item.status
    ok = False
    try:
        note = hosting.host_note(to_status, request.form.get("note"))
        bookings.change_booking_status(
            item.id, to_status, actor_id=current_user.id, today=today(), note=note
        )
    except hosting.ReasonRequired:
        message = _("Vui lòng ghi lý do hủy; khách sẽ đọc lý do này.")
    except bookings.AlreadyMoved as error:  # the same button pressed twice: done once
        ok = True
        message = _(
            "Đặt chỗ %(code)s đã ở trạng thái “%(status)s”; không có gì thay đổi thêm.",
            code=code,
            status=_status_name(error.status),
        )
    except bookings.IllegalBookingMove as error:
        message = _(
            "Không thể chuyển đặt chỗ %(code)s từ “%(old)s” sang “%(new)s”. Đặt chỗ không thay đổi.",
            code=code,
            old=_status_name(error.from_status),
            new=_status_name(to_status),
        )
    except TryAgain:
        message = _("Hệ thống đang bận, đặt chỗ chưa thay đổi. Vui lòng thử lại.")
    else:
        ok = True
        message = _(
            "Đặt chỗ %(code)s: “%(old)s” → “%(new)s”.",
            code=code,
            old=_status_name(from_status),
            new=_status_name(to_status),
        )
        if to_status in bookings.RELEASES_CAPACITY:
            message += " " + _("Chỗ đã được trả lại lịch.")
    if request.htmx:
        item = _own_booking_or_404(booking_id)
        return render_template(
            "tourism/host/_booking_row.html",
            booking=item,
            moves=hosting.host_moves(item, today()),
            message=message,
            message_ok=ok,
            show_listing=request.form.get("show_listing") == "1",
            next_url=_safe_next(),
        )
    flash(message, "success" if ok else "error")
    return redirect(_safe_next() + f"#booking-{booking_id}")


def _booking_page(item: Booking, refund_form: RefundForm | None = None):
    return render_template(
        "tourism/host/booking.html",
        booking=item,
        moves=hosting.host_moves(item, today()),
        refunds=hosting.booking_refunds(item),
        refund_form=refund_form,
    )


@tourism_host.get("/bookings/<int:booking_id>")
def booking(booking_id: int):
    """One booking: its details and moves, the deposit, the refunds to make and made."""
    return _booking_page(_own_booking_or_404(booking_id))


@tourism_host.post("/bookings/<int:booking_id>/refund")
def record_refund(booking_id: int):
    """The host transferred a refund back: its bank reference is recorded, the guest told."""
    item = _own_booking_or_404(booking_id)
    form = RefundForm()
    if not form.validate():
        return _booking_page(item, refund_form=form)
    back = redirect(url_for(".booking", booking_id=item.id) + "#refunds")
    try:
        refund = hosting.record_refund(
            _host_id(), item.id, form.refund_id.data, form.bank_reference.data, current_user.id
        )
    except hosting.NotFound:
        abort(404)
    except RefundError:  # the same button pressed twice: recorded by the first press
        flash(_("Khoản hoàn tiền này đã được ghi nhận; không có gì thay đổi thêm."), "success")
        return back
    except TryAgain:
        flash(_try_again(), "error")
        return _booking_page(item, refund_form=form)
    flash(
        _(
            "Đã ghi nhận hoàn %(amount)s cho khách (mã giao dịch %(reference)s). Khách đã được báo.",
            amount=vnd(refund.amount),
            reference=refund.bank_reference,
        ),
        "success",
    )
    return back
