"""Trade fair pages: the fairs, a fair's floor plan and exhibitors, requesting a booth, the
waiting list, and a cooperative's own requests."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core.clock import today
from core.db import TryAgain, busy_message, flash_busy
from core.extensions import db, login_manager
from core.labels import N_
from core.limits import limited
from core.models import utcnow
from core.page_cache import keep_until, public_page
from core.text import normalise_phone
from fairs import booths
from fairs.forms import BoothRequestForm
from fairs.labels import BOOTH_REQUEST_STATUS_NAMES
from fairs.models import Booth, Fair
from fairs.seo import fair_ld
from marketplace.cooperatives import access_for
from marketplace.models import Product

bp = Blueprint("fairs", __name__)

STATE_NAMES = {
    "free": N_("Còn trống"),
    "requested": N_("Đã có người đăng ký"),
    "taken": N_("Đã thuê"),
    "closed": N_("Không cho thuê"),
    "held": N_("Đang giữ cho danh sách chờ"),
}


@bp.record_once
def register_template_globals(state):
    state.app.jinja_env.globals.update(
        {"request_status_names": BOOTH_REQUEST_STATUS_NAMES, "fair_ld": fair_ld}
    )


def sitemap_urls() -> list[str]:
    """The fairs' addresses in /sitemap.xml (core.seo)."""
    return [url_for("fairs.fairs_index", _external=True)] + [
        url_for("fairs.fair", slug=slug, _external=True)
        for slug in db.session.scalars(select(Fair.slug))
    ]


@bp.app_template_global()
def upcoming_fair():
    return booths.next_fair(today())


def _fair_or_404(slug: str):
    fair = booths.fair_by_slug(slug)
    if fair is None:
        abort(404)
    return fair


def _approved_cooperative():
    """The visitor's approved cooperative, or None (guests, buyers, pending cooperatives)."""
    state, cooperative = access_for(current_user)
    return cooperative if state == "approved" else None


@bp.get("/fairs")
@public_page
def fairs_index():
    upcoming, past = booths.upcoming_and_past(today())
    return render_template("fairs/index.html", upcoming=upcoming, past=past)


@bp.get("/fairs/<slug>")
@public_page
def fair(slug: str):
    item = _fair_or_404(slug)
    now = utcnow()
    for hold_ends in booths.holds_ending(item, now):
        keep_until(hold_ends)  # the booth shows "held" until then, then "free"
    return render_template(
        "fairs/fair.html",
        fair=item,
        plan=booths.floor_plan(item, now),
        exhibitors=booths.exhibitors(item.id),
        full=booths.is_full(item, now),
        cooperative=_approved_cooperative(),
        state_names=STATE_NAMES,
        today_date=today(),
    )


def _booth_or_404(fair_id: int, code: str) -> Booth:
    booth = db.session.scalar(select(Booth).where(Booth.fair_id == fair_id, Booth.code == code))
    if booth is None:
        abort(404)
    return booth


def _request_form(cooperative, formdata=None) -> BoothRequestForm:
    form = BoothRequestForm(formdata=formdata)
    products = db.session.scalars(
        select(Product)
        .where(Product.cooperative_id == cooperative.id, Product.active.is_(True))
        .order_by(Product.name)
    ).all()
    form.products.choices = [(p.id, p.name) for p in products]
    return form


def _booth_page(item, booth, form, message=None):
    state = booths.booth_state(booth, booths.live_requests(item.id).get(booth.id), utcnow())
    context = {
        "fair": item,
        "booth": booth,
        "state": state,
        "form": form,
        "message": message,
        "cooperative": _approved_cooperative(),
        "state_names": STATE_NAMES,
        "open": today() <= item.registration_deadline,
    }
    if request.htmx:
        return render_template("fairs/_booth.html", **context)
    return render_template("fairs/booth.html", **context)


@bp.get("/fairs/<slug>/booths/<code>")
def booth(slug: str, code: str):
    item = _fair_or_404(slug)
    found = _booth_or_404(item.id, code)
    cooperative = _approved_cooperative()
    form = None
    if cooperative is not None:
        form = _request_form(cooperative)
        form.contact_person.data = current_user.name
        form.contact_phone.data = cooperative.phone or current_user.phone
    return _booth_page(item, found, form)


