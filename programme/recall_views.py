"""The office's recalls (/admin/recalls): every recalled lot with how many of its buyers were
told, a lot found by its trace code or its product and lot code and recalled, and a recall's
buyers with each one's messages. Rules in marketplace.recalls."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.admin import admin
from core.bounds import number_arg
from core.db import busy_message
from core.extensions import db
from core.labels import CHANNEL_NAMES, MESSAGE_STATUS_NAMES
from marketplace import recalls
from marketplace.models import Lot, Product
from programme.forms import RecallForm

# What the find form reads: a trace code is 8 characters, a lot code up to 20.
CODE_LENGTH = 20


def _products_with_lots():
    return db.session.execute(
        select(Product.id, Product.name)
        .where(Product.id.in_(select(Lot.product_id)))
        .order_by(Product.name)
    ).all()


@admin.get("/recalls")
def recalls_page():
    trace = request.args.get("trace", "").strip()[:CODE_LENGTH]
    product_id = number_arg(request.args.get("product"), lowest=1)
    code = request.args.get("lot", "").strip()[:CODE_LENGTH]
    not_found = False
    if trace or (product_id and code):
        lot = recalls.find_lot(trace_code=trace, product_id=product_id, code=code)
        if lot is not None:
            return redirect(url_for("admin.recall", lot_id=lot.id))
        not_found = True
    lots = recalls.recalls()
    return render_template(
        "admin/recalls.html",
        lots=lots,
        told=recalls.told_of([lot.id for lot in lots]),
        products=_products_with_lots(),
        trace=trace,
        product_id=product_id,
        code=code,
        not_found=not_found,
    )


@admin.route("/recalls/<int:lot_id>", methods=["GET", "POST"])
def recall(lot_id: int):
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        abort(404)
    form = RecallForm()
    if recalls.recall_posted(lot, form, current_user, busy_message()):
        return redirect(url_for("admin.recall", lot_id=lot.id))
    recalled = lot.status == "recalled"
    return render_template(
        "admin/recall.html",
        lot=lot,
        form=form,
        reach=None if recalled else recalls.reach(lot.id),
        buyers=recalls.buyers_told(lot.id) if recalled else [],
        told=recalls.told(lot.id) if recalled else None,
        channel_names=CHANNEL_NAMES,
        message_status_names=MESSAGE_STATUS_NAMES,
    )
