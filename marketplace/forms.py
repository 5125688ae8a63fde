"""Forms of the shop: checkout, a buyer cancelling, a cooperative recording a refund."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional

from core.forms import REQUIRED, vietnamese_phone
from core.provinces import PROVINCES
from marketplace.checkout import FORM_TOKEN_LENGTH

# VietQR, where no cooperative of the cart gave a bank account to receive it.
NO_TRANSFERS = _l(
    "Chưa hợp tác xã nào trong giỏ hàng nhận chuyển khoản, nên chỉ có thể thanh toán khi "
    "nhận hàng (COD)."
)


def _at_most(n: int) -> Length:
    return Length(max=n, message=_l("Tối đa %(max)s ký tự."))


class CheckoutForm(FlaskForm):
    # The one-time token of the form (marketplace.checkout); the route checks its shape.
    form_token = HiddenField(validators=[Length(max=FORM_TOKEN_LENGTH)])
    name = StringField(
        _l("Họ và tên người nhận"), validators=[InputRequired(REQUIRED), _at_most(120)]
    )
    # As typed ("+84 912 345 678"); stored as its 10 digits.
    phone = StringField(
        _l("Số điện thoại"), validators=[InputRequired(REQUIRED), _at_most(20), vietnamese_phone]
    )
    email = EmailField(
        _l("Email (không bắt buộc)"),
        validators=[Optional(), _at_most(254), Email(_l("Địa chỉ email không hợp lệ."))],
    )
    province = SelectField(
        _l("Tỉnh / thành phố"),
        choices=[("", _l("— Chọn —"))] + [(p, p) for p in PROVINCES],
        validators=[InputRequired(REQUIRED)],
    )
    ward = StringField(_l("Phường / xã"), validators=[InputRequired(REQUIRED), _at_most(120)])
    street = StringField(
        _l("Số nhà, đường, ấp"), validators=[InputRequired(REQUIRED), _at_most(255)]
    )
    note = TextAreaField(_l("Ghi chú cho người bán"), validators=[Optional(), _at_most(500)])
    payment_method = RadioField(
        _l("Thanh toán"),
        choices=[
            ("cod", _l("Trả tiền mặt khi nhận hàng (COD)")),
            ("vietqr", _l("Chuyển khoản ngân hàng bằng mã VietQR")),
        ],
        default="cod",
        validators=[InputRequired(REQUIRED)],
    )

    def validate_province(self, field):
        if field.data not in PROVINCES:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Vui lòng chọn tỉnh / thành phố."))


class CancelForm(FlaskForm):
    reason = StringField(_l("Lý do hủy"), validators=[Optional(), _at_most(300)])


class RefundForm(FlaskForm):
    """The cooperative gave a refund back: the reference of its bank's transfer."""

    bank_reference = StringField(
        _l("Mã giao dịch hoàn tiền"), validators=[InputRequired(REQUIRED), _at_most(60)]
    )
