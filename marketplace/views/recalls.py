"""The cooperative recalls one of its lots (/dashboard/lots/<id>/recall), on the dashboard's
blueprint and behind its guards (a suspended cooperative only reads). Rules in
marketplace.recalls."""

from flask import abort, g, redirect, render_template, url_for
from flask_login import current_user

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
    if recalls.recall_posted(lot, form, current_user, try_again()):
        return redirect(url_for(".recall_lot", lot_id=lot.id))
    return render_template("dashboard/recall.html", lot=lot, form=form, reach=recalls.reach(lot.id))
