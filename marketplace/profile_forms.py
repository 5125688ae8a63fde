"""The form of the shop profile (/dashboard/profile). Messages are Vietnamese msgids,
translated when shown."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from core.forms import PASSWORD_MAX, PHONE, REQUIRED, at_most, vietnamese_mobile, vietnamese_phone
from marketplace.profile import (
    ACCOUNT_DIGITS,
    HOLDER_PATTERN,
    BankAccount,
    ShopDetails,
    account_number,
    holder_name,
    is_account_number,
)
from payments.banks import bank_of, by_short_name


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class TypedField(StringField):
    """Text kept as its filter makes it (an account number without spaces, a holder in
    capitals) and shown back exactly as it was typed when the form has to be corrected."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return super()._value()


class ProfileForm(FlaskForm):
    story = TextAreaField(
        _l("Câu chuyện của cửa hàng"),
        validators=[Optional(), at_most(5000)],
        filters=[_strip],
        render_kw={"rows": 6},
    )
    story_en = TextAreaField(
        _l("Câu chuyện (tiếng Anh, không bắt buộc)"),
        validators=[Optional(), at_most(5000)],
        filters=[_strip],
        render_kw={"rows": 6, "lang": "en"},
    )
    brand = StringField(
        _l("Nhãn hiệu đã đăng ký (không bắt buộc)"),
        validators=[Optional(), at_most(120)],
        filters=[_strip],
    )
    logo = FileField(_l("Logo"), render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"})
    remove_logo = BooleanField(_l("Bỏ logo hiện tại"))
    pickup_address = StringField(
        _l("Địa chỉ nhận hàng tại chỗ"),
        validators=[Optional(), at_most(255)],
        filters=[_strip],
    )
    phone = StringField(
        _l("Số điện thoại"),
        validators=[InputRequired(REQUIRED), at_most(20), vietnamese_phone],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    zalo_phone = StringField(
        _l("Số Zalo"),
        validators=[*PHONE, vietnamese_mobile],
        render_kw={"inputmode": "tel"},
    )
    bank_bin = SelectField(_l("Ngân hàng"), choices=[], validate_choice=False)
    bank_account = TypedField(
        _l("Số tài khoản"),
        validators=[Optional(), at_most(40)],
        filters=[account_number],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    bank_account_name = TypedField(
        _l("Tên chủ tài khoản"),
        validators=[Optional(), at_most(120)],
        filters=[holder_name],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    password = PasswordField(
        _l("Mật khẩu hiện tại"),
        validators=[Optional(), at_most(PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )

    def __init__(self, *args, cooperative=None, **kwargs):
        super().__init__(*args, obj=cooperative, **kwargs)
        choices = [("", _l("— Chưa có: chỉ nhận thanh toán khi nhận hàng —"))]
        choices += [(bank.bin, bank.label) for bank in by_short_name()]
        stored = cooperative.bank_bin if cooperative is not None else None
        if stored and bank_of(stored) is None:
            choices.append((stored, stored))  # a bank no longer in the list stays as it is
        self.bank_bin.choices = choices
        self._stored_bin = stored

    def validate_bank_bin(self, field):
        if field.data and bank_of(field.data) is None and field.data != self._stored_bin:
            raise ValidationError(_l("Vui lòng chọn ngân hàng trong danh sách."))

    def validate_bank_account(self, field):
        if field.data and not is_account_number(field.data):
            low, high = ACCOUNT_DIGITS
            raise ValidationError(
                _l("Số tài khoản chỉ gồm chữ số, từ %(low)s đến %(high)s số.", low=low, high=high)
            )

    def validate_bank_account_name(self, field):
        if field.data and not HOLDER_PATTERN.fullmatch(field.data):
            raise ValidationError(
                _l("Tên chủ tài khoản chỉ gồm chữ cái, chữ số và khoảng trắng, như ngân hàng in.")
            )

    def validate(self, extra_validators=None) -> bool:
        """The three bank fields go together: all filled, or all empty (no transfers)."""
        ok = super().validate(extra_validators)
        fields = (self.bank_bin, self.bank_account, self.bank_account_name)
        if not any(field.data for field in fields):
            return ok
        missing = {
            self.bank_bin: _l("Vui lòng chọn ngân hàng."),
            self.bank_account: _l("Vui lòng nhập số tài khoản."),
            self.bank_account_name: _l("Vui lòng nhập tên chủ tài khoản."),
        }
        for field in fields:
            if not field.data and not field.errors:
                field.errors.append(missing[field])
                ok = False
        return ok

    def details(self) -> ShopDetails:
        return ShopDetails(
            story=self.story.data or "",
            story_en=self.story_en.data or "",
            pickup_address=self.pickup_address.data or "",
            brand=self.brand.data or "",
            phone=self.phone.data or "",
            zalo_phone=self.zalo_phone.data or "",
        )

    def bank(self) -> BankAccount:
        return BankAccount(
            self.bank_bin.data or "",
            self.bank_account.data or "",
            self.bank_account_name.data or "",
        )
