"""Forms of the cooperative's products (its shop's product pages). Messages are Vietnamese
msgids, translated when shown."""

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from core.bounds import INT_MAX, TypedLength
from core.forms import REQUIRED
from core.text import parse_whole_number, whole_number
from marketplace.gs1 import normalise_gtin
from marketplace.labels import GROUP_NAMES, UNIT_NAMES
from marketplace.models import OCOP_GROUPS
from marketplace.products import MAX_PRICE, MAX_STOCK, ProductData


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class WholeNumberField(StringField):
    """A whole number typed as people type it ('150.000'); shows back exactly what was typed."""

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = parse_whole_number(valuelist[0])

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        # Grouped as the reader writes numbers: 150.000 (vi), 150,000 (en); both read back.
        return "" if self.data is None else format_decimal(self.data)


# "1.000.000.000 đồng" with room for spaces: longer is no price nor stock anyone types.
TYPED_NUMBER_LENGTH = 24
INVALID_PRICE = _l("Giá phải là số nguyên, tính bằng đồng, ví dụ 150000 hoặc 150.000.")
INVALID_STOCK = _l("Tồn kho phải là số nguyên, ví dụ 0, 25 hoặc 1.000.")
STALE_STOCK = _l(
    "Không rõ tồn kho lúc bạn mở trang. Chưa lưu gì; hãy kiểm tra lại số tồn kho rồi bấm lưu."
)

# 14 digits and the spaces or dashes people type between groups of them.
GTIN_TYPED_LENGTH = 24
INVALID_GTIN = _l(
    "Mã GTIN gồm 8, 12, 13 hoặc 14 chữ số, chữ số cuối là số kiểm tra; hãy xem lại các số in "
    "dưới mã vạch."
)
GTIN_TAKEN = _l("Mã GTIN này đã dùng cho một sản phẩm khác. Mỗi sản phẩm có một mã GTIN riêng.")


class NumberBetween:
    def __init__(self, minimum: int, maximum: int, invalid, out_of_range):
        self.minimum, self.maximum = minimum, maximum
        self.invalid, self.out_of_range = invalid, out_of_range

    def __call__(self, _form, field):
        if field.data is None:
            raise ValidationError(self.invalid)
        if not self.minimum <= field.data <= self.maximum:
            raise ValidationError(self.out_of_range)


def _price_field():
    return WholeNumberField(
        _l("Giá bán (đồng)"),
        validators=[
            InputRequired(REQUIRED),
            TypedLength(max=TYPED_NUMBER_LENGTH, message=INVALID_PRICE),
            NumberBetween(
                1, MAX_PRICE, INVALID_PRICE, _l("Giá phải lớn hơn 0 và không quá 1 tỷ đồng.")
            ),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


def _stock_field():
    return WholeNumberField(
        _l("Tồn kho"),
        validators=[
            InputRequired(REQUIRED),
            TypedLength(max=TYPED_NUMBER_LENGTH, message=INVALID_STOCK),
            NumberBetween(0, MAX_STOCK, INVALID_STOCK, _l("Tồn kho từ 0 đến 1.000.000.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


def _stock_seen_field():
    """The stock the form showed (hidden): a whole number within INTEGER, or nothing."""
    return HiddenField(validators=[Optional(), Length(max=len(str(INT_MAX)), message=STALE_STOCK)])


class _StockSeen:
    """A form with stock_seen: a stock_seen that is no stock (a tampered or broken page) is
    told on the stock field, where the person sees it; the route then shows the stock as it
    is now, and the next save goes through."""

    def validate_stock_seen(self, field):
        if not field.errors and (field.data or "").strip() and seen_stock(field) is None:
            raise ValidationError(STALE_STOCK)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.stock_seen.errors:
            self.stock.errors = [*self.stock.errors, STALE_STOCK]
        return valid


class ProductForm(_StockSeen, FlaskForm):
    name = StringField(
        _l("Tên sản phẩm"),
        validators=[
            InputRequired(REQUIRED),
            Length(max=160, message=_l("Tên tối đa %(max)s ký tự.")),
        ],
        filters=[_strip],
    )
    name_en = StringField(
        _l("Tên tiếng Anh (không bắt buộc)"),
        validators=[Optional(), Length(max=160, message=_l("Tên tối đa %(max)s ký tự."))],
        filters=[_strip],
    )
    group = SelectField(
        _l("Nhóm sản phẩm OCOP"),
        choices=[("", _l("— Chọn —"))] + [(g, _l(GROUP_NAMES[g])) for g in OCOP_GROUPS],
        validate_choice=False,
    )
    description = TextAreaField(
        _l("Mô tả"),
        validators=[Optional(), Length(max=5000, message=_l("Mô tả tối đa %(max)s ký tự."))],
        filters=[_strip],
        render_kw={"rows": 6},
    )
    description_en = TextAreaField(
        _l("Mô tả tiếng Anh (không bắt buộc)"),
        validators=[Optional(), Length(max=5000, message=_l("Mô tả tối đa %(max)s ký tự."))],
        filters=[_strip],
        render_kw={"rows": 6, "lang": "en"},
    )
    unit = SelectField(
        _l("Đơn vị tính"),
        choices=[("", _l("— Chọn —"))] + [(u, _l(name)) for u, name in UNIT_NAMES.items()],
        validate_choice=False,
    )
    price = _price_field()
    stock = _stock_field()
    stock_seen = _stock_seen_field()
    certifications = StringField(
        _l("Chứng nhận"),
        validators=[Optional(), Length(max=200, message=_l("Tối đa %(max)s ký tự."))],
        filters=[_strip],
    )
    gtin = StringField(
        _l("Mã GTIN (mã vạch)"),
        validators=[
            Optional(),
            Length(max=GTIN_TYPED_LENGTH, message=INVALID_GTIN),
        ],
        filters=[_strip],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    picture = FileField(
        _l("Thêm ảnh sản phẩm"),
        render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"},
    )

    def validate_group(self, field):
        if field.data not in OCOP_GROUPS:
            raise ValidationError(_l("Vui lòng chọn nhóm sản phẩm."))

    def validate_gtin(self, field):
        if field.data and normalise_gtin(field.data) is None:
            raise ValidationError(INVALID_GTIN)

    def validate_unit(self, field):
        if field.data not in UNIT_NAMES:
            raise ValidationError(_l("Vui lòng chọn đơn vị tính."))

    def product_data(self) -> ProductData:
        return ProductData(
            name=self.name.data,
            group=self.group.data,
            description=self.description.data or "",
            unit=self.unit.data,
            price=self.price.data,
            stock=self.stock.data,
            certifications=self.certifications.data or "",
            name_en=self.name_en.data or "",
            description_en=self.description_en.data or "",
            gtin=normalise_gtin(self.gtin.data or ""),
        )


class NewProductForm(ProductForm):
    """The new-product form: its one-time token (core.submissions) makes a form sent twice
    one product."""

    form_token = HiddenField(validators=[Length(max=64)])


class InlineForm(_StockSeen, FlaskForm):
    """Price and stock, edited in place on the products list."""

    price = _price_field()
    stock = _stock_field()
    stock_seen = _stock_seen_field()

    def for_row(self, product_id: int) -> "InlineForm":
        """Ids unique on a page that holds one such form per product."""
        for field in (self.price, self.stock):
            field.id = f"{field.name}-{product_id}"
            field.label.field_id = field.id
        return self


def seen_stock(field) -> int | None:
    """The stock the form showed, or None if the form did not say (then no check is made)."""
    value = whole_number((field.data or "").strip(), max_digits=len(str(INT_MAX)))
    return value if value is not None and value <= INT_MAX else None
