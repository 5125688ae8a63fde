"""Bank statements uploaded by a cooperative: a CSV or Excel (.xlsx) file as its bank exports
it, read into bank lines and matched like notices (payments.matching).

- The file: CSV in UTF-8 (with or without a BOM), UTF-16 or Windows-1258, separated by
  commas, semicolons, tabs or bars (csv.Sniffer, then a count); or the first sheet of an
  .xlsx. At most MAX_BYTES and MAX_ROWS rows. An old .xls, or a web page saved as .xls (which
  some banks export), is refused with what to do instead.
- Its columns: the cooperative maps them once (date, amount: the credit column, or one of
  signed amounts where money out is negative; the transfer's text; the bank's reference if
  there is one), by their heading, saved as JSON in
  its BankFeed and used for the next uploads. Banks put lines above the table (the account,
  the period): the heading row is the first with at least three cells naming the mapped
  columns, or, the first time, the one the cooperative picks (a guess is offered).
- Its rows: dates as dd/mm/yyyy, dd/mm/yyyy HH:MM(:SS), yyyy-mm-dd (HH:MM:SS) or Excel's own;
  a day without a time counts as 23:59:59 in Vietnam, so a credit of the day an order was
  placed is not "dated before the order". Amounts as 1.500.000, 1,500,000, 1500000,
  1.500.000 VND, 1,500,000.00 or Excel numbers. Rows without a date (totals, balances) and
  rows that are no credit are skipped; a row that cannot be read refuses the whole file, with
  its number, and nothing is saved.
- Each credit is a BankLine(source="statement") whose external_id is a fingerprint of its
  date, amount, text and reference and of how many identical rows came before it in the same
  file: two identical real transfers in one statement both count, and the same statement
  uploaded again (or a later one that overlaps it) adds nothing.
- A credit SePay already told (the same amount and the same bank reference, or the same
  order references, around the same day) is not taken twice.
"""

import codecs
import csv
import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, select

from core.bounds import INT_MAX
from core.clock import VIETNAM, utc_start
from core.db import write_transaction
from core.extensions import db
from core.labels import N_
from core.models import utcnow
from core.text import fold, parse_whole_number
from payments import feeds, matching
from payments.matching import BankLine
from payments.models import BankTransaction, StatementUpload
from payments.references import references_in

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # an .xlsx is a zip: what it may unpack to
HEADER_SEARCH_ROWS = 30  # the heading row is among the first rows
PREVIEW_ROWS = 12
CELL_LENGTH = 500
CHUNK = 200  # lines taken in per transaction: short locks, and a re-upload finishes the rest
KEEP_UPLOADS = timedelta(days=1)

FIELDS = ("date", "amount", "text", "reference")
REQUIRED = ("date", "amount", "text")

FIELD_NAMES = {
    "date": N_("Ngày giao dịch"),
    "amount": N_("Số tiền"),
    "text": N_("Nội dung chuyển khoản"),
    "reference": N_("Số tham chiếu của ngân hàng"),
}

# Words of Vietnamese banks' headings (folded), to guess the mapping the first time.
GUESSES = {
    "date": ("ngay giao dich", "ngay gd", "ngay hach toan", "ngay", "thoi gian", "date"),
    "amount": ("ghi co", "so tien ghi co", "phat sinh co", "tien vao", "credit", "co",
               "so tien", "amount"),
    "text": ("noi dung", "dien giai", "mo ta", "chi tiet", "description", "details", "remark",
             "narrative"),
    "reference": ("so tham chieu", "ma giao dich", "so but toan", "ma gd", "so ct", "reference",
                  "ref", "transaction id"),
}  # fmt: skip
SUMMARY_WORDS = ("tong", "cong", "so du", "total", "balance", "opening", "closing")


