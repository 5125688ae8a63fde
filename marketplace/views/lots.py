"""The cooperative's lots (/dashboard/lots): the list and the form a packed lot is recorded
with, on the dashboard's blueprint and behind its guards (a suspended cooperative only reads).
Rules in marketplace.lots, the form in marketplace.lot_forms."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.bounds import INT_MAX
from core.clock import today
from core.db import TryAgain
from core.submissions import new_form_token, submit_once, valid_form_token
from core.text import whole_number
from marketplace import lots as shop_lots
from marketplace import products as shop_products
from marketplace.lot_forms import STANDARDS, LotForm
from marketplace.views.dashboard import dashboard, try_again


def _product_filter():
    """The ?product= of the list: one of the shop's products, None for all; 404 otherwise."""
    value = request.args.get("product", "")
    if not value:
        return None
    product_id = whole_number(value)
    product = (
        shop_products.own_product(g.cooperative.id, product_id)
        if product_id is not None and product_id <= INT_MAX
        else None
    )
    if product is None:
        abort(404)
    return product


@dashboard.get("/lots")
def lots():
    product = _product_filter()
    return render_template(
        "dashboard/lots.html",
        lots=shop_lots.lots_of(g.cooperative.id, product.id if product else None),
        product=product,
        today=today(),
    )


@dashboard.route("/lots/new", methods=["GET", "POST"])
def new_lot():
    products = shop_products.products_of(g.cooperative.id)
    form = LotForm(products)
    if request.method == "GET":
        form.form_token.data = new_form_token()
        form.packed_on.data = today()
        chosen = _product_filter()
        if chosen:
            form.product.data = str(chosen.id)
    elif not valid_form_token(form.form_token.data):
        form.form_token.data = new_form_token()
        flash(_("Trang ghi lô đã cũ nên chưa lưu gì. Vui lòng kiểm tra lại rồi bấm “Ghi lô”."), "error")  # fmt: skip
    elif form.validate_on_submit():
        product = shop_products.own_product(g.cooperative.id, form.product_id())
        recorded = []

        def record() -> str:
            lot = shop_lots.record_lot(product, **form.lot_fields())
            recorded.append(lot.code)
            return url_for(".lots") + f"#lot-{lot.id}"

        try:
            address = submit_once(form.form_token.data, record)
        except TryAgain:
            flash(try_again(), "error")
        except shop_lots.StockFull:
            form.quantity.errors = [
                _("Lô này làm tồn kho của sản phẩm vượt quá 1.000.000; hãy ghi số lượng nhỏ hơn.")
            ]
        else:
            if recorded:
                flash(_("Đã ghi lô %(code)s của “%(name)s”.", code=recorded[0], name=product.name), "success")  # fmt: skip
            else:  # the same form again (a double click, a resend): what it made
                flash(_("Biểu mẫu này đã được gửi trước đó; lô đã được ghi một lần."), "info")
            return redirect(address)
    return render_template("dashboard/lot_form.html", form=form, standards=STANDARDS)
