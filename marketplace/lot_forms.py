"""The form a cooperative records a packed lot with (/dashboard/lots/new): the product and six
fields; the lot's code is made by marketplace.lots. Messages are Vietnamese msgids."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from core import clock
from core.bounds import DayWithinRange
from core.forms import REQUIRED, DayField, WholeNumberField
from marketplace.products import MAX_STOCK

# What cooperatives of Hậu Giang pack under; offered, any other may be typed.
STANDARDS = ("VietGAP", "GlobalGAP", "HACCP", "ISO 22000", "Hữu cơ (TCVN 11041)", "OCOP")
# A lot's shelf life read as a date: up to five years (rice wine, dried goods), a year back.
EXPIRY_DAYS_AHEAD = 5 * 366


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class LotForm(FlaskForm):
    form_token = HiddenField(validators=[Length(max=64)])
    # Checked against the shop's own products below (validate_product), in Vietnamese.
    product = SelectField(lazy_pgettext("one product", "Sản phẩm"), validate_choice=False)
    quantity = WholeNumberField(
        _l("Số lượng đóng gói"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(1, MAX_STOCK, message=_l("Số lượng từ 1 đến 1.000.000.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    packed_on = DayField(
        _l("Ngày đóng gói hoặc thu hoạch"),
        validators=[
            InputRequired(REQUIRED),
            DayWithinRange(days_ahead=0),
        ],
    )
    expires_on = DayField(
        _l("Hạn sử dụng (không bắt buộc)"),
        validators=[Optional(), DayWithinRange(days_ahead=EXPIRY_DAYS_AHEAD)],
    )
    area_code = StringField(
        _l("Mã số vùng trồng hoặc vùng nuôi"),
        validators=[Optional(), Length(max=60, message=_l("Tối đa %(max)s ký tự."))],
        filters=[_strip],
    )
    standard = StringField(
        _l("Tiêu chuẩn áp dụng"),
        validators=[Optional(), Length(max=60, message=_l("Tối đa %(max)s ký tự."))],
        filters=[_strip],
        render_kw={"list": "standards"},
    )
    note = TextAreaField(
        _l("Ghi chú"),
        validators=[Optional(), Length(max=1000, message=_l("Tối đa %(max)s ký tự."))],
        filters=[_strip],
        render_kw={"rows": 3},
    )

    def __init__(self, products, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.product.choices = [(str(p.id), p.name) for p in products]

    def validate_product(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Vui lòng chọn một sản phẩm của cửa hàng."))

    def product_id(self) -> int:
        return int(self.product.data)

    def validate_packed_on(self, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("Ngày đóng gói không được sau hôm nay."))

    def validate_expires_on(self, field):
        if field.data and self.packed_on.data and field.data < self.packed_on.data:
            raise ValidationError(_l("Hạn sử dụng không được trước ngày đóng gói."))

    def lot_fields(self) -> dict:
        return {
            "quantity": self.quantity.data,
            "packed_on": self.packed_on.data,
            "expires_on": self.expires_on.data,
            "area_code": self.area_code.data or "",
            "standard": self.standard.data or "",
            "note": self.note.data or "",
        }
