"""Checkout and the buyer's order pages: the order, its transfers (polled by htmx while one
is awaited) and their QR pictures."""

import hashlib
from functools import partial

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.db import TryAgain, flash_busy
from core.extensions import db
from core.i18n import current_language, localized
from core.labels import N_
from core.limits import limited
from core.models import utcnow
from core.provinces import is_province
from core.review_views import limit_uploads, refusal_of, review_form
from core.text import same_secret, whole_number
from marketplace import addresses, orders
from marketplace import cart as carts
from marketplace import checkout as checkouts
from marketplace import reviews as shop_reviews
from marketplace.forms import NO_TRANSFERS, CancelForm, CheckoutForm
from marketplace.models import PAYMENT_METHODS, Checkout, Order, OrderLine, SavedAddress
from marketplace.notifications import tell_placed
from marketplace.payables import TransferStep, checkout_totals, transfer_steps
from marketplace.views import bp
from marketplace.views.addresses import delivery_province
from payments.refunds import REASONS as REFUND_REASONS
from payments.refunds import refunds_of
from payments.vietqr import qr_png

QR_SCALE = 8  # pixels a module: about 400 px for a VietQR code, sharp on a phone


def _fees():
    return current_app.config["DELIVERY_FEES"], current_app.config["FREE_DELIVERY_FROM"]


def parcel_plan(cart, province: str = "", payment_method: str = "") -> checkouts.ParcelPlan:
    """The cart's parcels as checkout will charge them (marketplace.checkout.plan_parcels);
    the cart page's too, before a province or a way to pay is chosen."""
    fees, free_from = _fees()
    payment_method = payment_method if payment_method in PAYMENT_METHODS else ""
    return checkouts.plan_parcels(cart, province, payment_method, fees, free_from)


def _no_transfers_taken(form: CheckoutForm, plan: checkouts.ParcelPlan) -> bool:
    """VietQR chosen (the choice is disabled, but a page from before may send it) where no
    cooperative of the cart takes transfers: said on the field."""
    if form.payment_method.data != "vietqr" or plan.any_takes_transfers:
        return False
    form.payment_method.errors = [*form.payment_method.errors, NO_TRANSFERS]
    return True


@bp.route("/checkout", methods=["GET", "POST"])
@limited("CHECKOUT")
def checkout():
    cart = carts.load_cart(current_user)
    form = CheckoutForm()
    saved = addresses.addresses_of(current_user.id) if current_user.is_authenticated else []
    chosen = None
    if request.method == "GET":
        form.form_token.data = checkouts.new_form_token()
        chosen = _chosen_address(saved)
        if chosen is not None:
            form.fill_from(chosen)
        else:
            form.province.data = delivery_province()
            form.follow_province()
            form.save_address.data = current_user.is_authenticated
        if current_user.is_authenticated:
            form.name.data = form.name.data or current_user.name
            form.email.data = form.email.data or current_user.email
            form.phone.data = form.phone.data or current_user.phone
    if not cart.lines and request.method == "GET":
        flash(_("Giỏ hàng đang trống."), "info")
        return redirect(url_for("marketplace.cart"))
    if request.method == "POST" and not checkouts.valid_form_token(form.form_token.data):
        # A page from before the token, or a token that is not ours: never stored. The form
        # comes back as it was typed, with a fresh token, to be sent again.
        form.form_token.data = checkouts.new_form_token()
        flash(
            _(
                "Trang đặt hàng đã cũ nên chưa có đơn nào được đặt. Vui lòng kiểm tra lại "
                "thông tin rồi bấm “Xác nhận đặt hàng”."
            ),
            "error",
        )
    elif form.validate_on_submit():
        existing = checkouts.find_checkout_by_form_token(form.form_token.data)
        if existing is not None:  # the same form again: show what it made
            return _placed(existing)
        if not cart.ready:
            flash(
                _("Giỏ hàng có sản phẩm hết hàng hoặc vượt số lượng còn. Vui lòng xem lại."),
                "error",
            )
            return redirect(url_for("marketplace.cart"))
        if _no_transfers_taken(form, parcel_plan(cart, "", "")):
            return _checkout_page(form, cart, saved)
        try:
            placed = _place(form, cart)
        except carts.OutOfStock as error:
            flash(
                _(
                    "Rất tiếc, %(name)s vừa hết hàng. Chưa có đơn nào được đặt.",
                    name=localized(error.product, "name"),
                ),
                "error",
            )
            return redirect(url_for("marketplace.cart"))
        except carts.ProductUnavailable:
            flash(_("Một sản phẩm trong giỏ vừa ngừng bán. Chưa có đơn nào được đặt."), "error")
            return redirect(url_for("marketplace.cart"))
        except TryAgain:
            flash(
                _("Hệ thống đang bận, chưa có đơn nào được đặt. Vui lòng bấm đặt hàng lại."),
                "error",
            )
        else:
            return _placed(placed)
    return _checkout_page(form, cart, saved, chosen)