class StatementError(ValueError):
    """A file that cannot be read as a statement: `message` (a Vietnamese msgid marked with
    N_) and its parameters, for the page to show."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


# --- reading the file -----------------------------------------------------------------


@dataclass
class Table:
    """The rows of the file, as cells (text, numbers, dates, None); numbered from 1."""

    rows: list[list]

    def columns(self, header: int) -> list[str]:
        """The names of the columns under heading row `header` (1-based): each heading's
        text, "Cột C" for an empty one, a number after a name seen before."""
        names: list[str] = []
        for index, cell in enumerate(self.rows[header - 1] if 0 < header <= len(self.rows) else []):
            name = " ".join(_text(cell).split()) or f"Cột {_letter(index)}"
            base, number = name, 2
            while name in names:
                name, number = f"{base} ({number})", number + 1
            names.append(name)
        return names

    def header_for(self, mapping: dict) -> int | None:
        """The first row whose cells name every mapped column (1-based), None if none does."""
        wanted = {mapping.get(name) for name in FIELDS if mapping.get(name)}
        if len(wanted) < len(REQUIRED):
            return None
        for number in range(1, min(len(self.rows), HEADER_SEARCH_ROWS) + 1):
            if sum(1 for cell in self.rows[number - 1] if _text(cell)) >= 3 and wanted <= set(
                self.columns(number)
            ):
                return number
        return None

    def guess_header(self) -> int:
        """The first row that looks like headings: three or more cells, all words (no dates
        or amounts), best one naming a column banks use; else the first row of three cells."""
        first_wordy = None
        for number in range(1, min(len(self.rows), HEADER_SEARCH_ROWS) + 1):
            cells = [cell for cell in self.rows[number - 1] if _text(cell)]
            if len(cells) < 3 or not all(_is_word(cell) for cell in cells):
                continue
            first_wordy = first_wordy or number
            folded = [fold(_text(cell)) for cell in cells]
            if any(
                guess in name for name in folded for words in GUESSES.values() for guess in words
            ):
                return number
        if first_wordy:
            return first_wordy
        return next(
            (n for n, row in enumerate(self.rows[:HEADER_SEARCH_ROWS], 1) if _filled(row) >= 3), 1
        )

    def guess_mapping(self, header: int) -> dict:
        """Columns whose headings look like each field's (the first time, a suggestion)."""
        columns = self.columns(header)
        folded = [fold(name) for name in columns]
        mapping: dict = {}
        taken: set[str] = set()
        for name in FIELDS:
            for guess in GUESSES[name]:
                found = next(
                    (c for c, f in zip(columns, folded, strict=True)
                     if c not in taken and (f == guess or re.search(rf"\b{re.escape(guess)}\b", f))),
                    None,
                )  # fmt: skip
                if found:
                    mapping[name] = found
                    taken.add(found)
                    break
        return mapping

    def preview(self, rows: int = PREVIEW_ROWS) -> list[tuple[int, list[str]]]:
        width = max((len(row) for row in self.rows[:rows]), default=0)
        return [
            (n, [_shown(cell) for cell in row] + [""] * (width - len(row)))
            for n, row in enumerate(self.rows[:rows], 1)
        ]


def read(data: bytes, filename: str = "") -> Table:
    """The table of a statement file; StatementError when it is none we can read."""
    if not data:
        raise StatementError(N_("Tệp trống."))
    if len(data) > MAX_BYTES:
        raise StatementError(
            N_("Tệp lớn hơn %(mb)s MB. Hãy xuất sao kê theo từng tháng."), mb=MAX_BYTES // 2**20
        )
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    elif data[:4] == b"\xd0\xcf\x11\xe0":
        raise StatementError(
            N_("Tệp .xls đời cũ chưa đọc được. Hãy mở bằng Excel rồi lưu thành .xlsx hoặc CSV.")
        )
    else:
        text = _decode(data)
        if re.match(r"\s*<", text) and re.search(r"<(html|table)\b", text[:4096], re.I):
            raise StatementError(
                N_(
                    "Tệp này là một trang web được lưu với đuôi .xls. Hãy mở bằng Excel rồi "
                    "lưu thành .xlsx hoặc CSV."
                )
            )
        rows = _csv_rows(text)
    while rows and not _filled(rows[-1]):
        rows.pop()
    if not rows:
        raise StatementError(N_("Tệp không có dòng nào."))
    if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise StatementError(
            N_("Tệp có hơn %(rows)s dòng. Hãy tách sao kê thành nhiều tệp."), rows=MAX_ROWS
        )
    if max(_filled(row) for row in rows[: HEADER_SEARCH_ROWS + PREVIEW_ROWS]) < 3:
        raise StatementError(
            N_("Không tìm thấy bảng trong tệp: cần ít nhất ba cột (ngày, số tiền, nội dung).")
        )
    return Table(rows)


