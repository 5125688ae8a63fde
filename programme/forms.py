"""Forms of the OCOP office: a star rating, a training. Both make a new row, so each carries
a one-time token (core.submissions); every field is bounded (core.bounds)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from core import clock
from core.bounds import DayWithinRange
from core.forms import (
    BAD_DATE,
    REQUIRED,
    DayField,
    WholeNumberField,
    at_most,
    form_token_field,
)
from marketplace.labels import COUNCIL_NAMES, CRITERIA_NAMES
from marketplace.ratings import CERTIFIED_MIN_STARS, DEFAULT_CRITERIA, council_for

POINTS = [
    InputRequired(_l("Nhập số điểm (số nguyên).")),
    NumberRange(0, 100, _l("Điểm từ 0 đến 100.")),
]
# A council's decision is recorded once it is made (not ahead), and one of the last ten years
# may still be entered: older certificates (36 months) have long ended.
DECISION_DAYS_BACK = 3653


# The district council recognised 3★ under 148 until the two-level government of 1 July 2025
# (marketplace.ratings.DISTRICT_LEVEL_ENDED); it stays for decisions dated before.
COUNCIL_CHOICES = [
    (k, _l("Hội đồng cấp huyện (đến 30/6/2025)") if k == "district" else _l(v))
    for k, v in COUNCIL_NAMES.items()
]


def _todays_council() -> str:
    """The council that recognises a certificate decided today under the default criteria."""
    return council_for(DEFAULT_CRITERIA, CERTIFIED_MIN_STARS, clock.today())


class RatingForm(FlaskForm):
    form_token = form_token_field()
    criteria = SelectField(
        _l("Bộ tiêu chí"),
        choices=[(k, _l(CRITERIA_NAMES[k])) for k in ("148", "1048")],
        default=DEFAULT_CRITERIA,
    )
    points_a = WholeNumberField(_l("Phần A"), validators=POINTS)
    points_b = WholeNumberField(_l("Phần B"), validators=POINTS)
    points_c = WholeNumberField(_l("Phần C"), validators=POINTS)
    council_level = SelectField(_l("Hội đồng"), choices=COUNCIL_CHOICES, default=_todays_council)
    decision_number = StringField(
        _l("Số quyết định"), validators=[InputRequired(REQUIRED), at_most(60)]
    )
    recognised_on = DayField(
        _l("Ngày quyết định"),
        validators=[
            InputRequired(BAD_DATE),
            DayWithinRange(days_back=DECISION_DAYS_BACK, days_ahead=0),
        ],
    )


class TrainingForm(FlaskForm):
    form_token = form_token_field()
    topic = StringField(_l("Chủ đề"), validators=[InputRequired(REQUIRED), at_most(200)])
    trainer = StringField(_l("Giảng viên"), validators=[InputRequired(REQUIRED), at_most(120)])
    place = StringField(_l("Địa điểm"), validators=[InputRequired(REQUIRED), at_most(200)])
    day = DayField(_l("Ngày"), validators=[InputRequired(BAD_DATE), DayWithinRange()])
    seats = WholeNumberField(
        _l("Số chỗ"),
        validators=[InputRequired(REQUIRED), NumberRange(1, 1000, _l("Từ 1 đến 1000 chỗ."))],
    )


class RecallForm(FlaskForm):
    """The office recalls a lot: the reason its buyers will read."""

    reason = TextAreaField(_l("Lý do thu hồi"), validators=[InputRequired(REQUIRED), at_most(300)])