def _chosen_address(saved: list) -> SavedAddress | None:
    """The saved address the checkout starts from: ?address=<id> (one of the buyer's), none
    for ?address=new (a new one to type), else the default."""
    wanted = request.args.get("address", "")
    if wanted == "new":
        return None
    number = whole_number(wanted)
    picked = next((a for a in saved if a.id == number), None)
    return picked or next((a for a in saved if a.is_default), None)


def _checkout_page(form: CheckoutForm, cart, saved=(), chosen=None):
    return render_template(
        "marketplace/checkout.html",
        form=form,
        cart=cart,
        plan=parcel_plan(cart, form.province.data or "", form.payment_method.data or ""),
        no_transfers=NO_TRANSFERS,
        saved_addresses=saved,
        chosen_address=chosen,
    )


def _placed(placed: Checkout):
    """The answer to a checkout form that made its order (now, or at its first submit)."""
    bought = [line.product_id for order in placed.orders for line in order.lines]
    carts.forget_bought(current_user, bought)
    flash(_("Đặt hàng thành công. Mã đơn của bạn: %(code)s.", code=placed.code), "success")
    return redirect(_order_url(placed))


def _place(form: CheckoutForm, cart) -> Checkout:
    fees, free_from = _fees()
    details = checkouts.DeliveryDetails(
        **form.address(),
        email=(form.email.data or "").strip().lower() or None,
        note=(form.note.data or "").strip(),
        payment_method=form.payment_method.data,
    )
    return checkouts.place_order(
        {line.product.id: line.quantity for line in cart.lines},
        details,
        buyer_id=current_user.id if current_user.is_authenticated else None,
        form_token=form.form_token.data,
        fees=fees,
        free_from=free_from,
        language=current_language(),
        tell=tell_placed,
        remember_address=current_user.is_authenticated and form.save_address.data,
    )


@bp.get("/checkout/summary")
def checkout_summary():
    """The parcels for a destination and a way to pay (htmx, when either changes)."""
    cart = carts.load_cart(current_user)
    province = request.args.get("province", "")
    plan = parcel_plan(
        cart, province if is_province(province) else "", request.args.get("payment_method", "")
    )
    return render_template("marketplace/_checkout_summary.html", cart=cart, plan=plan, oob=True)


def _order_url(checkout: Checkout) -> str:
    return url_for("marketplace.order", code=checkout.code, token=checkout.access_token)


def _visible_checkout(code: str) -> Checkout:
    """The checkout, if this visitor may see it: its buyer's account or its secret link."""
    checkout = db.session.scalar(
        select(Checkout)
        .where(Checkout.code == code)
        .options(selectinload(Checkout.orders).selectinload(Order.lines))
    )
    if checkout is None:
        abort(404)
    token = request.values.get("token", "")
    own = current_user.is_authenticated and checkout.buyer_id == current_user.id
    if not own and not same_secret(token, checkout.access_token):
        abort(404)
    return checkout


def _polling_key(steps: list[TransferStep], refunds) -> str:
    """What the transfers part shows, in short: the same key, nothing to swap (204)."""
    shown = [(s.order.id, s.state, s.remaining) for s in steps]
    shown += [(r.id, r.status) for r in refunds]
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]


def _transfers_context(checkout: Checkout, token: str) -> dict:
    steps = transfer_steps(checkout)
    refunds = refunds_of("order", [o.id for o in checkout.orders])
    key = _polling_key(steps, refunds)
    return {
        "steps": steps,
        "refunds": refunds,
        "orders_by_id": {o.id: o for o in checkout.orders},
        "awaited": any(step.state != "paid" for step in steps),
        "poll_url": url_for("marketplace.order", code=checkout.code, token=token or None, seen=key),
        "polling_key": key,
        "refund_reasons": REFUND_REASONS,
    }


def _cancel_context(checkout: Checkout) -> dict:
    """The checkout's totals now, and for each order the buyer may cancel what cancelling it
    does: its money (orders.cancel_terms) and the checkout's totals without it."""
    cancellable = [o for o in checkout.orders if o.status in orders.BUYER_CANCELLABLE]
    return {
        "totals": checkout_totals(checkout),
        "cancelling": {
            o.id: (orders.cancel_terms(o), checkout_totals(checkout, cancelling=o))
            for o in cancellable
        },
    }


def _review_context(checkout: Checkout) -> dict:
    """What the order page shows of receipt and reviews: each line's review, the orders whose
    reviews are open, whether this visitor may write them."""
    user_id = current_user.id if current_user.is_authenticated else None
    now = utcnow()
    return {
        "line_reviews": shop_reviews.reviews_of_lines(
            [line.id for o in checkout.orders for line in o.lines]
        ),
        "reviewable": {o.id for o in checkout.orders if shop_reviews.reviews_open(o, now)},
        "may_review": shop_reviews.may_review(checkout, user_id),
        "receivable": orders.RECEIVABLE,
    }