def _xlsx_rows(data: bytes) -> list[list]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise StatementError(N_("Không đọc được tệp Excel này.")) from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise StatementError(N_("Tệp Excel quá lớn khi giải nén. Hãy xuất sao kê theo từng tháng."))
    import openpyxl  # only for an .xlsx; a CSV needs none of it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.active or book.worksheets[0]
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append(_trimmed(row))
                if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                    break
        finally:
            book.close()
    except StatementError:
        raise
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise StatementError(N_("Không đọc được tệp Excel này.")) from error
    return rows


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1258", errors="replace")  # Windows' Vietnamese
    # cp1258 writes some tones as separate marks: one form for every text compared later.
    return unicodedata.normalize("NFC", text.replace("\x00", ""))


def _csv_rows(text: str) -> list[list]:
    lines = text.splitlines()
    delimiter = _delimiter(lines[: HEADER_SEARCH_ROWS + PREVIEW_ROWS])
    rows = []
    for row in csv.reader(lines, delimiter=delimiter):
        rows.append(_trimmed(row))
        if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
            break
    return rows


def _delimiter(lines: list[str]) -> str:
    candidates = ",;\t|"
    sample = "\n".join(line for line in lines if line.strip())
    try:
        found = csv.Sniffer().sniff(sample, delimiters=candidates).delimiter
    except csv.Error:
        found = None
    if found and _wide_rows(lines, found):
        return found
    # The lines above the table mislead the sniffer: the one that makes most rows of 3+.
    return max(candidates, key=lambda candidate: _wide_rows(lines, candidate))


def _wide_rows(lines: list[str], delimiter: str) -> int:
    return sum(1 for row in csv.reader(lines, delimiter=delimiter) if _filled(row) >= 3)


def _trimmed(row) -> list:
    cells = [cell.strip()[:CELL_LENGTH] if isinstance(cell, str) else cell for cell in row]
    cells = cells[:MAX_COLUMNS]
    while cells and not _text(cells[-1]):
        cells.pop()
    return cells


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _shown(cell) -> str:
    if isinstance(cell, datetime):
        return (
            cell.strftime("%d/%m/%Y %H:%M") if cell.time() != time() else cell.strftime("%d/%m/%Y")
        )
    if isinstance(cell, date):
        return cell.strftime("%d/%m/%Y")
    return _text(cell)[:80]


def _filled(row) -> int:
    return sum(1 for cell in row if _text(cell))


def _is_word(cell) -> bool:
    """Text that is neither a date nor an amount (a heading, not a value)."""
    if not isinstance(cell, str):
        return False
    for reader in (_moment, _amount):
        try:
            if reader(cell) is not None:
                return False
        except ValueError:
            pass
    return True


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- reading the cells ----------------------------------------------------------------

_DMY = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[\sT,]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?"
)
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_EXCEL_DAYS = (20_000, 80_000)  # Excel's day numbers of 1954 to 2119
END_OF_DAY = time(23, 59, 59)


