"""The OCOP office's fair pages: create a fair with its grid, adjust booths, decide on
requests, export exhibitors."""

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core.admin import admin
from core.db import TryAgain, flash_busy
from core.extensions import db
from core.models import utcnow
from core.submissions import new_form_token, submit_once
from fairs import booths as fair_rules
from fairs.forms import BoothForm, FairForm, GridForm, NewFairForm
from fairs.models import Booth, BoothRequest, Fair
from fairs.views import STATE_NAMES, fair_error_message

FAIR_FIELDS = (
    "name",
    "name_en",
    "venue",
    "address",
    "starts_on",
    "ends_on",
    "registration_deadline",
    "description",
    "description_en",
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
    form, grid = NewFairForm(), GridForm(prefix="grid")
    if request.method == "POST" and form.validate() & grid.validate():
        try:
            codes = fair_rules.booth_codes(grid.rows.data, grid.cols.data, grid.pattern.data)
            address = submit_once(form.form_token.data, lambda: _create_fair(form, grid))
        except fair_rules.CodesTooLong:
            grid.pattern.errors.append(
                _(
                    "Mã gian hàng dài tối đa %(n)s ký tự; hãy rút gọn mẫu mã.",
                    n=fair_rules.CODE_LENGTH,
                )
            )
        except fair_rules.BadGrid:
            grid.pattern.errors.append(
                _("Mẫu mã không hợp lệ: dùng {row} (A, B, …) và {col} (1, 2, …), ví dụ {row}{col}.")
            )
        except TryAgain:
            flash_busy()
        else:
            # The same answer to the same form sent twice: the fair the first one made.
            flash(
                ngettext(
                    "Đã tạo hội chợ với %(num)s gian hàng.",
                    "Đã tạo hội chợ với %(num)s gian hàng.",
                    len(codes),
                ),
                "success",
            )
            return redirect(address)
    form.form_token.data = new_form_token()
    return render_template("fairs/office/fair_form.html", form=form, grid=grid, fair=None)


def _create_fair(form: NewFairForm, grid: GridForm) -> str:
    fair = fair_rules.make_fair(
        rows=grid.rows.data,
        cols=grid.cols.data,
        pattern=grid.pattern.data,
        zone=(grid.zone.data or "").strip(),
        size=(grid.size.data or "").strip(),
        price=grid.price.data,
        actor_id=current_user.id,
        **_fair_fields(form),
    )
    return url_for("admin.fair", fair_id=fair.id)


def _fair_fields(form: FairForm) -> dict:
    fields = {name: getattr(form, name).data for name in FAIR_FIELDS}
    for name in ("name", "name_en", "venue", "address", "description", "description_en"):
        fields[name] = (fields[name] or "").strip()
    return fields


@admin.route("/fairs/<int:fair_id>/edit", methods=["GET", "POST"])
def edit_fair(fair_id: int):
    fair = _fair_or_404(fair_id)
    form = FairForm(obj=fair)
    if form.validate_on_submit():
        try:
            fair_rules.update_fair(fair.id, _fair_fields(form), actor_id=current_user.id)
        except TryAgain:
            flash_busy()
        else:
            flash(_("Đã lưu hội chợ."), "success")
            return redirect(url_for("admin.fair", fair_id=fair.id))
    return render_template("fairs/office/fair_form.html", form=form, grid=None, fair=fair)


@admin.get("/fairs/<int:fair_id>")
def fair(fair_id: int):
    return _fair_page(_fair_or_404(fair_id))


def _fair_page(item: Fair, booth_form: BoothForm | None = None, booth_id: int | None = None):
    """The office's page of a fair; booth_form: the booth form of booth_id as it was sent,
    with its errors (the other booths show what they hold)."""
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
        booth_form=booth_form,
        booth_form_id=booth_id,
    )


@admin.post("/fairs/<int:fair_id>/booths/<int:booth_id>")
def edit_booth(fair_id: int, booth_id: int):
    booth = db.session.scalar(select(Booth).where(Booth.id == booth_id, Booth.fair_id == fair_id))
    if booth is None:
        abort(404)
    form = BoothForm(obj=booth)
    if not form.validate():
        return _fair_page(booth.fair, form, booth.id)
    fields = {
        "zone": (form.zone.data or "").strip(),
        "size": (form.size.data or "").strip(),
        "price": form.price.data,
        "closed": form.closed.data,
    }
    try:
        fair_rules.update_booth(fair_id, booth_id, fields, actor_id=current_user.id)
    except TryAgain:
        flash_busy()
        return _fair_page(booth.fair, form, booth.id)
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
        fair_rules.decide(request_id, to_status, reason=reason, actor_id=current_user.id)
        flash(_("Đã cập nhật đăng ký gian %(code)s.", code=booth_request.booth.code), "success")
    except fair_rules.FairError as error:
        flash(fair_error_message(error), "error")
    except TryAgain:
        flash_busy()
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
