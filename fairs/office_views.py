"""The OCOP office's fair pages: create a fair with its grid, adjust booths, decide on
requests, export exhibitors."""

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core.admin import admin
from core.db import TryAgain
from core.extensions import db
from core.models import utcnow
from core.text import whole_number
from fairs import booths as fair_rules
from fairs.forms import FairForm, GridForm
from fairs.models import Booth, BoothRequest, Fair
from fairs.views import STATE_NAMES, fair_error_message, tell_offer

FAIR_FIELDS = (
    "name",
    "venue",
    "address",
    "starts_on",
    "ends_on",
    "registration_deadline",
    "description",
    "allow_multiple_booths",
    "hold_hours",
)


def _fair_or_404(fair_id: int) -> Fair:
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        abort(404)
    return fair


@admin.get("/fairs")
def fairs():
    return render_template(
        "fairs/office/fairs.html",
        fairs=db.session.scalars(select(Fair).order_by(Fair.starts_on)).all(),
    )


@admin.route("/fairs/new", methods=["GET", "POST"])
def new_fair():
    form, grid = FairForm(), GridForm(prefix="grid")
    if request.method == "POST" and form.validate() & grid.validate():
        try:
            fair = fair_rules.create_fair(
                rows=grid.rows.data,
                cols=grid.cols.data,
                pattern=grid.pattern.data,
                zone=grid.zone.data or "",
                size=grid.size.data or "",
                price=grid.price.data,
                **{name: getattr(form, name).data for name in FAIR_FIELDS},
            )
            db.session.commit()
        except fair_rules.BadGrid:
            db.session.rollback()
            grid.pattern.errors.append(
                _("Mẫu mã không hợp lệ: dùng {row} (A, B, …) và {col} (1, 2, …), ví dụ {row}{col}.")
            )
        else:
            flash(_("Đã tạo hội chợ với %(n)s gian hàng.", n=len(fair.booths)), "success")
            return redirect(url_for("admin.fair", fair_id=fair.id))
    return render_template("fairs/office/fair_form.html", form=form, grid=grid, fair=None)


@admin.route("/fairs/<int:fair_id>/edit", methods=["GET", "POST"])
def edit_fair(fair_id: int):
    fair = _fair_or_404(fair_id)
    form = FairForm(obj=fair)
    if form.validate_on_submit():
        for name in FAIR_FIELDS:
            setattr(fair, name, getattr(form, name).data)
        db.session.commit()
        flash(_("Đã lưu hội chợ."), "success")
        return redirect(url_for("admin.fair", fair_id=fair.id))
    return render_template("fairs/office/fair_form.html", form=form, grid=None, fair=fair)


@admin.get("/fairs/<int:fair_id>")
def fair(fair_id: int):
    item = _fair_or_404(fair_id)
    requests = db.session.scalars(
        select(BoothRequest)
        .where(BoothRequest.fair_id == item.id)
        .options(
            joinedload(BoothRequest.cooperative),
            joinedload(BoothRequest.booth),
            selectinload(BoothRequest.products),
        )
        .order_by(BoothRequest.status, BoothRequest.created_at)
    ).all()
    return render_template(
        "fairs/office/fair.html",
        fair=item,
        plan=fair_rules.floor_plan(item, utcnow()),
        requests=requests,
        state_names=STATE_NAMES,
    )


@admin.post("/fairs/<int:fair_id>/booths/<int:booth_id>")
def edit_booth(fair_id: int, booth_id: int):
    booth = db.session.scalar(select(Booth).where(Booth.id == booth_id, Booth.fair_id == fair_id))
    if booth is None:
        abort(404)
    booth.zone = request.form.get("zone", booth.zone)[:80]
    booth.size = request.form.get("size", booth.size)[:20]
    price = request.form.get("price", "")
    if (amount := whole_number(price, max_digits=10)) is not None:
        booth.price = amount
    booth.closed = request.form.get("closed") == "1"
    db.session.commit()
    flash(_("Đã lưu gian %(code)s.", code=booth.code), "success")
    return redirect(url_for("admin.fair", fair_id=fair_id))


@admin.post("/fairs/requests/<int:request_id>")
def decide_request(request_id: int):
    booth_request = db.session.get(BoothRequest, request_id)
    if booth_request is None:
        abort(404)
    to_status = request.form.get("to", "")
    reason = request.form.get("reason", "").strip()[:300]
    if to_status == "rejected" and not reason:
        flash(_("Hãy ghi lý do từ chối; hợp tác xã sẽ đọc lý do này."), "error")
        return redirect(url_for("admin.fair", fair_id=booth_request.fair_id))
    if to_status not in ("approved", "rejected", "cancelled"):
        abort(400)
    try:
        _request, offered = fair_rules.decide(
            request_id, to_status, reason=reason, actor_id=current_user.id
        )
        if offered is not None:
            tell_offer(offered, booth_request.fair)
        flash(_("Đã cập nhật đăng ký gian %(code)s.", code=booth_request.booth.code), "success")
    except fair_rules.FairError as error:
        flash(fair_error_message(error), "error")
    except TryAgain:
        flash(_("Hệ thống đang bận. Vui lòng thử lại."), "error")
    return redirect(url_for("admin.fair", fair_id=booth_request.fair_id))


@admin.get("/fairs/<int:fair_id>/exhibitors.csv")
def exhibitors_csv(fair_id: int):
    item = _fair_or_404(fair_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["booth", "zone", "cooperative", "contact", "phone", "products"])
    for row in fair_rules.exhibitors(item.id):
        writer.writerow(
            [
                row.booth.code,
                row.booth.zone,
                row.cooperative.name,
                row.contact_person,
                row.contact_phone,
                "; ".join(p.name for p in row.products),
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),  # a BOM, so spreadsheet programs read Vietnamese right
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{item.slug}-exhibitors.csv"'},
    )