def _moment(cell) -> datetime | None:
    """The moment in a date cell, naive Vietnam time; a day alone -> 23:59:59 that day. None
    for an empty cell; ValueError for one that is not a date."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, datetime):
        moment = cell.replace(tzinfo=None)
        return moment if moment.time() != time() else datetime.combine(moment.date(), END_OF_DAY)
    if isinstance(cell, date):
        return datetime.combine(cell, END_OF_DAY)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if _EXCEL_DAYS[0] <= cell <= _EXCEL_DAYS[1]:
            from openpyxl.utils.datetime import from_excel

            return _moment(from_excel(cell))
        raise ValueError(cell)
    text = str(cell).strip()
    if match := _DMY.fullmatch(text):
        day, month, year, hour, minute, second = match.groups()
    elif match := _YMD.fullmatch(text):
        year, month, day, hour, minute, second = match.groups()
    else:
        raise ValueError(text)
    try:
        if not 2000 <= int(year) <= 2100:
            raise ValueError(text)
        if hour is None:
            return datetime.combine(date(int(year), int(month), int(day)), END_OF_DAY)
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError as error:
        raise ValueError(text) from error


_CURRENCY = re.compile(r"(?:vnđ|vnd|đồng|dong|đ|₫)", re.IGNORECASE)
_DECIMALS = re.compile(r"(.*\d)[.,](\d{1,2})")


def _amount(cell) -> int | None:
    """The whole đồng in an amount cell (negative for money out); None for an empty cell or a
    dash; ValueError for one that is not an amount."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise ValueError(cell)
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if abs(cell - round(cell)) > 0.005:
            raise ValueError(cell)
        return round(cell)
    text = _CURRENCY.sub("", str(cell)).strip().replace("\u00a0", " ")
    if text in ("", "-", "--"):
        return None
    negative = text.startswith("-") or text.endswith("-") or text.startswith("(")
    text = text.strip("+-() ")
    if match := _DECIMALS.fullmatch(text):
        if set(match.group(2)) != {"0"}:
            raise ValueError(cell)
        text = match.group(1)
    number = parse_whole_number(text)
    if number is None:
        raise ValueError(cell)
    return -number if negative else number


# --- rows to lines --------------------------------------------------------------------


@dataclass
class Parsed:
    lines: list[BankLine] = field(default_factory=list)
    skipped: int = 0  # rows without a date (totals, notes) or that are no credit


def lines_of(table: Table, header: int, mapping: dict) -> Parsed:
    """The credits under heading row `header`, as the mapping reads them; StatementError for
    the first rows that cannot be read (up to three, with their numbers)."""
    columns = table.columns(header)
    missing = [name for name in REQUIRED if mapping.get(name) not in columns]
    if missing or (mapping.get("reference") and mapping["reference"] not in columns):
        raise StatementError(N_("Cột đã chọn không có trong dòng tiêu đề này."))
    where = {name: columns.index(mapping[name]) for name in FIELDS if mapping.get(name)}
    parsed, problems = Parsed(), []
    seen: dict[tuple, int] = {}
    rows = table.rows[header:]
    if len(rows) > MAX_ROWS:
        raise StatementError(
            N_("Tệp có hơn %(rows)s dòng. Hãy tách sao kê thành nhiều tệp."), rows=MAX_ROWS
        )
    for number, row in enumerate(rows, header + 1):
        cells = {name: row[index] if index < len(row) else None for name, index in where.items()}
        if not any(_text(cell) for cell in cells.values()):
            continue
        amount = _cell(_bounded_amount, cells, "amount", (number, row, parsed, problems))
        if amount is _UNREAD:
            continue
        if not amount or amount < 0:
            parsed.skipped += 1  # no credit: money out, a note, a line of the bank's own
            continue
        moment = _cell(_moment, cells, "date", (number, row, parsed, problems))
        if moment is _UNREAD:
            continue
        if moment is None:
            parsed.skipped += 1  # an amount without a date: a total, a balance
            continue
        text = " ".join(_text(cells["text"]).split())
        reference = " ".join(_text(cells.get("reference")).split())[:60]
        booked_at = moment.replace(tzinfo=VIETNAM).astimezone(UTC).replace(tzinfo=None)
        key = (booked_at.isoformat(), amount, text, reference)
        seen[key] = seen.get(key, 0) + 1
        parsed.lines.append(
            BankLine(
                source="statement",
                external_id=fingerprint(*key, occurrence=seen[key]),
                booked_at=booked_at,
                amount=amount,
                direction="in",
                text=text,
                bank_reference=reference,
            )
        )
    if problems:
        raise _row_problems(problems)
    return parsed


