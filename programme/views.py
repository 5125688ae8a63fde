"""The OCOP office's programme pages on /admin (approvals and moderation, star ratings,
trainings, the audit log) and the cooperative's training page on /dashboard/trainings."""

from datetime import datetime, time, timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

import programme.plan_views  # noqa: F401  (the plan's dashboard, /admin/plan)
import programme.recall_views  # noqa: F401  (recalls, /admin/recalls)
from core import formatting
from core.admin import admin
from core.audit import AuditEvent
from core.clock import today
from core.db import TryAgain, flash_busy, write_transaction
from core.extensions import db
from core.models import User
from core.notifications import Recipient, notify
from core.submissions import new_form_token, submit_once
from core.text import vietnamese_sort_key
from marketplace.cooperatives import approved_cooperative_only, read_only_while_suspended
from marketplace.labels import COUNCIL_NAMES
from marketplace.models import Cooperative, OcopRating, Product
from marketplace.ratings import (
    CRITERIA,
    CouncilError,
    RatingError,
    certificate_of,
    is_certified,
    stars_for_score,
)
from programme import audit_log as audit_reading
from programme import moderation, trainings
from programme.forms import RatingForm, TrainingForm
from programme.models import Training, TrainingRegistration
from programme.ratings import record_rating
from tourism.models import Listing

# The cooperative's pages of the programme, let in as the shop's are.
bp = Blueprint("programme", __name__, url_prefix="/dashboard/trainings")
bp.before_request(approved_cooperative_only)
bp.before_request(read_only_while_suspended)

EXPIRY_WARNING_DAYS = 90
AUDIT_PAGE_SIZE = 100


