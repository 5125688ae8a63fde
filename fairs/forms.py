"""Forms of trade fairs: a cooperative's booth request; the office's fair, grid and booth.
Every field is bounded (core.bounds) and refuses bad input in the reader's language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from core.bounds import DayWithinRange
from core.forms import (
    BAD_DATE,
    REQUIRED,
    DayField,
    WholeNumberField,
    at_most,
    form_token_field,
    vietnamese_phone,
)

MAX_BOOTH_PRICE = 1_000_000_000
MAX_HOLD_HOURS = 720
BOOTH_PRICE = [
    InputRequired(REQUIRED),
    NumberRange(0, MAX_BOOTH_PRICE, _l("Giá thuê từ 0 đến 1 tỷ đồng.")),
]


class ProductChoices(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BoothRequestForm(FlaskForm):
    products = ProductChoices(_l("Sản phẩm sẽ trưng bày"), coerce=int, validate_choice=False)
    contact_person = StringField(
        _l("Người phụ trách gian hàng"), validators=[InputRequired(REQUIRED), at_most(120)]
    )
    contact_phone = StringField(
        _l("Số điện thoại"), validators=[InputRequired(REQUIRED), at_most(20), vietnamese_phone]
    )
    note = TextAreaField(_l("Ghi chú cho ban tổ chức"), validators=[Optional(), at_most(500)])

    def validate_products(self, field):
        allowed = {value for value, _label in self.products.choices}
        if not field.data:
            raise ValidationError(_l("Hãy chọn ít nhất một sản phẩm sẽ trưng bày."))
        if not set(field.data) <= allowed:
            raise ValidationError(_l("Chỉ chọn sản phẩm của hợp tác xã bạn."))


def _day(label):
    # A fair is planned up to two years ahead, and one held last year may still be corrected.
    return DayField(label, validators=[InputRequired(BAD_DATE), DayWithinRange()])


class FairForm(FlaskForm):
    name = StringField(_l("Tên hội chợ"), validators=[InputRequired(REQUIRED), at_most(200)])
    name_en = StringField(
        _l("Tên tiếng Anh (không bắt buộc)"), validators=[Optional(), at_most(200)]
    )
    venue = StringField(_l("Địa điểm"), validators=[InputRequired(REQUIRED), at_most(200)])
    address = StringField(_l("Địa chỉ"), validators=[InputRequired(REQUIRED), at_most(255)])
    starts_on = _day(_l("Ngày khai mạc"))
    ends_on = _day(_l("Ngày bế mạc"))
    registration_deadline = _day(_l("Hạn đăng ký gian hàng"))
    description = TextAreaField(_l("Giới thiệu"), validators=[Optional(), at_most(4000)])
    description_en = TextAreaField(
        _l("Giới thiệu (tiếng Anh, không bắt buộc)"),
        validators=[Optional(), at_most(4000)],
        render_kw={"lang": "en"},
    )
    allow_multiple_booths = BooleanField(_l("Một hợp tác xã được thuê nhiều gian hàng"))
    hold_hours = WholeNumberField(
        _l("Giữ gian hàng trống cho người trong danh sách chờ (giờ)"),
        default=48,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(1, MAX_HOLD_HOURS, _l("Từ 1 đến 720 giờ.")),
        ],
    )

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Ngày bế mạc phải từ ngày khai mạc trở đi."))

    def validate_registration_deadline(self, field):
        if self.starts_on.data and field.data and field.data > self.starts_on.data:
            raise ValidationError(_l("Hạn đăng ký phải trước ngày khai mạc."))


class NewFairForm(FairForm):
    """A new fair is one intent: its one-time token makes one fair of a form sent twice."""

    form_token = form_token_field()


class GridForm(FlaskForm):
    rows = WholeNumberField(
        _l("Số hàng"),
        default=4,
        validators=[InputRequired(REQUIRED), NumberRange(1, 26, _l("Từ 1 đến 26 hàng."))],
    )
    cols = WholeNumberField(
        _l("Số gian mỗi hàng"),
        default=6,
        validators=[InputRequired(REQUIRED), NumberRange(1, 40, _l("Từ 1 đến 40 gian."))],
    )
    pattern = StringField(
        _l("Mẫu mã gian hàng"),
        default="{row}{col}",
        validators=[InputRequired(REQUIRED), at_most(20)],
    )
    zone = StringField(_l("Khu"), default="Nông sản tươi", validators=[Optional(), at_most(80)])
    size = StringField(_l("Kích thước"), default="3 × 3 m", validators=[Optional(), at_most(20)])
    price = WholeNumberField(_l("Giá thuê (đồng)"), default=0, validators=BOOTH_PRICE)


class BoothForm(FlaskForm):
    """One booth on the office's fair page; a field left out keeps the booth's value."""

    zone = StringField(_l("Khu"), validators=[Optional(), at_most(80)])
    size = StringField(_l("Kích thước"), validators=[Optional(), at_most(20)])
    price = WholeNumberField(_l("Giá thuê"), validators=BOOTH_PRICE)
    closed = BooleanField(_l("Không cho thuê"))
