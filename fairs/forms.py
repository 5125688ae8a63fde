"""Forms of trade fairs: a cooperative's booth request; the office's fair and grid."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import REQUIRED, vietnamese_phone


class ProductChoices(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BoothRequestForm(FlaskForm):
    products = ProductChoices(_l("Sản phẩm sẽ trưng bày"), coerce=int, validate_choice=False)
    contact_person = StringField(
        _l("Người phụ trách gian hàng"), validators=[InputRequired(REQUIRED), Length(max=120)]
    )
    contact_phone = StringField(
        _l("Số điện thoại"), validators=[InputRequired(REQUIRED), vietnamese_phone]
    )
    note = TextAreaField(_l("Ghi chú cho ban tổ chức"), validators=[Optional(), Length(max=500)])

    def validate_products(self, field):
        allowed = {value for value, _label in self.products.choices}
        if not field.data:
            raise ValidationError(_l("Hãy chọn ít nhất một sản phẩm sẽ trưng bày."))
        if not set(field.data) <= allowed:
            raise ValidationError(_l("Chỉ chọn sản phẩm của hợp tác xã bạn."))


class FairForm(FlaskForm):
    name = StringField(_l("Tên hội chợ"), validators=[InputRequired(REQUIRED), Length(max=200)])
    venue = StringField(_l("Địa điểm"), validators=[InputRequired(REQUIRED), Length(max=200)])
    address = StringField(_l("Địa chỉ"), validators=[InputRequired(REQUIRED), Length(max=255)])
    starts_on = DateField(_l("Ngày khai mạc"), validators=[InputRequired(_l("Ngày không hợp lệ."))])
    ends_on = DateField(_l("Ngày bế mạc"), validators=[InputRequired(_l("Ngày không hợp lệ."))])
    registration_deadline = DateField(
        _l("Hạn đăng ký gian hàng"), validators=[InputRequired(_l("Ngày không hợp lệ."))]
    )
    description = TextAreaField(_l("Giới thiệu"), validators=[Optional(), Length(max=4000)])
    allow_multiple_booths = BooleanField(_l("Một hợp tác xã được thuê nhiều gian hàng"))
    hold_hours = IntegerField(
        _l("Giữ gian hàng trống cho người trong danh sách chờ (giờ)"),
        default=48,
        validators=[InputRequired(REQUIRED), NumberRange(min=1, max=720)],
    )

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Ngày bế mạc phải từ ngày khai mạc trở đi."))

    def validate_registration_deadline(self, field):
        if self.starts_on.data and field.data and field.data > self.starts_on.data:
            raise ValidationError(_l("Hạn đăng ký phải trước ngày khai mạc."))


class GridForm(FlaskForm):
    rows = IntegerField(
        _l("Số hàng"), default=4, validators=[InputRequired(REQUIRED), NumberRange(1, 26)]
    )
    cols = IntegerField(
        _l("Số gian mỗi hàng"), default=6, validators=[InputRequired(REQUIRED), NumberRange(1, 40)]
    )
    pattern = StringField(
        _l("Mẫu mã gian hàng"),
        default="{row}{col}",
        validators=[InputRequired(REQUIRED), Length(max=20)],
    )
    zone = StringField(_l("Khu"), default="Nông sản tươi", validators=[Optional(), Length(max=80)])
    size = StringField(_l("Kích thước"), default="3 × 3 m", validators=[Optional(), Length(max=20)])
    price = IntegerField(
        _l("Giá thuê (đồng)"),
        default=0,
        validators=[InputRequired(REQUIRED), NumberRange(0, 1_000_000_000)],
    )
