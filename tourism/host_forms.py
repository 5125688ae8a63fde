"""Forms of the host's tourism pages. Messages are Vietnamese msgids, translated when shown."""

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from core.bounds import INT_MAX, DayWithinRange, TypedLength
from core.forms import REQUIRED, DayField, vietnamese_mobile, vietnamese_phone
from core.text import nfc, normalise_phone, parse_whole_number
from tourism import deposits, practical
from tourism.forms import form_token_field
from tourism.labels import DEPOSIT_KIND_NAMES, KIND_NAMES
from tourism.models import LISTING_KINDS

MAX_PRICE = 100_000_000
MAX_CAPACITY = 1_000
MAX_GUESTS = 200
MAX_DURATION = 24 * 60
MAX_FREE_CANCEL_DAYS = 60
BAD_TIME = _l("Giờ không hợp lệ, ví dụ 07:30.")
BOTH_COORDINATES = _l("Điền cả vĩ độ và kinh độ, hoặc để trống cả hai.")


def _text(value):
    return nfc(value).strip() if isinstance(value, str) else value


class WholeNumberField(StringField):
    """A whole number typed as people type it ('500.000'); shows back exactly what was typed."""

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = parse_whole_number(valuelist[0]) if valuelist[0].strip() else None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format_decimal(self.data)


TYPED_NUMBER_LENGTH = 30  # "100.000.000 đồng" and then some


class Between:
    """A whole number from minimum to maximum; empty passes only when the field is optional."""

    def __init__(self, minimum: int, maximum: int, message, *, optional: bool = False):
        self.minimum, self.maximum, self.message = minimum, maximum, message
        self.optional = optional

    def __call__(self, _form, field):
        typed = (field.raw_data[0] if field.raw_data else "").strip()
        if not typed:
            if self.optional:
                field.data = None
                raise StopValidation()
            raise StopValidation(REQUIRED)
        if field.data is None or not self.minimum <= field.data <= self.maximum:
            raise ValidationError(self.message)


