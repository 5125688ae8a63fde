"""Cart routes: the same POST forms work with htmx (a fragment and the header count) and
without JavaScript (redirect-after-post)."""

from flask import (
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from core.bounds import INT_MAX
from core.db import TryAgain
from core.i18n import localized
from core.provinces import province_names
from core.security import is_local_path
from core.text import whole_number
from marketplace import cart as carts
from marketplace.views import bp
from marketplace.views.addresses import choose_delivery_province, delivery_province
from marketplace.views.orders import parcel_plan


def _product_id() -> int | None:
    """The product id of the form; None (then "not for sale") for anything that is not one,
    an id past INTEGER included."""
    number = whole_number(request.form.get("product_id", ""), max_digits=len(str(INT_MAX)))
    return number if number is not None and 1 <= number <= INT_MAX else None


def _quantity(default: int = 1) -> int:
    value = request.form.get("quantity", "").strip()
    number = whole_number(value)
    return min(number, 9999) if number is not None else default


def _cart_error_message(error: carts.CartError) -> str:
    if isinstance(error, carts.OutOfStock):
        return _("%(name)s đã hết hàng.", name=localized(error.product, "name"))
    if str(error) == "too_many_lines":
        return _("Giỏ hàng đã đủ %(n)s sản phẩm khác nhau.", n=carts.MAX_LINES)
    return _("Sản phẩm này hiện không bán.")


def _busy() -> str:
    return _("Hệ thống đang bận, giỏ hàng chưa thay đổi. Vui lòng thử lại.")


def _cart_context(cart) -> dict:
    """The cart's parcels with their delivery estimate for the province chosen on the cart (or
    the buyer's default address's)."""
    province = delivery_province()
    return {
        "cart": cart,
        "plan": parcel_plan(cart, province),
        "delivery_province": province,
        "provinces": province_names(),
    }


@bp.get("/cart")
def cart():
    """The cart; ?province= chooses where its delivery is estimated for (kept in the session;
    htmx: the cart part alone)."""
    if "province" in request.args:
        choose_delivery_province(request.args.get("province", ""))
    cart = carts.load_cart(current_user)
    part = request.htmx and not request.htmx.history_restore_request
    template = "marketplace/_cart.html" if part else "marketplace/cart.html"
    response = current_app.make_response(render_template(template, **_cart_context(cart)))
    response.vary.add("HX-Request")
    return response


@bp.post("/cart/add")
def cart_add():
    product_id = _product_id()
    try:
        if product_id is None:
            raise carts.ProductUnavailable("")
        quantity = carts.add_to_cart(current_user, product_id, _quantity())
        message, ok = _("Đã thêm vào giỏ (%(n)s).", n=quantity), True
    except carts.CartError as error:
        message, ok = _cart_error_message(error), False
    except TryAgain:
        message, ok = _busy(), False
    if request.htmx:
        return render_template(
            "marketplace/_cart_added.html",
            message=message,
            ok=ok,
            cart_count=carts.cart_count(current_user),
        )
    flash(message, "success" if ok else "error")
    return redirect(_back())


@bp.post("/cart/update")
def cart_update():
    product_id = _product_id()
    try:
        if product_id is None:
            raise carts.ProductUnavailable("")
        if request.form.get("remove"):
            carts.remove_from_cart(current_user, [product_id])
        else:
            carts.set_quantity(current_user, product_id, _quantity())
        message = None
    except carts.CartError as error:
        message = _cart_error_message(error)
    except TryAgain:
        message = _busy()
    if request.htmx:
        cart = carts.load_cart(current_user)
        return render_template(
            "marketplace/_cart.html",
            **_cart_context(cart),
            message=message,
            cart_count=cart.count,
            oob=True,
        )
    if message:
        flash(message, "error")
    return redirect(url_for("marketplace.cart"))


def _back() -> str:
    """Where the add button was: a path on this site, else the cart."""
    target = request.form.get("next", "")
    if is_local_path(target):
        return target
    return url_for("marketplace.cart")


def _cart_count_once() -> int:
    # Context processors run for every template rendered, partials included: count once.
    if "cart_count" not in g:
        g.cart_count = carts.cart_count(current_user)
    return g.cart_count


@bp.app_context_processor
def cart_context():
    # A message rendered outside a request (a job, the command line) has no visitor or cart.
    return {"cart_count": _cart_count_once()} if has_request_context() else {}


@bp.app_template_global()
def cart_form() -> dict:
    """What every add-to-cart form of a page shares, worked out once per request: a catalogue
    page draws 24 of them. Not its token: a part kept for everyone holds a mark in its place
    (core.page_parts.page_csrf_token)."""
    if "cart_form" not in g:
        g.cart_form = {
            "action": url_for("marketplace.cart_add"),
            "here": request.full_path if request.query_string else request.path,
            "label": _("Thêm vào giỏ"),
        }
    return g.cart_form
