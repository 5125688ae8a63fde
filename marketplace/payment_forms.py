"""Forms of the cooperative's payments page (/dashboard/payments): the statement upload, the
choice of its columns, a credit given to an order, the key's rotation. Messages are
Vietnamese msgids, translated when shown."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from payments import statements

CHOOSE_COLUMN = _l("Vui lòng chọn một cột.")
SAME_COLUMN = _l("Ngày, số tiền và nội dung phải là ba cột khác nhau.")


class StatementForm(FlaskForm):
    statement = FileField(_l("Tệp sao kê (CSV hoặc Excel .xlsx)"))
    remap = BooleanField(_l("Chọn lại các cột trước khi nhập"))


class ColumnsForm(FlaskForm):
    """Which row holds the headings and which column is which. The choices are the file's:
    `for_table` fills them."""

    upload = HiddenField(validators=[DataRequired(), Length(max=32)])
    header = SelectField(_l("Dòng tiêu đề của bảng"), coerce=int)
    date = SelectField(_l("Ngày giao dịch"), validators=[InputRequired(CHOOSE_COLUMN)])
    amount = SelectField(
        _l("Số tiền vào (cột ghi có, hoặc cột số tiền có dấu − cho tiền ra)"),
        validators=[InputRequired(CHOOSE_COLUMN)],
    )
    text = SelectField(_l("Nội dung chuyển khoản"), validators=[InputRequired(CHOOSE_COLUMN)])
    reference = SelectField(_l("Số tham chiếu của ngân hàng (nếu có)"))

    def for_table(self, table: statements.Table, header: int) -> "ColumnsForm":
        rows = min(len(table.rows), statements.HEADER_SEARCH_ROWS)
        self.header.choices = [(n, _row_label(table, n)) for n in range(1, rows + 1)]
        columns = [(name, name) for name in table.columns(header)]
        for field in (self.date, self.amount, self.text):
            field.choices = [("", _l("— chọn cột —")), *columns]
        self.reference.choices = [("", _l("— không có —")), *columns]
        return self

    def validate_text(self, field):
        chosen = [self.date.data, self.amount.data, field.data]
        if len(set(chosen)) < len(chosen):
            raise ValidationError(SAME_COLUMN)

    def mapping(self) -> dict:
        return {name: getattr(self, name).data or "" for name in statements.FIELDS}


def _row_label(table: statements.Table, number: int) -> str:
    cells = [cell for cell in table.preview(number)[-1][1] if cell][:4]
    shown = " · ".join(cells)
    shown = shown if len(shown) <= 60 else shown[:59] + "…"
    return _l("Dòng %(n)s: %(cells)s", n=number, cells=shown)


class AssignForm(FlaskForm):
    code = StringField(
        _l("Mã đơn"),
        validators=[
            DataRequired(_l("Vui lòng ghi mã đơn, ví dụ HG-2026-000123-1.")),
            Length(max=40),
        ],
    )


class RotateForm(FlaskForm):
    seen = HiddenField(validators=[Length(max=16)])
