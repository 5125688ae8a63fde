"""Forms for accounts, and what every area's forms share: the messages, the fields that refuse
bad input in the reader's language, and the one-time token of a create form. Messages are
Vietnamese msgids, translated for the reader."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError

from core import reviews
from core.accounts import MIN_PASSWORD_LENGTH
from core.bounds import INT_MAX
from core.submissions import valid_form_token
from core.text import (
    is_mobile,
    normalise_international_phone,
    normalise_phone,
    parse_whole_number,
)

REQUIRED = _l("Vui lòng điền mục này.")
BAD_DATE = _l("Ngày không hợp lệ.")
NOT_A_WHOLE_NUMBER = _l("Vui lòng nhập một số nguyên, ví dụ 48.")
TOO_LONG = _l("Tối đa %(max)d ký tự.")
# A create form whose one-time token is missing or malformed (a page kept open from before,
# a tampered form): nothing is made, the form is shown again with a fresh token.
STALE_FORM = _l("Biểu mẫu đã cũ nên chưa được lưu. Vui lòng kiểm tra lại rồi gửi lần nữa.")
PASSWORD_MAX = 200
TOKEN_MAX = 64


def at_most(length: int) -> Length:
    """Text no longer than its column, refused in the reader's language."""
    return Length(max=length, message=TOO_LONG)


# What a password typed to compare is: required, and no longer than any password can be.
TYPED_PASSWORD = [InputRequired(REQUIRED), at_most(PASSWORD_MAX)]
PHONE = [Optional(), at_most(20)]
# An account's email being typed: at registration and to ask for a forgotten password.
EMAIL = [
    InputRequired(REQUIRED),
    Email(_l("Địa chỉ email không hợp lệ."), check_deliverability=False),
    at_most(254),
]


# Every phone field of the site is read by core.text.normalise_phone (abroad too: booking
# guests, through normalise_international_phone); these are its messages.
NOT_A_PHONE = _l(
    "Số điện thoại chưa đúng: số di động có 10 chữ số (0912 345 678), số máy bàn có 11 chữ "
    "số (0293 3876 543); có thể bắt đầu bằng +84 hoặc 84."
)
NOT_A_MOBILE = _l("Zalo cần số di động 10 chữ số (0912 345 678), không phải số máy bàn.")
NOT_ANY_PHONE = _l(
    "Số điện thoại chưa đúng: số Việt Nam (0912 345 678, 0293 3876 543) hoặc số nước ngoài "
    "bắt đầu bằng + và mã nước (+49 151 23456789)."
)


def vietnamese_phone(_form, field):
    """A Vietnamese mobile or landline, as people type it (core.text.normalise_phone)."""
    if field.data and normalise_phone(field.data) is None:
        raise ValidationError(NOT_A_PHONE)


def vietnamese_mobile(_form, field):
    """A Vietnamese mobile number (Zalo's, which a landline cannot have)."""
    vietnamese_phone(_form, field)
    if field.data and not is_mobile(normalise_phone(field.data)):
        raise ValidationError(NOT_A_MOBILE)


def any_phone(_form, field):
    """A Vietnamese number, or one from abroad with its country code (a booking's guest)."""
    if field.data and normalise_international_phone(field.data) is None:
        raise ValidationError(NOT_ANY_PHONE)


class DayField(DateField):
    """A date (yyyy-mm-dd, as date inputs send it); anything else is refused in the reader's
    language. Bound it with core.bounds.DayWithinRange."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(BAD_DATE) from None


class WholeNumberField(IntegerField):
    """A whole number, also as people type it ('1.500.000'); anything else is refused in the
    reader's language. Bound it with NumberRange inside core.bounds.INT_MAX."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = (valuelist[0] or "").strip()
        self.data = None
        if not text:
            return
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        if digits.isascii() and digits.isdigit():
            # Longer than any number a form allows: past every range, without a slow int().
            magnitude = int(digits) if len(digits) <= 12 else INT_MAX + 1
            self.data = -magnitude if sign else magnitude
            return
        number = parse_whole_number(text)
        if number is None:
            raise ValueError(NOT_A_WHOLE_NUMBER)
        self.data = number


def _one_time_token(_form, field):
    if not valid_form_token(field.data):
        raise ValidationError(STALE_FORM)


def form_token_field(*, required: bool = True) -> HiddenField:
    """The hidden one-time token of a create form (core.submissions): filled with
    new_form_token() when the form is shown; required, a form without a well-formed one is
    refused with STALE_FORM and makes nothing."""
    checks = [Length(max=TOKEN_MAX, message=STALE_FORM)]
    return HiddenField(validators=[*checks, _one_time_token] if required else checks)