def _or_404(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    return found


def _tell_owner(owner_of: Cooperative, event: str, template: str, subject, **context):
    """Told in the owner's language, inside the decision's write transaction."""
    if owner_of.owner is not None:
        notify(event, Recipient.of(owner_of.owner), template, subject, **context)


# --- approvals and moderation ---------------------------------------------------------------


@admin.get("/cooperatives")
def cooperatives():
    everyone = db.session.scalars(
        select(Cooperative).options(joinedload(Cooperative.district)).order_by(Cooperative.name)
    ).all()
    return render_template(
        "admin/cooperatives.html", pending=moderation.pending_cooperatives(), everyone=everyone
    )


MODERATION = {
    "approve": (moderation.approve, False),
    "reject": (moderation.reject, True),
    "suspend": (moderation.suspend, True),
    "restore": (moderation.restore, False),
}


@admin.post("/cooperatives/<int:cooperative_id>/<action>")
def moderate_cooperative(cooperative_id: int, action: str):
    cooperative = _or_404(Cooperative, cooperative_id)
    if action not in MODERATION:
        abort(404)
    rule, needs_reason = MODERATION[action]
    try:
        reason = moderation.reason_given(request.form.get("reason", "")) if needs_reason else ""
        with write_transaction():  # the decision, and the message that tells of it
            if needs_reason:
                decided = rule(cooperative_id, current_user.id, reason)
            else:
                decided = rule(cooperative_id, current_user.id)
            if decided:  # told once: a decision sent twice is answered twice, told once
                _tell_owner(
                    cooperative,
                    f"cooperative.{action}",
                    "cooperative_decision",
                    _l("OCOP Hậu Giang: hồ sơ hợp tác xã"),
                    cooperative=cooperative,
                    action=action,
                    reason=reason,
                )
    except moderation.ReasonRequired:
        flash(_("Hãy ghi lý do; hợp tác xã sẽ đọc lý do này."), "error")
    except moderation.WrongState:
        flash(_("Hợp tác xã không ở trạng thái cho phép thao tác này."), "error")
    except TryAgain:
        flash_busy()
    else:
        name = cooperative.name
        messages = {
            "approve": _("Hợp tác xã %(name)s đã được duyệt và có thể bán hàng.", name=name),
            "reject": _("Hồ sơ %(name)s bị từ chối. Lý do: %(reason)s", name=name, reason=reason),
            "suspend": _("%(name)s bị tạm ngưng. Lý do: %(reason)s", name=name, reason=reason),
            "restore": _("%(name)s đã được mở lại.", name=name),
        }  # fmt: skip
        flash(messages[action], "success")
    return redirect(url_for("admin.cooperatives"))


@admin.post("/products/<int:product_id>/hide")
def hide_product(product_id: int):
    product = _or_404(Product, product_id)
    try:
        if request.form.get("unhide"):
            moderation.unhide_product(product.id, current_user.id)
        else:
            with write_transaction():  # the hiding, and the message that tells of it
                reason = request.form.get("reason", "")
                if moderation.hide_product(product.id, current_user.id, reason):
                    _tell_owner(
                        product.cooperative,
                        "product.hidden",
                        "product_hidden",
                        _l("OCOP Hậu Giang: sản phẩm bị ẩn"),
                        product=product,
                    )
    except moderation.ReasonRequired:
        flash(_("Hãy ghi lý do; hợp tác xã sẽ đọc lý do này."), "error")
    except TryAgain:
        flash_busy()
    return redirect(url_for("admin.product_ratings", product_id=product.id))


@admin.post("/listings/<int:listing_id>/hide")
def hide_listing(listing_id: int):
    listing = _or_404(Listing, listing_id)
    try:
        if request.form.get("unhide"):
            moderation.unhide_listing(listing.id, current_user.id)
        else:
            moderation.hide_listing(listing.id, current_user.id, request.form.get("reason", ""))
    except moderation.ReasonRequired:
        flash(_("Hãy ghi lý do; hợp tác xã sẽ đọc lý do này."), "error")
    except TryAgain:
        flash_busy()
    return redirect(url_for("admin.listings"))


@admin.get("/listings")
def listings():
    return render_template(
        "admin/listings.html",
        listings=db.session.scalars(
            select(Listing).options(joinedload(Listing.host)).order_by(Listing.title)
        ).all(),
    )


# --- star ratings ---------------------------------------------------------------------------


@admin.get("/ratings")
def ratings():
    day = today()
    soon = day + timedelta(days=EXPIRY_WARNING_DAYS)
    products = db.session.scalars(
        select(Product)
        .options(joinedload(Product.cooperative), selectinload(Product.ratings))
        .order_by(Product.name)
    ).all()
    expiring, expired = [], []
    for product in products:
        newest = certificate_of(product)  # a 1★ or 2★ result is no certificate to end
        if newest is None:
            continue
        if newest.valid_until < day:
            expired.append((product, newest))
        elif newest.valid_until <= soon:
            expiring.append((product, newest))
    return render_template(
        "admin/ratings.html",
        products=products,
        expiring=sorted(expiring, key=lambda pair: pair[1].valid_until),
        expired=sorted(expired, key=lambda pair: pair[1].valid_until),
        warning_days=EXPIRY_WARNING_DAYS,
    )


@admin.route("/products/<int:product_id>/ratings", methods=["GET", "POST"])
def product_ratings(product_id: int):
    product = _or_404(Product, product_id)
    form = RatingForm()
    if form.validate_on_submit():
        try:
            address = submit_once(form.form_token.data, lambda: _record(product.id, form))
        except CouncilError as error:
            form.council_level.errors.append(_council_error(error, form.recognised_on.data))
        except RatingError as error:
            form.points_a.errors.append(_rating_error(form.criteria.data, error))
        except TryAgain:
            flash_busy()
        else:
            # The same answer to the same form sent twice: the rating the first one recorded.
            stars = _stars(form)
            if is_certified(stars):
                flash(
                    _("Đã ghi nhận %(n)s sao cho %(name)s.", n=stars, name=product.name), "success"
                )
            else:
                flash(
                    ngettext(
                        "Đã ghi nhận kết quả %(num)s sao cho %(name)s; dưới 3 sao không được chứng nhận OCOP.",
                        "Đã ghi nhận kết quả %(num)s sao cho %(name)s; dưới 3 sao không được chứng nhận OCOP.",
                        stars, name=product.name,
                    ),
                    "success",
                )  # fmt: skip
            return redirect(address)
    form.form_token.data = new_form_token()
    history = db.session.scalars(
        select(OcopRating)
        .where(OcopRating.product_id == product.id)
        .order_by(OcopRating.recognised_on.desc(), OcopRating.id.desc())
    ).all()
    return render_template(
        "admin/product_ratings.html", product=product, form=form, history=history
    )


def _stars(form: RatingForm) -> int:
    return stars_for_score(form.points_a.data + form.points_b.data + form.points_c.data)


def _record(product_id: int, form: RatingForm) -> str:
    record_rating(
        product_id,
        actor_id=current_user.id,
        criteria=form.criteria.data,
        points_a=form.points_a.data,
        points_b=form.points_b.data,
        points_c=form.points_c.data,
        council_level=form.council_level.data,
        decision_number=form.decision_number.data,
        recognised_on=form.recognised_on.data,
    )
    return url_for("admin.product_ratings", product_id=product_id)


def _stars_text(levels: tuple[int, ...]) -> str:
    return f"{levels[0]}★" if len(levels) == 1 else f"{levels[0]}–{levels[-1]}★"


def _council_error(error: CouncilError, day) -> str:
    right = _(COUNCIL_NAMES[error.recognised_by])
    if not error.allowed:
        return _(
            "Quyết định ngày %(day)s: không còn %(council)s (từ 1/7/2025 chính quyền hai cấp); "
            "kết quả %(stars)s★ do %(right)s ghi nhận.",
            day=formatting.day(day), council=_(COUNCIL_NAMES[error.council]),
            stars=error.stars, right=right,
        )  # fmt: skip
    return _(
        "%(council)s chỉ công nhận %(allowed)s; kết quả %(stars)s★ do %(right)s công nhận.",
        council=_(COUNCIL_NAMES[error.council]), allowed=_stars_text(error.allowed),
        stars=error.stars, right=right,
    )  # fmt: skip


def _rating_error(criteria: str, _error: RatingError) -> str:
    maxima = CRITERIA.get(criteria)
    if maxima is None:
        return _("Bộ tiêu chí không hợp lệ.")
    return _(
        "Điểm vượt mức tối đa của bộ tiêu chí: phần A tối đa %(a)s, B tối đa %(b)s, C tối đa %(c)s.",
        a=maxima.a, b=maxima.b, c=maxima.c,
    )  # fmt: skip


# --- trainings ------------------------------------------------------------------------------


@admin.route("/trainings", methods=["GET", "POST"])
def admin_trainings():
    form = TrainingForm()
    if form.validate_on_submit():
        try:
            address = submit_once(form.form_token.data, lambda: _create_training(form))
        except TryAgain:
            flash_busy()
        else:
            flash(_("Đã tạo buổi tập huấn."), "success")
            return redirect(address)
    form.form_token.data = new_form_token()
    sessions = db.session.scalars(
        select(Training)
        .options(selectinload(Training.registrations).joinedload(TrainingRegistration.cooperative))
        .order_by(Training.day.desc())
    ).all()
    return render_template("admin/trainings.html", form=form, sessions=sessions)


def _create_training(form: TrainingForm) -> str:
    trainings.create_training(
        topic=form.topic.data.strip(), trainer=form.trainer.data.strip(),
        place=form.place.data.strip(), day=form.day.data, seats=form.seats.data,
        actor_id=current_user.id,
    )  # fmt: skip
    return url_for("admin.admin_trainings")


@admin.post("/trainings/registrations/<int:registration_id>/attendance")
def attendance(registration_id: int):
    registration = _or_404(TrainingRegistration, registration_id)
    try:
        trainings.mark_attendance(
            registration.id, request.form.get("attended") == "1", current_user.id
        )
    except TryAgain:
        flash_busy()
    return redirect(url_for("admin.admin_trainings"))


@bp.get("")
def trainings_page():
    mine = {
        r.training_id: r
        for r in db.session.scalars(
            select(TrainingRegistration).where(
                TrainingRegistration.cooperative_id == g.cooperative.id
            )
        )
    }
    return render_template(
        "dashboard/trainings.html", sessions=trainings.upcoming(today()), mine=mine
    )


@bp.post("/<int:training_id>/register")
def register_training(training_id: int):
    _or_404(Training, training_id)
    try:
        trainings.register(training_id, g.cooperative.id, current_user.name, today())
        flash(_("Đã đăng ký tập huấn."), "success")
    except trainings.TrainingFull:
        flash(_("Buổi tập huấn đã hết chỗ."), "error")
    except trainings.AlreadyRegistered:
        flash(_("Hợp tác xã đã đăng ký buổi này."), "info")
    except trainings.TrainingPast:
        flash(_("Buổi tập huấn đã qua."), "error")
    except TryAgain:
        flash_busy()
    return redirect(url_for("programme.trainings_page"))


# --- audit log ------------------------------------------------------------------------------


def _day_arg(name: str):
    try:
        return datetime.fromisoformat(request.args.get(name, "")).date()
    except ValueError:
        return None


@admin.get("/audit")
def audit_log():
    query = select(AuditEvent).options(joinedload(AuditEvent.actor))
    who = request.args.get("who", "").strip()
    what = request.args.get("what", "").strip()
    since, until = _day_arg("from"), _day_arg("to")
    if who:
        query = query.join(AuditEvent.actor).where(
            User.email.contains(who.lower(), autoescape=True)
        )
    if what:
        query = query.where(AuditEvent.action.startswith(what, autoescape=True))
    if since:
        query = query.where(AuditEvent.created_at >= datetime.combine(since, time.min))
    if until:
        query = query.where(AuditEvent.created_at <= datetime.combine(until, time.max))
    events = db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE_SIZE)).all()
    codes = db.session.scalars(select(AuditEvent.action).distinct()).all()
    actions = sorted(
        ((code, audit_reading.event_name(code)) for code in codes),
        key=lambda action: vietnamese_sort_key(action[1]),
    )
    return render_template(
        "admin/audit.html", lines=audit_reading.lines(events), actions=actions, who=who, what=what,
        since=since, until=until,
    )  # fmt: skip
