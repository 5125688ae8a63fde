"""Forms of the OCOP office: a star rating, a training."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from core.forms import REQUIRED
from marketplace.labels import COUNCIL_NAMES, CRITERIA_NAMES

BAD_DATE = _l("Ngày không hợp lệ.")
POINTS = [
    InputRequired(_l("Nhập số điểm (số nguyên).")),
    NumberRange(0, 100, _l("Điểm từ 0 đến 100.")),
]


class RatingForm(FlaskForm):
    criteria = SelectField(
        _l("Bộ tiêu chí"), choices=[(k, _l(v)) for k, v in CRITERIA_NAMES.items()]
    )
    points_a = IntegerField(_l("Phần A"), validators=POINTS)
    points_b = IntegerField(_l("Phần B"), validators=POINTS)
    points_c = IntegerField(_l("Phần C"), validators=POINTS)
    council_level = SelectField(
        _l("Hội đồng"), choices=[(k, _l(v)) for k, v in COUNCIL_NAMES.items()]
    )
    decision_number = StringField(
        _l("Số quyết định"), validators=[InputRequired(REQUIRED), Length(max=60)]
    )
    recognised_on = DateField(_l("Ngày quyết định"), validators=[InputRequired(BAD_DATE)])


class TrainingForm(FlaskForm):
    topic = StringField(_l("Chủ đề"), validators=[InputRequired(REQUIRED), Length(max=200)])
    trainer = StringField(_l("Giảng viên"), validators=[InputRequired(REQUIRED), Length(max=120)])
    place = StringField(_l("Địa điểm"), validators=[InputRequired(REQUIRED), Length(max=200)])
    day = DateField(_l("Ngày"), validators=[InputRequired(BAD_DATE)])
    seats = IntegerField(
        _l("Số chỗ"),
        validators=[InputRequired(REQUIRED), NumberRange(1, 1000, _l("Từ 1 đến 1000 chỗ."))],
    )