_UNREAD = object()


def _cell(reader, cells: dict, name: str, where: tuple):
    """reader(the row's cell `name`); _UNREAD when it cannot be read: a summary row (a
    total, a balance) is skipped, any other is a problem of the file."""
    number, row, parsed, problems = where
    try:
        return reader(cells[name])
    except ValueError:
        if _is_summary(row):
            parsed.skipped += 1
        else:
            problems.append((number, name, _text(cells[name])))
        return _UNREAD


def _bounded_amount(cell) -> int | None:
    amount = _amount(cell)
    if amount is not None and amount > INT_MAX:
        raise ValueError(amount)
    return amount


def fingerprint(moment: str, amount: int, text: str, reference: str, *, occurrence: int) -> str:
    digest = hashlib.sha256(f"{moment}|{amount}|{text}|{reference}".encode()).hexdigest()
    return f"{digest[:56]}-{occurrence}"


def _is_summary(row) -> bool:
    words = fold(" ".join(_text(cell) for cell in row if isinstance(cell, str)))
    return any(re.search(rf"\b{word}\b", words) for word in SUMMARY_WORDS)


def _row_problems(problems: list[tuple[int, str, str]]) -> StatementError:
    number, kind, value = problems[0]
    shown = value[:40]
    if kind == "date":
        message = N_(
            "Dòng %(row)s: không đọc được ngày “%(value)s” (cần dạng 31/12/2026, "
            "31/12/2026 10:15 hoặc 2026-12-31). Chưa nhập dòng nào."
        )
    else:
        message = N_("Dòng %(row)s: không đọc được số tiền “%(value)s”. Chưa nhập dòng nào.")
    error = StatementError(message, row=number, value=shown)
    error.rows = [n for n, _kind, _value in problems]
    return error


# --- taking the lines in --------------------------------------------------------------


@dataclass
class Imported:
    matched: int = 0  # new credits that paid something
    waiting: int = 0  # new credits in the unmatched queue
    already: int = 0  # seen before: uploaded already, or told by SePay
    skipped: int = 0  # rows that are no credit


def import_statement(payee_id: int, table: Table, header: int, mapping: dict, *,
                     upload_token: str | None = None) -> Imported:  # fmt: skip
    """Read every row first (a bad row: StatementError, nothing saved), then save the mapping
    and take the new credits in, CHUNK per transaction; the kept upload is deleted at the end.
    Rows taken in before, and credits a notice told, are found in a few queries, not one per
    row: a statement uploaded again is read, not written."""
    mapping = clean_mapping(mapping)
    parsed = lines_of(table, header, mapping)
    result = Imported(skipped=parsed.skipped)
    feeds.save_statement_columns(payee_id, mapping)
    known = _taken_in(payee_id, [line.external_id for line in parsed.lines])
    fresh = [line for line in parsed.lines if line.external_id not in known]
    result.already = len(parsed.lines) - len(fresh)
    notices = _notices_around(payee_id, fresh)
    for start in range(0, len(fresh), CHUNK):
        with write_transaction():
            for line in fresh[start : start + CHUNK]:
                if _told_by_notice(notices, line):
                    result.already += 1
                    continue
                transaction = matching.take_in(payee_id, line)
                if transaction is None:
                    result.already += 1  # taken in meanwhile: the same file, twice at once
                elif transaction.status == "matched":
                    result.matched += 1
                else:
                    result.waiting += 1
    if upload_token:
        with write_transaction():
            db.session.execute(delete(StatementUpload).where(StatementUpload.token == upload_token))
    return result


