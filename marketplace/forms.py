"""Forms of the shop: checkout and the buyer's saved addresses, a buyer cancelling, a
cooperative recording a refund or recalling a lot."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from core.forms import REQUIRED, form_token_field, vietnamese_phone
from core.provinces import is_province, is_ward_of, province_names, wards_of
from core.text import normalise_phone
from marketplace.checkout import FORM_TOKEN_LENGTH

# VietQR, where no cooperative of the cart gave a bank account to receive it.
NO_TRANSFERS = _l(
    "Chưa hợp tác xã nào trong giỏ hàng nhận chuyển khoản, nên chỉ có thể thanh toán khi "
    "nhận hàng (COD)."
)


def _at_most(n: int) -> Length:
    return Length(max=n, message=_l("Tối đa %(max)s ký tự."))


def _province_choices():
    return [("", _l("— Chọn —"))] + [(name, name) for name in province_names()]


class AddressForm(FlaskForm):
    """Who receives a parcel and where: the checkout's, and a saved address's (/account/
    addresses). The ward is chosen among the province's (core.provinces): the page swaps the
    list when the province changes (htmx, marketplace.ward_options); without JavaScript the
    form comes back with the chosen province's list."""

    name = StringField(
        _l("Họ và tên người nhận"), validators=[InputRequired(REQUIRED), _at_most(120)]
    )
    # As typed ("+84 912 345 678", "0293 3876 543"); stored as core.text.normalise_phone says.
    phone = StringField(
        _l("Số điện thoại"),
        validators=[InputRequired(REQUIRED), _at_most(20), vietnamese_phone],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    province = SelectField(
        _l("Tỉnh / thành phố"), choices=_province_choices, validators=[InputRequired(REQUIRED)]
    )
    ward = SelectField(
        _l("Phường / xã"), choices=[], validate_choice=False, validators=[_at_most(120)]
    )
    street = StringField(
        _l("Số nhà, đường, ấp"), validators=[InputRequired(REQUIRED), _at_most(255)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.follow_province()

    def follow_province(self) -> None:
        """The ward's choices: the wards of the province chosen (none before one is)."""
        wards = wards_of(self.province.data)
        first = _l("— Chọn phường / xã —") if wards else _l("— Chọn tỉnh / thành trước —")
        self.ward.choices = [("", first)] + [(ward, ward) for ward in wards]

    def validate_province(self, field):
        if not is_province(field.data):
            raise ValidationError(_l("Vui lòng chọn tỉnh / thành phố."))

    def validate_ward(self, field):
        if not is_province(self.province.data):
            raise ValidationError(_l("Chọn tỉnh / thành phố trước, rồi chọn phường / xã."))
        if not field.data:
            raise ValidationError(_l("Vui lòng chọn phường / xã."))
        if not is_ward_of(field.data, self.province.data):
            raise ValidationError(
                _l(
                    "%(ward)s không thuộc %(province)s. Vui lòng chọn lại phường / xã.",
                    ward=field.data,
                    province=self.province.data,
                )
            )

    def address(self) -> dict:
        """What was typed, tidied: name, phone (normalised), province, ward, street."""
        return {
            "name": self.name.data.strip(),
            "phone": normalise_phone(self.phone.data),
            "province": self.province.data,
            "ward": " ".join(self.ward.data.split()),
            "street": self.street.data.strip(),
        }

    def fill_from(self, saved) -> None:
        """Put a saved address (or any object with the same attributes) in the form."""
        for name in ("name", "phone", "province", "ward", "street"):
            getattr(self, name).data = getattr(saved, name)
        self.follow_province()


class CheckoutForm(AddressForm):
    # The one-time token of the form (marketplace.checkout); the route checks its shape.
    form_token = HiddenField(validators=[Length(max=FORM_TOKEN_LENGTH)])
    email = EmailField(
        _l("Email (không bắt buộc)"),
        validators=[Optional(), _at_most(254), Email(_l("Địa chỉ email không hợp lệ."))],
    )
    note = TextAreaField(_l("Ghi chú cho người bán"), validators=[Optional(), _at_most(500)])
    # A logged-in buyer's: the address joins their address book with the order.
    save_address = BooleanField(_l("Lưu địa chỉ này"))
    payment_method = RadioField(
        _l("Thanh toán"),
        choices=[
            ("cod", _l("Trả tiền mặt khi nhận hàng (COD)")),
            ("vietqr", _l("Chuyển khoản ngân hàng bằng mã VietQR")),
        ],
        default="cod",
        validators=[InputRequired(REQUIRED)],
    )


class SavedAddressForm(AddressForm):
    """An address of the buyer's address book: a new one carries a one-time token."""

    form_token = form_token_field(required=False)
    is_default = BooleanField(_l("Dùng làm địa chỉ mặc định"))


class CancelForm(FlaskForm):
    reason = StringField(_l("Lý do hủy"), validators=[Optional(), _at_most(300)])


class RefundForm(FlaskForm):
    """The cooperative gave a refund back: the reference of its bank's transfer."""

    bank_reference = StringField(
        _l("Mã giao dịch hoàn tiền"), validators=[InputRequired(REQUIRED), _at_most(60)]
    )


class RecallForm(FlaskForm):
    """The cooperative recalls one of its lots: the reason its buyers will read."""

    reason = TextAreaField(_l("Lý do thu hồi"), validators=[InputRequired(REQUIRED), _at_most(300)])
