"""Forms of the host's photo page (tourism.photo_views). Messages are Vietnamese msgids."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from core.text import nfc
from tourism.forms import form_token_field
from tourism.photos import ALT_MAX, MAX_PHOTOS

ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


def _text(value):
    return nfc(value).strip() if isinstance(value, str) else value


class PhotoUploadForm(FlaskForm):
    """One or several photos at once; a one-time token, so that a double click adds them once."""

    form_token = form_token_field()
    photos = MultipleFileField(_l("Chọn ảnh"), render_kw={"accept": ACCEPT, "multiple": True})

    def validate_photos(self, field):
        if not self.files():
            raise ValidationError(_l("Hãy chọn ít nhất một ảnh."))
        if len(self.files()) > MAX_PHOTOS:
            raise ValidationError(
                _l("Mỗi lần gửi tối đa %(n)s ảnh.", n=MAX_PHOTOS)  # more can never fit
            )

    def files(self) -> list:
        """The files sent, without the empty part a browser sends when none is chosen."""
        return [f for f in (self.photos.data or []) if getattr(f, "filename", "")]


class PhotoAltForm(FlaskForm):
    """What a photo shows, in words (the alt text read aloud to who cannot see it)."""

    alt = StringField(
        _l("Mô tả ảnh"),
        validators=[
            DataRequired(_l("Hãy viết vài chữ về ảnh, ví dụ “Phòng ngủ có mùng, nhìn ra vườn”.")),
            Length(max=ALT_MAX, message=_l("Tối đa %(max)s ký tự.")),
        ],
        filters=[_text],
    )
    alt_en = StringField(
        _l("Mô tả ảnh bằng tiếng Anh (không bắt buộc)"),
        validators=[Length(max=ALT_MAX, message=_l("Tối đa %(max)s ký tự."))],
        filters=[_text],
    )


class PhotoMoveForm(FlaskForm):
    """Move a photo one place earlier or later, from where the page showed it."""

    direction = HiddenField(validators=[Length(max=4)])
    seen = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_PHOTOS)],
    )

    def validate_direction(self, field):
        if field.data not in ("up", "down"):
            raise ValidationError(_l("Chỉ chuyển ảnh lên hoặc xuống."))

    @property
    def step(self) -> int:
        return -1 if self.direction.data == "up" else 1