def clean_mapping(mapping: dict) -> dict:
    """Only the fields of a mapping, as text."""
    return {name: str(mapping.get(name) or "")[:CELL_LENGTH] for name in FIELDS}


def _taken_in(payee_id: int, external_ids: list[str]) -> set[str]:
    """Which of these statement rows the payee's account has already."""
    found: set[str] = set()
    for start in range(0, len(external_ids), 500):
        found.update(
            db.session.scalars(
                select(BankTransaction.external_id).where(
                    BankTransaction.payee_id == payee_id,
                    BankTransaction.source == "statement",
                    BankTransaction.external_id.in_(external_ids[start : start + 500]),
                )
            )
        )
    return found


@dataclass
class _Notice:
    day: date  # in Vietnam
    reference: str  # the bank's, bare
    references: frozenset  # the payables' references in its text


def _day(moment: datetime) -> date:
    return moment.replace(tzinfo=UTC).astimezone(VIETNAM).date()


def _notices_around(payee_id: int, lines: list[BankLine]) -> dict[int, list[_Notice]]:
    """The credits bank notices (SePay) told of the payee around the statement's days, by
    amount."""
    if not lines:
        return {}
    days = [_day(line.booked_at) for line in lines]
    told = db.session.execute(
        select(BankTransaction.amount, BankTransaction.booked_at, BankTransaction.bank_reference,
               BankTransaction.text)
        .where(
            BankTransaction.payee_id == payee_id,
            BankTransaction.source != "statement",
            BankTransaction.direction == "in",
            BankTransaction.booked_at >= utc_start(min(days) - timedelta(days=1)),
            BankTransaction.booked_at < utc_start(max(days) + timedelta(days=2)),
        )
        .order_by(BankTransaction.booked_at, BankTransaction.id)
    ).all()  # fmt: skip
    by_amount: dict[int, list[_Notice]] = {}
    for amount, booked_at, reference, text in told:
        notice = _Notice(_day(booked_at), _bare(reference), frozenset(references_in(text)))
        by_amount.setdefault(amount, []).append(notice)
    return by_amount


def _told_by_notice(notices: dict[int, list[_Notice]], line: BankLine) -> bool:
    """A credit of this statement that a bank notice told already: the same amount, within a
    day of it, with the same bank reference or the same payables' references. Each notice
    stands for one row at most (it is taken from the list)."""
    day, mine = _day(line.booked_at), _bare(line.bank_reference)
    references = frozenset(references_in(line.text))
    candidates = notices.get(line.amount, [])
    for index, notice in enumerate(candidates):
        if abs((notice.day - day).days) > 1:
            continue
        if (mine and notice.reference == mine) or (references and notice.references == references):
            del candidates[index]
            return True
    return False


def _bare(reference: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", (reference or "").upper())


# --- a file kept until its columns are chosen -----------------------------------------


def keep(payee_id: int, filename: str, data: bytes) -> str:
    """Keep an uploaded file for the column step; its token. Files older than a day, anyone's,
    are deleted on the way."""
    token = secrets.token_urlsafe(18)[:32]
    with write_transaction():
        db.session.execute(
            delete(StatementUpload).where(StatementUpload.created_at < utcnow() - KEEP_UPLOADS)
        )
        db.session.add(
            StatementUpload(payee_id=payee_id, token=token, filename=filename[:120], content=data)
        )
    return token


def kept(payee_id: int, token: str | None) -> StatementUpload | None:
    """The payee's kept file of that token, None once imported, expired or not its own."""
    if not token or len(token) > 32:
        return None
    return db.session.scalar(
        select(StatementUpload).where(
            StatementUpload.token == token,
            StatementUpload.payee_id == payee_id,
            StatementUpload.created_at >= utcnow() - KEEP_UPLOADS,
        )
    )
