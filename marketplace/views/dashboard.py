"""The cooperative's shop dashboard: products, orders, sales. Rules in marketplace.products,
marketplace.orders and marketplace.sales; who may come in: marketplace.cooperatives."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from core import uploads
from core.clock import today
from core.db import TryAgain
from core.formatting import vnd
from core.pictures import too_large_page
from core.submissions import new_form_token, valid_form_token
from core.text import whole_number
from core.uploads import UploadRejected, max_image_bytes, upload_folder
from marketplace import lots as shop_lots
from marketplace import orders as shop_orders
from marketplace import products as shop_products
from marketplace import sales as shop_sales
from marketplace.cooperatives import approved_cooperative_only, read_only_while_suspended
from marketplace.forms import RefundForm
from marketplace.labels import ORDER_STATUS_NAMES
from marketplace.orders import AlreadyInStatus, AlreadyPaid, IllegalTransition, UnpaidShipment
from marketplace.payables import payment_state
from marketplace.product_forms import (
    GTIN_TAKEN,
    InlineForm,
    NewProductForm,
    ProductForm,
    seen_stock,
)
from payments.refunds import REASONS as REFUND_REASONS
from payments.refunds import refunds_of

dashboard = Blueprint("dashboard", __name__, url_prefix="/dashboard")

PUBLIC_ENDPOINTS = ("dashboard.upload",)
# A picture may be up to uploads.MAX_BYTES; a request up to HARD_LIMIT_FACTOR times that is
# still read, so that a picture slightly too big gets a message next to the field, with the
# rest of the form kept. Anything bigger is refused before it is read (413, see below).
HARD_LIMIT_FACTOR = 4


@dashboard.url_value_preprocessor
def limit_request_size(endpoint, _values):
    # Runs before every before_request function, in particular before CSRF protection reads the
    # form: the limit must be in place before anyone touches the body.
    if request.method == "POST" and endpoint not in PUBLIC_ENDPOINTS:
        request.max_content_length = max_image_bytes() * HARD_LIMIT_FACTOR


@dashboard.before_request
def only_approved_cooperatives():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    return approved_cooperative_only() or read_only_while_suspended()


@dashboard.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error):
    megabytes = uploads.megabytes(max_image_bytes())
    message = _("Tệp gửi lên quá lớn. Ảnh sản phẩm tối đa %(mb)s MB.", mb=megabytes)
    if request.endpoint in ("dashboard.new_product", "dashboard.edit_product"):
        back_url, back_label = request.path, _("Quay lại biểu mẫu")
    else:
        back_url, back_label = url_for("dashboard.products"), _("Về danh sách sản phẩm")
    nothing_saved = _(
        "Chưa có gì được lưu. Hãy thu nhỏ ảnh (hoặc chụp lại với chất lượng thấp hơn) rồi gửi lại."
    )
    return too_large_page(message, nothing_saved, back_label, back_url)


def _coop_id() -> int:
    return g.cooperative.id


# --- pictures (public) -------------------------------------------------------------------


@dashboard.get("/uploads/<name>")
def upload(name: str):
    if not uploads.is_safe_name(name):
        abort(404)
    # Names are random and never reused, so the picture behind a URL never changes.
    return send_from_directory(upload_folder(), name, max_age=365 * 24 * 3600)


# --- overview ----------------------------------------------------------------------------


@dashboard.get("")
def index():
    """What needs doing and how this month goes."""
    cooperative_id = _coop_id()
    products = shop_products.products_of(cooperative_id)
    low_stock_at = shop_products.LOW_STOCK
    return render_template(
        "dashboard/index.html",
        counts=shop_orders.status_counts(cooperative_id),
        products_total=len(products),
        products_hidden=sum(1 for p in products if not p.active),
        low_stock=[p for p in products if p.active and p.stock <= low_stock_at],
        this_month=shop_sales.sales_by_month(cooperative_id, today(), 1)[0],
        unpaid=shop_orders.unpaid_count(cooperative_id),
        low_stock_at=low_stock_at,
        expiring=shop_lots.expiry_warnings(cooperative_id),
        expiry_days=shop_lots.EXPIRY_WARNING_DAYS,
        today=today(),
    )


# --- products ----------------------------------------------------------------------------


def _inline_form(product, formdata=None) -> InlineForm:
    if formdata is None:
        form = InlineForm(formdata=None, price=product.price, stock=product.stock)
        form.stock_seen.data = str(product.stock)
    else:
        form = InlineForm()
    return form.for_row(product.id)


def _products_page(failed: InlineForm | None = None, failed_id: int | None = None):
    products = shop_products.products_of(_coop_id())
    forms = {p.id: _inline_form(p) for p in products}
    if failed is not None:
        forms[failed_id] = failed
    return render_template("dashboard/products.html", products=products, forms=forms)


@dashboard.get("/products")
def products():
    return _products_page()


def _own_product_or_404(product_id: int):
    product = shop_products.own_product(_coop_id(), product_id)
    if product is None:
        abort(404)
    return product


def prepared_picture(field):
    """The checked picture of a file field (a product's picture, the shop's logo), None if none
    was sent; False (with the error on the field) if the file is not one we take."""
    if not field.data:
        return None
    try:
        return uploads.prepare_image(field.data.stream, max_image_bytes())
    except UploadRejected as error:
        field.errors = [*field.errors, error.message]
        return False


def try_again() -> str:
    return _("Hệ thống đang bận, chưa lưu được. Vui lòng bấm lưu lại.")


@dashboard.route("/products/new", methods=["GET", "POST"])
def new_product():
    form = NewProductForm()
    if request.method == "GET":
        form.stock.data = 0
        form.form_token.data = new_form_token()
    elif not valid_form_token(form.form_token.data):
        # A page from before the token, or a token that is not ours: nothing is made or
        # stored; the form comes back as typed, with a fresh token, to be sent again.
        form.form_token.data = new_form_token()
        flash(_("Trang thêm sản phẩm đã cũ nên chưa lưu gì. Vui lòng kiểm tra lại rồi bấm “Thêm sản phẩm”."), "error")  # fmt: skip
        return _product_form_page(form, None)
    if form.validate_on_submit():
        picture = prepared_picture(form.picture)
        if picture is not False:
            try:
                address, made = shop_products.create_product_once(
                    form.form_token.data,
                    g.cooperative,
                    form.product_data(),
                    picture,
                    upload_folder=upload_folder(),
                    address=lambda product: url_for(".products") + f"#product-{product.id}",
                )
            except shop_products.GtinTaken:
                form.gtin.errors = [*form.gtin.errors, GTIN_TAKEN]
            except TryAgain:
                flash(try_again(), "error")
            else:
                if made:
                    flash(_("Đã thêm sản phẩm “%(name)s”.", name=form.name.data), "success")
                else:  # the same form again (a double click, a resend): what it made
                    flash(_("Biểu mẫu này đã được gửi trước đó; sản phẩm đã được thêm một lần."), "info")  # fmt: skip
                return redirect(address)
    return _product_form_page(form, None)


@dashboard.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
def edit_product(product_id: int):
    product = _own_product_or_404(product_id)
    form = ProductForm(obj=product)
    if request.method == "GET":
        form.stock_seen.data = str(product.stock)
    if form.validate_on_submit():
        picture = prepared_picture(form.picture)
        if picture is not False:
            try:
                shop_products.update_product(
                    product,
                    form.product_data(),
                    picture,
                    upload_folder=upload_folder(),
                    stock_seen=seen_stock(form.stock_seen),
                )
            except shop_products.StockChanged as changed:
                form.stock.errors = [*form.stock.errors, _stock_changed_message(changed)]
                form.stock_seen.data = str(changed.current)
            except shop_products.GtinTaken:
                form.gtin.errors = [*form.gtin.errors, GTIN_TAKEN]
            except TryAgain:
                flash(try_again(), "error")
            else:
                flash(_("Đã lưu “%(name)s”.", name=product.name), "success")
                return redirect(url_for(".edit_product", product_id=product.id))
    elif form.stock_seen.errors:  # not a stock: show the stock as it is now (form message)
        form.stock_seen.data = str(product.stock)
    return _product_form_page(form, product)


def _product_form_page(form: ProductForm, product):
    return render_template(
        "dashboard/product_form.html",
        form=form,
        product=product,
        max_image_mb=uploads.megabytes(max_image_bytes()),
    )


def _stock_changed_message(changed: shop_products.StockChanged) -> str:
    return _(
        "Tồn kho vừa thay đổi (có đơn hàng mới): hiện còn %(n)s. Chưa lưu gì; hãy kiểm tra "
        "lại số tồn kho rồi bấm lưu.",
        n=changed.current,
    )


def _row(product, form: InlineForm, saved: bool = False):
    return render_template("dashboard/_product_row.html", product=product, form=form, saved=saved)


@dashboard.post("/products/<int:product_id>/inline")
def inline_product(product_id: int):
    product = _own_product_or_404(product_id)
    form = _inline_form(product, formdata=request.form)
    if form.validate():
        try:
            shop_products.save_price_and_stock(
                product, form.price.data, form.stock.data, seen_stock(form.stock_seen)
            )
        except shop_products.StockChanged as changed:
            form.stock.errors = [*form.stock.errors, _stock_changed_message(changed)]
            form.stock_seen.data = str(changed.current)
        except TryAgain:
            form.price.errors = [*form.price.errors, try_again()]
        else:
            if request.htmx:
                return _row(product, _inline_form(product), saved=True)
            flash(_("Đã lưu giá và tồn kho của “%(name)s”.", name=product.name), "success")
            return redirect(url_for(".products") + f"#product-{product.id}")
    elif form.stock_seen.errors:  # not a stock: show the stock as it is now (form message)
        form.stock_seen.data = str(product.stock)
    if request.htmx:
        return _row(product, form)
    return _products_page(failed=form, failed_id=product.id)


@dashboard.post("/products/<int:product_id>/visibility")
def product_visibility(product_id: int):
    product = _own_product_or_404(product_id)
    active = request.form.get("active") == "1"
    try:
        shop_products.set_active(product, active)
    except TryAgain:
        if request.htmx:
            form = _inline_form(product)
            form.price.errors = [try_again()]
            return _row(product, form)
        flash(try_again(), "error")
        return redirect(url_for(".products") + f"#product-{product.id}")
    if request.htmx:
        return _row(product, _inline_form(product))
    if active:
        flash(_("“%(name)s” đã hiện lại trong cửa hàng.", name=product.name), "success")
    else:
        flash(_("Đã ẩn “%(name)s” khỏi cửa hàng.", name=product.name), "success")
    return redirect(url_for(".products") + f"#product-{product.id}")


@dashboard.post("/products/<int:product_id>/images/<int:image_id>/delete")
def delete_image(product_id: int, image_id: int):
    _own_product_or_404(product_id)
    try:
        deleted = shop_products.remove_image(
            _coop_id(), product_id, image_id, upload_folder=upload_folder()
        )
    except LookupError:  # another product's picture
        abort(404)
    except TryAgain:
        flash(try_again(), "error")
    else:
        if deleted:
            flash(_("Đã xóa ảnh."), "success")
        else:  # a second click, or a picture removed meanwhile
            flash(_("Ảnh này đã được xóa trước đó."), "info")
    return redirect(url_for(".edit_product", product_id=product_id) + "#pictures")


# --- orders ------------------------------------------------------------------------------


def _page_arg() -> int:
    value = request.args.get("page", "1")
    return whole_number(value, max_digits=6) or 1


@dashboard.get("/orders")
def orders():
    status = request.args.get("status", "")
    status = status if status in ORDER_STATUS_NAMES and status != "paid" else ""
    page = shop_orders.orders_of(_coop_id(), status or None, _page_arg())
    return render_template("dashboard/orders.html", page=page, counts=page.counts, status=status)


def _own_order_or_404(order_id: int):
    order = shop_orders.own_order(_coop_id(), order_id)
    if order is None:
        abort(404)
    return order


@dashboard.get("/orders/<int:order_id>")
def order(order_id: int):
    item = _own_order_or_404(order_id)
    moves = shop_orders.forward_moves(item)
    return render_template(
        "dashboard/order.html",
        order=item,
        moves=moves,
        can_cancel=shop_orders.can_cancel(item),
        cancel_terms=shop_orders.cancel_terms(item),
        awaits_payment=shop_orders.awaits_payment(item),
        payment_state=payment_state(item),
        ships_unpaid="shipping" in moves and shop_orders.ships_unpaid(item),
        refunds=refunds_of("order", [item.id]),
        refund_reasons=REFUND_REASONS,
        actor_name=shop_orders.actor_name,
    )


def _back_to(order_id: int):
    return redirect(url_for(".order", order_id=order_id))


def _status_name(status: str) -> str:
    return _(ORDER_STATUS_NAMES[status]) if status in ORDER_STATUS_NAMES else status


def _already_there(code: str, status: str) -> str:
    """A move made already (a double click, or two people at once): nothing more was done."""
    return _(
        "Đơn %(code)s đã ở trạng thái “%(status)s” từ trước; không có gì thay đổi thêm.",
        code=code,
        status=_status_name(status),
    )


@dashboard.post("/orders/<int:order_id>/status")
def order_status(order_id: int):
    item = _own_order_or_404(order_id)
    to_status = request.form.get("to", "")
    code, from_status = item.code, item.status
    try:
        shop_orders.advance_order(
            item,
            to_status,
            actor_id=current_user.id,
            note=request.form.get("note", ""),
            unpaid_confirmed=request.form.get("confirm") == "1",
        )
    except AlreadyInStatus:
        flash(_already_there(code, to_status), "info")
    except UnpaidShipment as error:
        flash(
            _(
                "Đơn %(code)s chưa được thanh toán đủ (đã nhận %(paid)s / %(total)s) nên chưa "
                "chuyển sang giao hàng. Nếu vẫn giao, hãy đánh dấu “Vẫn giao khi chưa nhận đủ "
                "tiền” rồi bấm lại.",
                code=code,
                paid=vnd(error.paid),
                total=vnd(error.total),
            ),
            "error",
        )
    except IllegalTransition as error:
        flash(
            _(
                "Không thể chuyển đơn %(code)s từ “%(old)s” sang “%(new)s”. Đơn hàng không thay đổi.",
                code=code,
                old=_status_name(error.from_status),
                new=_status_name(to_status),
            ),
            "error",
        )
    except TryAgain:
        flash(_("Hệ thống đang bận, đơn hàng chưa đổi. Vui lòng thử lại."), "error")
    else:
        flash(
            _(
                "Đơn %(code)s: “%(old)s” → “%(new)s”.",
                code=code,
                old=_status_name(from_status),
                new=_status_name(to_status),
            ),
            "success",
        )
    return _back_to(order_id)


@dashboard.post("/orders/<int:order_id>/cancel")
def cancel_order(order_id: int):
    item = _own_order_or_404(order_id)
    code = item.code
    try:
        shop_orders.cancel_order(item, request.form.get("reason", ""), actor_id=current_user.id)
    except shop_orders.ReasonRequired:
        flash(_("Vui lòng ghi lý do hủy đơn; người mua sẽ đọc lý do này."), "error")
    except AlreadyInStatus:
        flash(_already_there(code, "cancelled"), "info")
    except IllegalTransition as error:
        flash(
            _(
                "Không thể hủy đơn %(code)s khi đơn đang “%(status)s”. Đơn hàng không thay đổi.",
                code=code,
                status=_status_name(error.from_status),
            ),
            "error",
        )
    except TryAgain:
        flash(_("Hệ thống đang bận, đơn hàng chưa đổi. Vui lòng thử lại."), "error")
    else:
        flash(_("Đã hủy đơn %(code)s; tồn kho đã được cộng lại.", code=code), "success")
    return _back_to(order_id)


@dashboard.post("/orders/<int:order_id>/paid")
def order_paid(order_id: int):
    item = _own_order_or_404(order_id)
    code = item.code
    try:
        shop_orders.confirm_payment(item, actor_id=current_user.id)
    except AlreadyPaid:
        flash(_("Đơn %(code)s đã được ghi nhận thanh toán trước đó.", code=code), "info")
    except IllegalTransition:
        flash(
            _(
                "Chỉ xác nhận chuyển khoản cho đơn thanh toán bằng VietQR và chưa bị hủy. "
                "Đơn %(code)s không thay đổi.",
                code=code,
            ),
            "error",
        )
    except TryAgain:
        flash(_("Hệ thống đang bận, đơn hàng chưa đổi. Vui lòng thử lại."), "error")
    else:
        flash(_("Đã ghi nhận: đơn %(code)s đã được thanh toán.", code=code), "success")
    return _back_to(order_id)


@dashboard.post("/orders/<int:order_id>/refunds/<int:refund_id>")
def order_refund(order_id: int, refund_id: int):
    """The cooperative gave a refund back: its bank reference is recorded, the buyer told."""
    item = _own_order_or_404(order_id)
    code = item.code
    form = RefundForm()
    if not form.validate_on_submit():
        flash(_("Vui lòng ghi mã giao dịch hoàn tiền của ngân hàng (tối đa 60 ký tự)."), "error")
        return _back_to(order_id)
    try:
        refund = shop_orders.record_order_refund(
            item, refund_id, form.bank_reference.data, actor_id=current_user.id
        )
    except shop_orders.BankReferenceRequired:
        flash(_("Vui lòng ghi mã giao dịch hoàn tiền của ngân hàng (tối đa 60 ký tự)."), "error")
    except shop_orders.RefundNotDue:
        flash(
            _("Khoản hoàn tiền này của đơn %(code)s đã được ghi nhận trước đó.", code=code), "info"
        )
    except shop_orders.RefundBeyondPaid:
        flash(
            _(
                "Không ghi nhận được: tổng tiền hoàn của đơn %(code)s sẽ vượt số tiền đã nhận "
                "(%(paid)s). Không có gì thay đổi.",
                code=code,
                paid=vnd(item.paid_amount),
            ),
            "error",
        )
    except TryAgain:
        flash(_("Hệ thống đang bận, đơn hàng chưa đổi. Vui lòng thử lại."), "error")
    else:
        if refund is None:
            abort(404)
        flash(
            _(
                "Đã ghi nhận hoàn %(amount)s cho đơn %(code)s; người mua sẽ được báo.",
                amount=vnd(refund.amount),
                code=code,
            ),
            "success",
        )
    return _back_to(order_id)


# --- sales -------------------------------------------------------------------------------


@dashboard.get("/sales")
def sales():
    day = today()
    months = shop_sales.sales_by_month(_coop_id(), day)
    return render_template(
        "dashboard/sales.html",
        months=months,
        chart=shop_sales.sales_chart(months),
        top=shop_sales.top_products(_coop_id(), day),
        total_revenue=sum(m.revenue for m in months),
        total_orders=sum(m.orders for m in months),
    )


@dashboard.get("/orders.csv")
def orders_csv():
    filename = shop_orders.csv_filename(g.cooperative, today())
    return Response(
        shop_orders.orders_csv(_coop_id()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
