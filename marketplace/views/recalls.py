"""The cooperative recalls one of its lots (/dashboard/lots/<id>/recall), on the dashboard's
blueprint and behind its guards (a suspended cooperative only reads). Rules in
marketplace.recalls."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.db import TryAgain
from core.extensions import db
from marketplace import recalls
from marketplace.forms import RecallForm
from marketplace.models import Lot
from marketplace.views.dashboard import dashboard, try_again


def _own_lot(lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    if lot is None or lot.product.cooperative_id != g.cooperative.id:
        abort(404)
    return lot


@dashboard.route("/lots/<int:lot_id>/recall", methods=["GET", "POST"])
def recall_lot(lot_id: int):
    lot = _own_lot(lot_id)
    form = RecallForm()
    if lot.status != "recalled" and form.validate_on_submit():
        try:
            recalls.recall_lot(lot.id, reason=form.reason.data, actor=current_user)
        except recalls.ReasonRequired:
            form.reason.errors = [_("Hãy ghi lý do thu hồi; người mua sẽ đọc lý do này.")]
        except recalls.AlreadyRecalled:
            flash(_("Lô này đã được thu hồi trước đó."), "info")
            return redirect(url_for(".recall_lot", lot_id=lot.id))
        except TryAgain:
            flash(try_again(), "error")
        else:
            flash(_("Đã thu hồi lô %(lot)s; người mua đang được báo tin.", lot=lot.code), "success")
            return redirect(url_for(".recall_lot", lot_id=lot.id))
    return render_template("dashboard/recall.html", lot=lot, form=form, reach=recalls.reach(lot.id))