@bp.get("/orders/<code>")
def order(code: str):
    checkout = _visible_checkout(code)
    token = request.args.get("token", "")
    context = {"checkout": checkout, "token": token, **_transfers_context(checkout, token)}
    if request.htmx and not request.htmx.history_restore_request:
        # The transfers part, polled every 4 s while one is awaited: 204 while it is unchanged
        # (htmx swaps nothing, so a QR being pressed or a copy button's answer stays).
        if request.args.get("seen") == context["polling_key"]:
            response = current_app.make_response(("", 204))
        else:
            response = current_app.make_response(
                render_template("marketplace/_transfers.html", **context)
            )
    else:
        response = current_app.make_response(
            render_template(
                "marketplace/order.html",
                **context,
                **_cancel_context(checkout),
                **_review_context(checkout),
            )
        )
    response.vary.add("HX-Request")
    return response


@bp.get("/orders/<code>/<order_code>/qr.png")
def order_qr(code: str, order_code: str):
    """The VietQR picture of what is still to transfer for one order (download=1: as a file,
    vietqr-<order code>.png). The same access as the order page; 404 once nothing is owed."""
    checkout = _visible_checkout(code)
    step = next((s for s in transfer_steps(checkout) if s.order.code == order_code), None)
    if step is None or step.transfer is None:
        abort(404)
    etag = hashlib.sha256(f"{QR_SCALE}:{step.transfer.payload}".encode()).hexdigest()[:32]
    if etag in request.if_none_match:
        response = current_app.make_response(("", 304))
    else:
        response = current_app.make_response(qr_png(step.transfer.payload, QR_SCALE))
        response.mimetype = "image/png"
    response.set_etag(etag)
    # Private (the link is the buyer's), and asked again each time: the amount is what remains.
    response.headers["Cache-Control"] = "private, no-cache"
    disposition = "attachment" if request.args.get("download") else "inline"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="vietqr-{step.order.code}.png"'
    )
    return response


@bp.post("/orders/<code>/<int:order_id>/cancel")
def cancel_order(code: str, order_id: int):
    checkout = _visible_checkout(code)
    order_ = next((o for o in checkout.orders if o.id == order_id), None)
    if order_ is None:
        abort(404)
    form = CancelForm()
    try:
        orders.cancel_by_buyer(
            order_.id,
            current_user.id if current_user.is_authenticated else None,
            (form.reason.data or "").strip()[:300] or _("Người mua hủy"),
        )
        flash(_("Đã hủy đơn %(code)s.", code=order_.code), "success")
    except orders.AlreadyInStatus:  # a second click: it is cancelled, as asked
        flash(_("Đã hủy đơn %(code)s.", code=order_.code), "info")
    except orders.IllegalTransition:
        flash(
            _("Đơn %(code)s không thể hủy nữa (người bán đã xác nhận).", code=order_.code), "error"
        )
    except TryAgain:
        flash_busy()
    return redirect(_order_url(checkout))


# --- "Đã nhận hàng" and the buyer's reviews (marketplace.reviews) ----------------------------

limit_uploads(bp, "marketplace.review_line")


def _own_line(checkout: Checkout, line_id: int) -> OrderLine:
    for order_ in checkout.orders:
        for line in order_.lines:
            if line.id == line_id:
                return line
    abort(404)


@bp.post("/orders/<code>/<int:order_id>/received")
def order_received(code: str, order_id: int):
    checkout = _visible_checkout(code)
    order_ = next((o for o in checkout.orders if o.id == order_id), None)
    if order_ is None:
        abort(404)
    user_id = current_user.id if current_user.is_authenticated else None
    try:
        orders.confirm_receipt(order_.id, user_id)
        flash(
            _("Cảm ơn bạn! Đơn %(code)s đã được ghi nhận là đã nhận hàng.", code=order_.code),
            "success",
        )
    except orders.NotReceivable:
        if order_.received_at is not None:  # a second click
            flash(_("Đơn %(code)s đã được ghi nhận là đã nhận hàng.", code=order_.code), "info")
        else:
            flash(
                _("Đơn %(code)s chưa được giao nên chưa thể xác nhận.", code=order_.code), "error"
            )
    except TryAgain:
        flash_busy()
    return redirect(_order_url(checkout) + f"#order-part-{order_.id}")


@bp.route("/orders/<code>/lines/<int:line_id>/review", methods=["GET", "POST"])
def review_line(code: str, line_id: int):
    """The review of one product of a delivered order: the form, or (POST) the review."""
    checkout = _visible_checkout(code)
    line = _own_line(checkout, line_id)
    back = _order_url(checkout) + f"#order-part-{line.order_id}"
    user_id = current_user.id if current_user.is_authenticated else None
    existing = shop_reviews.reviews_of_lines([line.id]).get(line.id)
    now = utcnow()
    return review_form(
        localized(line, "name"),
        back,
        VERIFIED,
        existing=existing,
        refusal=refusal_of(
            existing,
            shop_reviews.may_review(checkout, user_id),
            partial(shop_reviews.reviews_open, line.order, now),
        ),
        write=partial(shop_reviews.write_review, line.id, user_id=user_id, now=now),
    )


VERIFIED = N_("Đã mua hàng")