# What a password being chosen must be: at registration and when it is changed.
NEW_PASSWORD = [
    InputRequired(REQUIRED),
    Length(
        min=MIN_PASSWORD_LENGTH,
        message=_l("Mật khẩu cần ít nhất %(n)s ký tự.", n=MIN_PASSWORD_LENGTH),
    ),
    Length(
        max=PASSWORD_MAX,
        message=_l("Mật khẩu dài tối đa %(most)s ký tự.", most=PASSWORD_MAX),
    ),
]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(REQUIRED), at_most(254)])
    password = PasswordField(_l("Mật khẩu"), validators=TYPED_PASSWORD)
    remember = BooleanField(_l("Ghi nhớ đăng nhập"))


class RegisterForm(FlaskForm):
    account_type = RadioField(
        _l("Loại tài khoản"),
        choices=[("buyer", _l("Người mua")), ("cooperative", _l("Hợp tác xã / cơ sở sản xuất"))],
        default="buyer",
        validators=[InputRequired(REQUIRED)],
    )
    name = StringField(_l("Họ và tên"), validators=[InputRequired(REQUIRED), at_most(120)])
    email = EmailField(_l("Email"), validators=EMAIL)
    # The email's uniqueness already makes one account of a form sent twice; the token lets
    # the repeat answer as the first did (core.accounts.register_account). Not required: a
    # page without one registers as before.
    form_token = form_token_field(required=False)
    phone = StringField(_l("Số điện thoại"), validators=[*PHONE, vietnamese_phone])
    password = PasswordField(_l("Mật khẩu"), validators=NEW_PASSWORD)
    password_confirm = PasswordField(
        _l("Nhập lại mật khẩu"),
        validators=[*TYPED_PASSWORD, EqualTo("password", _l("Hai mật khẩu không khớp."))],
    )
    cooperative_name = StringField(_l("Tên hợp tác xã / cơ sở"), validators=[at_most(160)])
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


class NewPasswordForm(FlaskForm):
    """A new password, typed twice: set through a mailed reset link, and (with the current
    one, PasswordForm) when it is changed."""

    new = PasswordField(_l("Mật khẩu mới"), validators=NEW_PASSWORD)
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[*TYPED_PASSWORD, EqualTo("new", _l("Hai mật khẩu không khớp."))],
    )


class PasswordForm(NewPasswordForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=TYPED_PASSWORD)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ForgotPasswordForm(FlaskForm):
    """The email of an account whose password was forgotten (a phone's keyboard often adds a
    space after it)."""

    email = EmailField(_l("Email"), validators=EMAIL, filters=[_strip])


# --- reviews (core.reviews): the buyer's or guest's review, the reply, the office's reason ---

REVIEW_PHOTO_TYPES = "image/jpeg,image/png,image/webp,image/gif"


class ReviewForm(FlaskForm):
    """Stars (required), text (optional, at least TEXT_MIN characters when given), photos."""

    stars = RadioField(
        _l("Số sao"),
        choices=[(str(n), str(n)) for n in range(5, 0, -1)],
        validators=[InputRequired(_l("Hãy chọn từ 1 đến 5 sao."))],
    )
    body = TextAreaField(
        _l("Nhận xét (không bắt buộc)"),
        validators=[Optional(), at_most(reviews.TEXT_MAX)],
        filters=[_strip],
    )
    photos = MultipleFileField(
        _l("Ảnh (tối đa 3)"), render_kw={"accept": REVIEW_PHOTO_TYPES, "multiple": True}
    )

    def validate_body(self, field):
        if field.data and len(field.data) < reviews.TEXT_MIN:
            raise ValidationError(reviews.TextTooShort.message)

    def validate_photos(self, _field):
        if len(self.files()) > reviews.MAX_PHOTOS:
            raise ValidationError(reviews.TooManyPhotos.message)

    def files(self) -> list:
        """The files sent, without the empty part a browser sends when none is chosen."""
        return [f for f in (self.photos.data or []) if getattr(f, "filename", "")]


class ReplyForm(FlaskForm):
    reply = TextAreaField(
        _l("Trả lời"),
        validators=[InputRequired(REQUIRED), at_most(reviews.REPLY_MAX)],
        filters=[_strip],
    )


class HideReviewForm(FlaskForm):
    reason = StringField(_l("Lý do ẩn"), validators=[Optional(), at_most(reviews.REASON_MAX)])
