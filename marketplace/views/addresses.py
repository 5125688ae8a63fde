"""The buyer's address book (/account/addresses: add, edit, delete, make default), the ward
list that follows the province (htmx, for checkout and the book), and the province a cart's
delivery is estimated for."""

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.bounds import number_arg
from core.db import TryAgain
from core.provinces import canonical_province
from core.submissions import new_form_token, submit_once, valid_form_token
from marketplace import addresses
from marketplace.forms import AddressForm, SavedAddressForm
from marketplace.views import bp

# The province a guest (or a buyer) chose on the cart for its delivery estimate.
PROVINCE_KEY = "delivery_province"


def delivery_province() -> str:
    """Where the cart's parcels would go: the province chosen on the cart, else the buyer's
    default address's; "" when neither is known."""
    chosen = canonical_province(session.get(PROVINCE_KEY))
    if chosen:
        return chosen
    if current_user.is_authenticated:
        default = addresses.default_address(current_user.id)
        if default is not None:
            return canonical_province(default.province) or ""
    return ""


def choose_delivery_province(province: str | None) -> None:
    """Remember the cart's province for this visitor (or forget it, for "")."""
    chosen = canonical_province(province)
    if chosen:
        session[PROVINCE_KEY] = chosen
    elif province is not None:
        session.pop(PROVINCE_KEY, None)


@bp.get("/checkout/wards")
def ward_options():
    """The ward field for the province of the query (htmx, when the province changes)."""
    form = AddressForm(formdata=None)
    form.province.data = request.args.get("province", "")
    form.follow_province()
    return render_template("marketplace/_ward_choices.html", form=form)


def _busy() -> str:
    return _("Hệ thống đang bận, sổ địa chỉ chưa thay đổi. Vui lòng thử lại.")


def _book_page(form: SavedAddressForm, editing=None, status: int = 200):
    return (
        render_template(
            "marketplace/addresses.html",
            addresses=addresses.addresses_of(current_user.id),
            form=form,
            editing=editing,
            most=addresses.MAX_ADDRESSES,
        ),
        status,
    )


@bp.route("/account/addresses", methods=["GET", "POST"])
@login_required
def addresses_page():
    """The book, and the form of a new address (or, with ?edit=<id>, of one to change)."""
    if request.method == "GET":
        number = number_arg(request.args.get("edit"), lowest=1)
        editing = addresses.own_address(current_user.id, number) if number else None
        form = SavedAddressForm(formdata=None)
        if editing is not None:
            form.fill_from(editing)
            form.is_default.data = editing.is_default
        else:
            form.name.data, form.phone.data = current_user.name, current_user.phone
            form.form_token.data = new_form_token()
        return _book_page(form, editing)
    form = SavedAddressForm()
    if not form.validate_on_submit():
        return _book_page(form, status=422)
    fields = form.address()

    def add() -> str:
        addresses.add_address(current_user.id, fields, make_default=form.is_default.data)
        return url_for("marketplace.addresses_page")

    try:
        if valid_form_token(form.form_token.data):
            submit_once(form.form_token.data, add)
        else:
            add()
    except addresses.AddressBookFull:
        flash(
            _(
                "Sổ địa chỉ đã đủ %(n)s địa chỉ; hãy xóa bớt một địa chỉ.",
                n=addresses.MAX_ADDRESSES,
            ),
            "error",
        )
        return _book_page(form, status=422)
    except TryAgain:
        flash(_busy(), "error")
        return _book_page(form, status=503)
    flash(_("Đã lưu địa chỉ."), "success")
    return redirect(url_for("marketplace.addresses_page"))


def _own_or_404(address_id: int):
    address = addresses.own_address(current_user.id, address_id)
    if address is None:
        abort(404)
    return address


@bp.post("/account/addresses/<int:address_id>")
@login_required
def edit_address(address_id: int):
    editing = _own_or_404(address_id)
    form = SavedAddressForm()
    if not form.validate_on_submit():
        return _book_page(form, editing, status=422)
    try:
        addresses.update_address(
            current_user.id, address_id, form.address(), make_default=form.is_default.data
        )
    except addresses.AddressNotFound:
        abort(404)
    except TryAgain:
        flash(_busy(), "error")
        return _book_page(form, editing, status=503)
    flash(_("Đã lưu địa chỉ."), "success")
    return redirect(url_for("marketplace.addresses_page"))


@bp.post("/account/addresses/<int:address_id>/delete")
@login_required
def delete_address(address_id: int):
    try:
        if addresses.delete_address(current_user.id, address_id):
            flash(_("Đã xóa địa chỉ."), "success")
        else:  # a second click, or another tab, deleted it first
            flash(_("Địa chỉ này không còn trong sổ."), "info")
    except TryAgain:
        flash(_busy(), "error")
    return redirect(url_for("marketplace.addresses_page"))


@bp.post("/account/addresses/<int:address_id>/default")
@login_required
def default_address(address_id: int):
    _own_or_404(address_id)
    try:
        addresses.make_default(current_user.id, address_id)
        flash(_("Đã đặt làm địa chỉ mặc định."), "success")
    except addresses.AddressNotFound:  # deleted meanwhile, in another tab
        abort(404)
    except TryAgain:
        flash(_busy(), "error")
    return redirect(url_for("marketplace.addresses_page"))
