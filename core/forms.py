"""Forms for accounts. Messages are Vietnamese msgids, translated for the reader."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError

from core.accounts import MIN_PASSWORD_LENGTH
from core.text import normalise_phone

REQUIRED = _l("Vui lòng điền mục này.")
PASSWORD_MAX = 200
# What a password typed to compare is: required, and no longer than any password can be.
TYPED_PASSWORD = [InputRequired(REQUIRED), Length(max=PASSWORD_MAX)]
PHONE = [Optional(), Length(max=20)]


def vietnamese_phone(_form, field):
    if field.data and normalise_phone(field.data) is None:
        raise ValidationError(
            _l("Số điện thoại gồm 10 chữ số bắt đầu bằng 0, hoặc +84 và 9 chữ số.")
        )


# What a password being chosen must be: at registration and when it is changed.
NEW_PASSWORD = [
    InputRequired(REQUIRED),
    Length(
        min=MIN_PASSWORD_LENGTH,
        max=PASSWORD_MAX,
        message=_l(
            "Mật khẩu cần từ %(n)s đến %(most)s ký tự.", n=MIN_PASSWORD_LENGTH, most=PASSWORD_MAX
        ),
    ),
]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(REQUIRED), Length(max=254)])
    password = PasswordField(
        _l("Mật khẩu"), validators=[InputRequired(REQUIRED), Length(max=PASSWORD_MAX)]
    )
    remember = BooleanField(_l("Ghi nhớ đăng nhập"))


class RegisterForm(FlaskForm):
    account_type = RadioField(
        _l("Loại tài khoản"),
        choices=[("buyer", _l("Người mua")), ("cooperative", _l("Hợp tác xã / cơ sở sản xuất"))],
        default="buyer",
        validators=[InputRequired(REQUIRED)],
    )
    name = StringField(_l("Họ và tên"), validators=[InputRequired(REQUIRED), Length(max=120)])
    email = EmailField(
        _l("Email"),
        validators=[
            InputRequired(REQUIRED),
            Email(_l("Địa chỉ email không hợp lệ."), check_deliverability=False),
            Length(max=254),
        ],
    )
    form_token = HiddenField(validators=[Length(max=64)])
    phone = StringField(_l("Số điện thoại"), validators=[*PHONE, vietnamese_phone])
    password = PasswordField(_l("Mật khẩu"), validators=NEW_PASSWORD)
    password_confirm = PasswordField(
        _l("Nhập lại mật khẩu"),
        validators=[*TYPED_PASSWORD, EqualTo("password", _l("Hai mật khẩu không khớp."))],
    )
    cooperative_name = StringField(_l("Tên hợp tác xã / cơ sở"), validators=[Length(max=160)])
    cooperative_kind = SelectField(_l("Loại hình"), choices=[], validate_choice=False)
    district_id = SelectField(_l("Huyện / thành phố"), choices=[], validate_choice=False)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.account_type.data != "cooperative":
            return ok
        if not (self.cooperative_name.data or "").strip():
            self.cooperative_name.errors.append(REQUIRED)
            ok = False
        if self.cooperative_kind.data not in dict(self.cooperative_kind.choices):
            self.cooperative_kind.errors.append(_l("Vui lòng chọn loại hình."))
            ok = False
        if self.district_id.data not in {str(v) for v, _ in self.district_id.choices}:
            self.district_id.errors.append(_l("Vui lòng chọn huyện / thành phố."))
            ok = False
        if not self.phone.data:
            self.phone.errors.append(REQUIRED)
            ok = False
        return ok


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=TYPED_PASSWORD)
    new = PasswordField(_l("Mật khẩu mới"), validators=NEW_PASSWORD)
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[*TYPED_PASSWORD, EqualTo("new", _l("Hai mật khẩu không khớp."))],
    )