def _number(label, minimum, maximum, message, *, optional=False, **kwargs):
    """A whole number from minimum to maximum (inside PostgreSQL's INTEGER)."""
    assert -INT_MAX - 1 <= minimum <= maximum <= INT_MAX
    return WholeNumberField(
        label,
        validators=[
            TypedLength(max=TYPED_NUMBER_LENGTH, message=message),
            Between(minimum, maximum, message, optional=optional),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
        **kwargs,
    )


class ClockField(TimeField):
    """A time of day whose parse error is ours, in the reader's language."""

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(BAD_TIME) from None


class DepositNumber:
    """A deposit's number counts only when deposits can be taken (the host gave a bank
    account) and, for the share and the amount, when its kind is the one chosen: otherwise
    it is ignored, whatever was typed. When it counts, it is needed."""

    def __init__(self, message, *, kind: str | None = None):
        self.message, self.kind = message, kind

    def __call__(self, form, field):
        counts = getattr(form, "deposits_allowed", True) and (
            self.kind is None or form.deposit_kind.data == self.kind
        )
        if not counts:
            field.errors[:] = []
            raise StopValidation()
        if not (field.raw_data[0] if field.raw_data else "").strip():
            raise StopValidation(self.message)


def _deposit_number(label, minimum, maximum, message, *, kind=None, **kwargs):
    return WholeNumberField(
        label,
        validators=[
            DepositNumber(message, kind=kind),
            TypedLength(max=TYPED_NUMBER_LENGTH, message=message),
            Between(minimum, maximum, message),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
        **kwargs,
    )


COORDINATE_LENGTH = 20  # "105.4712345" and room for spaces


class CoordinateField(StringField):
    """Degrees as a decimal number, with a point or a comma ("9.7812" or "9,7812"); shows
    back what was typed. Bound it with Length and Degrees."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = float(valuelist[0].strip().replace(",", "."))
            except ValueError:
                self.data = None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:.6f}".rstrip("0").rstrip(".")


class Degrees:
    """Empty, or a number of degrees inside Vietnam's range (tourism.practical)."""

    def __init__(self, limits: tuple[float, float], message):
        self.limits, self.message = limits, message

    def __call__(self, _form, field):
        typed = (field.raw_data[0] if field.raw_data else "").strip()
        if not typed:
            field.data = None
            raise StopValidation()
        low, high = self.limits
        if field.data is None or not low <= field.data <= high:
            raise ValidationError(self.message)


def _coordinate(label, limits, message):
    return CoordinateField(
        label,
        validators=[
            TypedLength(max=COORDINATE_LENGTH, message=message),
            Degrees(limits, message),
        ],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


def _phone(label, check):
    return StringField(
        label,
        validators=[Optional(), Length(max=20, message=_l("Tối đa %(max)s ký tự.")), check],
        filters=[_text],
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "off"},
    )


def _long_text(label, maximum=2000, rows=3):
    return TextAreaField(
        label,
        validators=[Optional(), Length(max=maximum, message=_l("Tối đa %(max)s ký tự."))],
        filters=[_text],
        render_kw={"rows": rows},
    )


class ListingForm(FlaskForm):
    kind = SelectField(
        _l("Loại hình"),
        choices=[(kind, _l(KIND_NAMES[kind])) for kind in LISTING_KINDS],
        validate_choice=False,
    )
    title = StringField(
        _l("Tên (tiếng Việt)"),
        validators=[DataRequired(REQUIRED), Length(max=160, message=_l("Tối đa %(max)s ký tự."))],
        filters=[_text],
    )
    title_en = StringField(
        _l("Tên tiếng Anh (không bắt buộc)"),
        validators=[Optional(), Length(max=160, message=_l("Tối đa %(max)s ký tự."))],
        filters=[_text],
    )
    description = TextAreaField(
        _l("Mô tả (tiếng Việt)"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=5000, message=_l("Tối đa %(max)s ký tự.")),
        ],
        filters=[_text],
        render_kw={"rows": 6},
    )
    description_en = _long_text(_l("Mô tả tiếng Anh (không bắt buộc)"), 5000, 6)
    price = _number(
        _l("Giá (đồng)"),
        1,
        MAX_PRICE,
        _l(
            "Giá là số nguyên lớn hơn 0, tính bằng đồng, không quá 100 triệu; ví dụ 500000 hoặc 500.000."
        ),
    )
    capacity = _number(
        _l("Sức chứa"),
        1,
        MAX_CAPACITY,
        _l("Sức chứa là số nguyên từ 1 đến 1.000."),
    )
    max_guests = _number(
        _l("Số khách tối đa"),
        1,
        MAX_GUESTS,
        _l("Số khách tối đa là số nguyên từ 1 đến 200."),
    )
    start_time = ClockField(_l("Giờ khởi hành"))
    duration_minutes = _number(
        _l("Thời lượng (phút)"),
        15,
        MAX_DURATION,
        _l("Thời lượng là số phút từ 15 đến 1.440 (24 giờ)."),
        optional=True,
    )
    meeting_point = StringField(
        _l("Điểm hẹn"),
        validators=[Length(max=255, message=_l("Tối đa %(max)s ký tự."))],
        filters=[_text],
    )
    meeting_point_en = StringField(
        _l("Điểm hẹn (tiếng Anh, không bắt buộc)"),
        validators=[Optional(), Length(max=255, message=_l("Tối đa %(max)s ký tự."))],
        filters=[_text],
    )
    included = _long_text(_l("Đã gồm (tiếng Việt)"))
    included_en = _long_text(_l("Đã gồm (tiếng Anh)"))
    what_to_bring = _long_text(_l("Nên mang theo (tiếng Việt)"))
    what_to_bring_en = _long_text(_l("Nên mang theo (tiếng Anh)"))
    languages = StringField(
        _l("Ngôn ngữ hướng dẫn"),
        validators=[DataRequired(REQUIRED), Length(max=120, message=_l("Tối đa %(max)s ký tự."))],
        filters=[_text],
        default="Tiếng Việt",
    )
    # What the guest reads on the booking page, the mails and the calendar file
    # (tourism.practical): the block "Thông tin cho khách" of the form.
    address = StringField(
        _l("Địa chỉ đầy đủ"),
        validators=[Optional(), Length(max=255, message=_l("Tối đa %(max)s ký tự."))],
        filters=[_text],
    )
    latitude = _coordinate(
        _l("Vĩ độ"),
        practical.LATITUDE_RANGE,
        _l("Vĩ độ là số độ trong khoảng 8 đến 23,5 (Việt Nam), ví dụ 9,7812."),
    )
    longitude = _coordinate(
        _l("Kinh độ"),
        practical.LONGITUDE_RANGE,
        _l("Kinh độ là số độ trong khoảng 102 đến 118 (Việt Nam), ví dụ 105,4712."),
    )
    contact_phone = _phone(_l("Điện thoại liên hệ"), vietnamese_phone)
    zalo_phone = _phone(_l("Số Zalo"), vietnamese_mobile)
    check_in_time = ClockField(_l("Giờ nhận phòng"), default=practical.DEFAULT_CHECK_IN)
    check_out_time = ClockField(_l("Giờ trả phòng"), default=practical.DEFAULT_CHECK_OUT)
    directions = _long_text(_l("Cách đi đến (tiếng Việt)"))
    directions_en = _long_text(_l("Cách đi đến (tiếng Anh)"))
    free_cancel_days = _number(
        _l("Hủy miễn phí đến trước (ngày)"),
        0,
        MAX_FREE_CANCEL_DAYS,
        _l("Số ngày hủy miễn phí là số nguyên từ 0 đến 60."),
        default=3,
    )
    late_cancel_fee_percent = _number(
        _l("Phí hủy muộn (% tổng tiền)"),
        0,
        100,
        _l("Phí hủy muộn là số nguyên từ 0 đến 100 (phần trăm)."),
        default=50,
    )
    instant_booking = BooleanField(_l("Xác nhận ngay, không cần chủ nhà duyệt từng yêu cầu"))
    active = BooleanField(_l("Đang nhận khách (hiện trên trang du lịch)"), default=True)
    deposit_kind = RadioField(
        _l("Mức cọc"),
        choices=[(kind, _l(DEPOSIT_KIND_NAMES[kind])) for kind in deposits.DEPOSIT_KINDS],
        default="none",
        validate_choice=False,
    )
    deposit_percent = _deposit_number(
        _l("Phần trăm đặt cọc (%)"),
        1,
        100,
        _l("Phần trăm đặt cọc là số nguyên từ 1 đến 100."),
        kind="percent",
    )
    deposit_amount = _deposit_number(
        _l("Số tiền cọc (đồng)"),
        1,
        deposits.MAX_FIXED,
        _l("Số tiền cọc là số nguyên lớn hơn 0, tính bằng đồng, không quá 100 triệu."),
        kind="fixed",
    )
    deposit_hours = _deposit_number(
        _l("Hạn chuyển cọc (giờ)"),
        deposits.MIN_HOURS,
        deposits.MAX_HOURS,
        _l("Hạn chuyển cọc là số giờ từ 1 đến 168 (7 ngày)."),
        default=deposits.DEFAULT_HOURS,
    )

    def __init__(self, *args, deposits_allowed: bool = True, **kwargs):
        """deposits_allowed: the host cooperative gave a bank account (tourism.deposits);
        without one the deposit fields are shown disabled and what they send is ignored."""
        super().__init__(*args, **kwargs)
        self.deposits_allowed = deposits_allowed
        listing = kwargs.get("obj")
        if listing is not None and not self.is_submitted():
            self.check_in_time.data = listing.check_in_time or practical.DEFAULT_CHECK_IN
            self.check_out_time.data = listing.check_out_time or practical.DEFAULT_CHECK_OUT
            if listing.deposit_kind == "percent":
                self.deposit_percent.data = listing.deposit_value
            elif listing.deposit_kind == "fixed":
                self.deposit_amount.data = listing.deposit_value

    def validate_deposit_kind(self, field):
        if not self.deposits_allowed:
            field.errors[:] = []
        elif field.data not in deposits.DEPOSIT_KINDS:
            raise ValidationError(_l("Vui lòng chọn có đặt cọc hay không."))

    def validate_kind(self, field):
        if field.data not in LISTING_KINDS:
            raise ValidationError(_l("Vui lòng chọn loại hình."))

    def validate_start_time(self, field):
        if self.kind.data != "homestay" and field.data is None and not field.process_errors:
            raise ValidationError(_l("Tour và trải nghiệm cần giờ khởi hành, ví dụ 07:30."))

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the two coordinates together: one without the other is no place
        (each field alone lets an empty value pass)."""
        valid = super().validate(extra_validators)
        lat, lon = self.latitude, self.longitude
        if not lat.errors and not lon.errors and (lat.data is None) != (lon.data is None):
            missing = lon if lon.data is None else lat
            missing.errors = [*missing.errors, BOTH_COORDINATES]
            valid = False
        return valid

    def validate_meeting_point(self, field):
        if self.kind.data != "homestay" and not field.data:
            raise ValidationError(_l("Tour và trải nghiệm cần điểm hẹn để khách tìm đến."))

    def listing_fields(self) -> dict:
        """What hosting.save_listing takes; a homestay has no departure time or duration."""
        stay = self.kind.data == "homestay"
        return {
            "kind": self.kind.data,
            "title": self.title.data,
            "title_en": self.title_en.data or "",
            "description": self.description.data or "",
            "description_en": self.description_en.data or "",
            "price": self.price.data,
            "capacity": self.capacity.data,
            "max_guests": self.max_guests.data,
            "start_time": None if stay else self.start_time.data,
            "duration_minutes": None if stay else self.duration_minutes.data,
            "meeting_point": self.meeting_point.data or "",
            "meeting_point_en": self.meeting_point_en.data or "",
            "included": self.included.data or "",
            "included_en": self.included_en.data or "",
            "what_to_bring": self.what_to_bring.data or "",
            "what_to_bring_en": self.what_to_bring_en.data or "",
            "languages": self.languages.data,
            **self.practical_fields(),
            "free_cancel_days": self.free_cancel_days.data,
            "late_cancel_fee_percent": self.late_cancel_fee_percent.data,
            "instant_booking": bool(self.instant_booking.data),
            "active": bool(self.active.data),
            **self.deposit_fields(),
        }

    def practical_fields(self) -> dict:
        """What the guest is told to find the place; phones as core.text stores them."""
        stay = self.kind.data == "homestay"
        return {
            "address": self.address.data or "",
            "latitude": self.latitude.data,
            "longitude": self.longitude.data,
            "contact_phone": normalise_phone(self.contact_phone.data) or "",
            "zalo_phone": normalise_phone(self.zalo_phone.data) or "",
            # A stay left without its times keeps the usual ones (tourism.practical).
            "check_in_time": (self.check_in_time.data or practical.DEFAULT_CHECK_IN)
            if stay
            else None,
            "check_out_time": (self.check_out_time.data or practical.DEFAULT_CHECK_OUT)
            if stay
            else None,
            "directions": self.directions.data or "",
            "directions_en": self.directions_en.data or "",
        }

    def deposit_fields(self) -> dict:
        """The deposit as stored: nothing changes without a bank account to pay it to."""
        if not self.deposits_allowed:
            return {}
        kind = self.deposit_kind.data
        value = {"percent": self.deposit_percent.data, "fixed": self.deposit_amount.data}
        return {
            "deposit_kind": kind,
            "deposit_value": value.get(kind) or 0,
            "deposit_hours": self.deposit_hours.data,
        }


class CapacityForm(FlaskForm):
    """Rooms or seats for a range of days (hosting.set_capacity)."""

    first = DayField(_l("Từ ngày"), validators=[InputRequired(REQUIRED), DayWithinRange()])
    last = DayField(_l("Đến ngày"), validators=[InputRequired(REQUIRED), DayWithinRange()])
    capacity = _number(
        _l("Sức chứa mỗi ngày"),
        0,
        MAX_CAPACITY,
        _l("Sức chứa là số nguyên từ 0 đến 1.000."),
    )


class ClosingForm(FlaskForm):
    """Close days to new bookings or open them again (hosting.set_closed)."""

    first = DayField(_l("Từ ngày"), validators=[InputRequired(REQUIRED), DayWithinRange()])
    last = DayField(_l("Đến ngày"), validators=[InputRequired(REQUIRED), DayWithinRange()])
    action = RadioField(
        _l("Việc cần làm"),
        choices=[("close", _l("Đóng, không nhận khách mới")), ("open", _l("Mở lại"))],
        default="close",
        validate_choice=False,
    )

    def validate_action(self, field):
        if field.data not in ("close", "open"):
            raise ValidationError(_l("Vui lòng chọn đóng hoặc mở."))


class NewListingForm(ListingForm):
    """A new listing's form: one-time token, so that posting it twice makes one listing."""

    form_token = form_token_field()


class RefundForm(FlaskForm):
    """The host gave a refund back: which one, and the bank's reference of the transfer."""

    refund_id = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(REQUIRED), NumberRange(min=1, max=INT_MAX)],
    )
    bank_reference = StringField(
        _l("Mã giao dịch chuyển trả"),
        validators=[
            DataRequired(_l("Ghi mã giao dịch của lần chuyển trả, để khách đối chiếu.")),
            Length(max=60, message=_l("Tối đa %(max)s ký tự.")),
        ],
        filters=[_text],
    )