FAIR_ERRORS = {
    booths.DeadlinePassed: N_("Đã hết hạn đăng ký gian hàng của hội chợ này."),
    booths.BoothTaken: N_(
        "Rất tiếc, gian hàng này vừa có hợp tác xã khác đăng ký. Hãy chọn gian khác."
    ),
    booths.BoothClosed: N_("Gian hàng này không cho thuê."),
    booths.BoothHeld: N_("Gian hàng này đang được giữ cho hợp tác xã trong danh sách chờ."),
    booths.OneBoothOnly: N_("Hội chợ này mỗi hợp tác xã chỉ thuê một gian hàng."),
    booths.FairNotFull: N_(
        "Hội chợ còn gian trống; hãy đăng ký gian hàng thay vì vào danh sách chờ."
    ),
    booths.AlreadyWaiting: N_("Hợp tác xã của bạn đã ở trong danh sách chờ."),
    booths.IllegalRequestMove: N_("Không thể đổi đăng ký này nữa."),
}


def fair_error_message(error: booths.FairError) -> str:
    return _(FAIR_ERRORS.get(type(error), N_("Không thể thực hiện yêu cầu này.")))


def _require_cooperative():
    state, cooperative = access_for(current_user)
    if state == "guest":
        return None, login_manager.unauthorized()
    if state != "approved":
        abort(403)
    if cooperative.suspended and request.method == "POST":
        abort(403)
    g.cooperative = cooperative  # the dashboard frame shows it
    return cooperative, None


@bp.post("/fairs/<slug>/booths/<code>/request")
@limited("BOOTH_REQUEST")
def request_booth(slug: str, code: str):
    cooperative, refusal = _require_cooperative()
    if refusal is not None:
        return refusal
    item = _fair_or_404(slug)
    found = _booth_or_404(item.id, code)
    form = _request_form(cooperative, request.form)
    if not form.validate():
        return _booth_page(item, found, form)
    try:
        booths.request_booth(
            item.id,
            found.id,
            cooperative,
            product_ids=form.products.data,
            contact_person=form.contact_person.data.strip(),
            contact_phone=normalise_phone(form.contact_phone.data),
            note=(form.note.data or "").strip(),
            today=today(),
        )
    except booths.FairError as error:
        return _booth_page(item, found, form, fair_error_message(error))
    except TryAgain:
        return _booth_page(item, found, form, busy_message())
    flash(_("Đã đăng ký gian hàng %(code)s; ban tổ chức sẽ duyệt.", code=found.code), "success")
    if request.htmx:
        response = _booth_page(item, _booth_or_404(item.id, code), None)
        return response, 200, {"HX-Redirect": url_for("fairs.fair", slug=slug)}
    return redirect(url_for("fairs.fair", slug=slug))


@bp.post("/fairs/<slug>/waitlist")
def join_waitlist(slug: str):
    cooperative, refusal = _require_cooperative()
    if refusal is not None:
        return refusal
    item = _fair_or_404(slug)
    try:
        booths.join_waitlist(item, cooperative, utcnow(), today())
        flash(_("Đã vào danh sách chờ; bạn sẽ nhận email khi có gian trống."), "success")
    except booths.AlreadyWaiting as error:  # also the second of a double click
        flash(fair_error_message(error), "info")
    except booths.FairError as error:
        flash(fair_error_message(error), "error")
    except TryAgain:
        flash_busy()
    return redirect(url_for("fairs.fair", slug=slug))


@bp.get("/dashboard/fairs")
def my_booth_requests():
    cooperative, refusal = _require_cooperative()
    if refusal is not None:
        return refusal
    return render_template(
        "fairs/my_fairs.html",
        requests=booths.requests_of(cooperative.id),
        offers=booths.waiting_offers(cooperative.id, utcnow()),
    )


@bp.post("/dashboard/fairs/requests/<int:request_id>/cancel")
def cancel_booth_request(request_id: int):
    cooperative, refusal = _require_cooperative()
    if refusal is not None:
        return refusal
    own = booths.request_of(cooperative.id, request_id)
    if own is None:
        abort(404)
    if today() > own.fair.starts_on:
        flash(_("Hội chợ đã bắt đầu; không thể hủy đăng ký."), "error")
        return redirect(url_for("fairs.my_booth_requests"))
    try:
        booths.decide(
            own.id, "cancelled", reason=_("Hợp tác xã tự hủy"), actor_id=current_user.id
        )  # the next on the waiting list is told of the booth it is offered, in decide()
        flash(_("Đã hủy đăng ký gian hàng %(code)s.", code=own.booth.code), "success")
    except booths.FairError as error:
        flash(fair_error_message(error), "error")
    except TryAgain:
        flash_busy()
    return redirect(url_for("fairs.my_booth_requests"))
