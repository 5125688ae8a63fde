"""The booking form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from core.bounds import DayWithinRange
from core.forms import BAD_DATE, REQUIRED, DayField, any_phone
from core.submissions import new_form_token, valid_form_token

FORM_TOKEN_LENGTH = 64  # Booking.form_token, FormSubmission.token


def _valid_or_fresh(token):
    """The form's one-time token as sent, or a fresh one in place of a missing, over-long or
    malformed one (never stored as sent): the form goes ahead as a first submit."""
    return token if isinstance(token, str) and valid_form_token(token) else new_form_token()


def form_token_field():
    """A create form's one-time token (core.submissions): filled in on a fresh form, kept as
    sent when it is one of ours."""
    return HiddenField(
        validators=[Length(max=FORM_TOKEN_LENGTH)], filters=[_valid_or_fresh], default=None
    )


class BookingForm(FlaskForm):
    form_token = form_token_field()
    check_in = DayField(_l("Ngày đến"), validators=[InputRequired(BAD_DATE), DayWithinRange()])
    check_out = DayField(_l("Ngày đi"), validators=[Optional(), DayWithinRange()])
    guests = IntegerField(
        _l("Số khách"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=1, max=200, message=_l("Số khách từ 1 đến 200.")),
        ],
        default=2,
    )
    name = StringField(_l("Họ và tên"), validators=[InputRequired(REQUIRED), Length(max=120)])
    phone = StringField(
        _l("Số điện thoại"), validators=[InputRequired(REQUIRED), Length(max=20), any_phone]
    )
    email = EmailField(
        _l("Email"),
        validators=[
            InputRequired(REQUIRED),
            Email(_l("Địa chỉ email không hợp lệ.")),
            Length(max=254),
        ],
    )
    country = StringField(
        _l("Quốc gia"), validators=[InputRequired(REQUIRED), Length(max=60)], default="Việt Nam"
    )
    note = TextAreaField(_l("Ghi chú cho chủ nhà"), validators=[Optional(), Length(max=500)])
