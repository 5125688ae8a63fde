"""Bank statements (payments.statements): CSV and Excel files as Vietnamese banks export them,
their columns mapped once, the credits matched like notices; the upload and the column step
on /dashboard/payments."""

import io
import re
import unicodedata
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from core.clock import VIETNAM
from marketplace import checkout as checkouts
from marketplace.models import Order
from payments import feeds, matching, statements
from payments.matching import BankLine
from payments.models import BankFeed, BankTransaction, Refund, StatementUpload
from payments.references import reference_for
from payments.statements import StatementError
from tests.conftest import TEST_PASSWORD

HEADING = ["STT", "Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Mô tả"]
PREAMBLE = [
    ["NGÂN HÀNG TMCP ĐẦU TƯ VÀ PHÁT TRIỂN VIỆT NAM"],
    ["SAO KÊ TÀI KHOẢN"],
    ["Số tài khoản:", "74010000123456", "HTX KY NHU"],
    ["Từ ngày:", "01/11/2026", "Đến ngày:", "30/11/2026"],
    [],
]
MAPPING = {
    "date": "Ngày giao dịch",
    "amount": "Số tiền ghi có",
    "text": "Mô tả",
    "reference": "Số tham chiếu",
}


def windows_1258(text: str) -> bytes:
    """Text as Windows writes Vietnamese: a letter with its vowel mark (â, ơ...) and the
    tone as a separate combining mark, where no precomposed character exists."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            shape = "".join(m for m in marks if m in "\u0302\u0306\u031b")  # â ă ơ: one letter
            tones = "".join(m for m in marks if m not in shape)
            out += (unicodedata.normalize("NFC", base + shape) + tones).encode("cp1258")
    return out


def csv_bytes(rows, delimiter=";", encoding="utf-8-sig") -> bytes:
    def cell(value):
        text = "" if value is None else str(value)
        return f'"{text}"' if delimiter in text or '"' in text else text

    lines = [delimiter.join(cell(value) for value in row) for row in PREAMBLE + [HEADING] + rows]
    text = "\r\n".join(lines) + "\r\n"
    return windows_1258(text) if encoding == "cp1258" else text.encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sao ke"
    for row in PREAMBLE + [HEADING] + rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=len(PREAMBLE) + 2, min_col=2, max_col=2):
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm:ss"
            elif isinstance(cell.value, date):
                cell.number_format = "dd/mm/yyyy"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(n, day, amount, text, reference="", debit=None):
    return [n, day, reference, debit, amount, text]


@pytest.fixture()
def shop(make):
    owner = make.user(role="cooperative")
    cooperative = make.cooperative(
        "HTX Sao Kê", owner=owner, bank_bin="970418", bank_account="74010000123456"
    )
    product = make.product("Khóm Cầu Đúc", cooperative, price=100_000, stock=500)
    return cooperative, product, owner


def place(app, product, quantity=1) -> Order:
    checkout = checkouts.place_order(
        {product.id: quantity},
        checkouts.DeliveryDetails(
            name="Nguyễn Thị Lan", phone="0912345678", email="lan@example.vn", province="Cần Thơ",
            ward="Phường Ninh Kiều", street="12 Mậu Thân", note="", payment_method="vietqr",
        ),
        buyer_id=None, form_token=checkouts.new_form_token(),
        fees=app.config["DELIVERY_FEES"], free_from=app.config["FREE_DELIVERY_FROM"],
    )  # fmt: skip
    return checkout.orders[0]


def today_vn() -> str:
    return datetime.now(VIETNAM).strftime("%d/%m/%Y")


def table_of(data: bytes) -> tuple[statements.Table, int]:
    table = statements.read(data, "sao-ke")
    return table, table.header_for(MAPPING)


def count(db, model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


# --- reading the file -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8-sig"), (",", "utf-8-sig"), (",", "utf-8"), ("\t", "utf-16"), (";", "cp1258"),
     ("|", "utf-8")],
)  # fmt: skip
def test_csv_in_any_encoding_and_separator_finds_the_table_under_the_bank_lines(
    delimiter, encoding
):
    data = csv_bytes([row(1, "01/12/2026", "1.500.000", "HG chuyển tiền")], delimiter, encoding)
    table = statements.read(data, "sao-ke.csv")
    assert table.guess_header() == len(PREAMBLE) + 1
    assert table.columns(table.guess_header()) == HEADING
    assert table.guess_mapping(table.guess_header()) == MAPPING
    [line] = statements.lines_of(table, table.guess_header(), MAPPING).lines
    assert (line.amount, line.text) == (1_500_000, "HG chuyển tiền")


def test_xlsx_with_excel_dates_and_numbers(db):
    data = xlsx_bytes(
        [
            row(1, datetime(2026, 12, 1, 10, 15, 30), 1_500_000, "Thanh toan A", "FT1"),
            row(2, date(2026, 12, 2), 250000.0, "Thanh toan B", 1234567890123.0),
            row(3, "03/12/2026", "75.000 VND", "Thanh toan C"),
            row(4, datetime(2026, 12, 4), None, "Phi", debit=11_000),
        ]
    )
    table, header = table_of(data)
    assert header == len(PREAMBLE) + 1
    parsed = statements.lines_of(table, header, MAPPING)
    assert [(line.booked_at, line.amount, line.bank_reference) for line in parsed.lines] == [
        (datetime(2026, 12, 1, 3, 15, 30), 1_500_000, "FT1"),
        (datetime(2026, 12, 2, 16, 59, 59), 250_000, "1234567890123"),  # a day: 23:59:59 there
        (datetime(2026, 12, 3, 16, 59, 59), 75_000, ""),
    ]
    assert parsed.skipped == 1  # money out


@pytest.mark.parametrize(
    ("typed", "moment"),
    [
        ("01/12/2026", datetime(2026, 12, 1, 23, 59, 59)),
        ("1/12/2026", datetime(2026, 12, 1, 23, 59, 59)),
        ("01-12-2026", datetime(2026, 12, 1, 23, 59, 59)),
        ("01.12.2026", datetime(2026, 12, 1, 23, 59, 59)),
        ("01/12/2026 10:15", datetime(2026, 12, 1, 10, 15)),
        ("01/12/2026 10:15:42", datetime(2026, 12, 1, 10, 15, 42)),
        ("2026-12-01", datetime(2026, 12, 1, 23, 59, 59)),
        ("2026-12-01 10:15:42", datetime(2026, 12, 1, 10, 15, 42)),
        ("2026-12-01T10:15:42", datetime(2026, 12, 1, 10, 15, 42)),
        (datetime(2026, 12, 1, 10, 15), datetime(2026, 12, 1, 10, 15)),
        (datetime(2026, 12, 1), datetime(2026, 12, 1, 23, 59, 59)),
        (date(2026, 12, 1), datetime(2026, 12, 1, 23, 59, 59)),
        (46357, datetime(2026, 12, 1, 23, 59, 59)),  # Excel's day number, unformatted
        ("", None),
        (None, None),
    ],
)
def test_dates(typed, moment):
    assert statements._moment(typed) == moment


@pytest.mark.parametrize(
    "typed", ["31/02/2026", "12/31/2026", "2026/12/01", "hôm qua", "01/12/26", "01/12/1899", 5]
)
def test_what_is_no_date(typed):
    with pytest.raises(ValueError):
        statements._moment(typed)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1.500.000", 1_500_000), ("1,500,000", 1_500_000), ("1500000", 1_500_000),
        ("1.500.000 VND", 1_500_000), ("1.500.000 VNĐ", 1_500_000), ("1.500.000đ", 1_500_000),
        ("1,500,000.00", 1_500_000), ("1.500.000,00", 1_500_000), ("1500000.00", 1_500_000),
        ("+1,500,000", 1_500_000), ("-200.000", -200_000), ("(200.000)", -200_000),
        ("1 500 000", 1_500_000), (1_500_000, 1_500_000), (1500000.0, 1_500_000),
        ("", None), ("-", None), (None, None), ("0", 0),
    ],
)  # fmt: skip
def test_amounts(typed, amount):
    assert statements._amount(typed) == amount


@pytest.mark.parametrize("typed", ["1.5", "1500000.50", "abc", "1.50.000", 1500.5, True])
def test_what_is_no_amount(typed):
    with pytest.raises(ValueError):
        statements._amount(typed)


# --- bad files --------------------------------------------------------------------------------


def _xls_web_page():
    return b"<html><body><table><tr><td>Ngay</td></tr></table></body></html>"


BAD_FILES = {
    "empty": (b"", "Tệp trống"),
    "an old .xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls đời cũ"),
    "a web page saved as .xls": (_xls_web_page(), "trang web"),
    "a broken .xlsx": (b"PK\x03\x04" + b"junk" * 50, "Không đọc được tệp Excel"),
    "a picture": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "Không tìm thấy bảng"),
    "one column": (b"Ngay\n01/12/2026\n02/12/2026\n", "Không tìm thấy bảng"),
    "over 2 MB": (b"a;b;c\n" * 400_000, "lớn hơn 2 MB"),
    "over 5000 rows": (
        csv_bytes([row(n, "01/12/2026", "1.000", "x") for n in range(5_100)]),
        "hơn 5000 dòng",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_refused_with_a_message(case):
    data, said = BAD_FILES[case]
    with pytest.raises(StatementError) as refused:
        statements.read(data, "sao-ke.xls")
    assert said in str(refused.value)


@pytest.mark.parametrize(
    ("cell", "said"),
    [("32/12/2026", "ngày “32/12/2026”"), ("hôm qua", "ngày “hôm qua”")],
)
def test_a_row_that_cannot_be_read_refuses_the_whole_file_and_saves_nothing(db, shop, cell, said):
    cooperative, _product, _owner = shop
    data = csv_bytes(
        [row(1, "01/12/2026", "100.000", "ok"), row(2, cell, "50.000", "x"), row(3, "", "", "")]
    )
    table, header = table_of(data)
    with pytest.raises(StatementError) as refused:
        statements.import_statement(cooperative.id, table, header, MAPPING)
    assert said in str(refused.value) and "Dòng 8" in str(refused.value)
    assert count(db, BankTransaction) == 0
    assert feeds.statement_columns(feeds.feed_of(cooperative.id)) == {}


# --- importing --------------------------------------------------------------------------------


def test_a_statement_pays_orders_and_the_same_statement_again_adds_nothing(app, db, shop):
    cooperative, product, _owner = shop
    first, second = place(app, product, 1), place(app, product, 2)
    rows = [
        row(1, today_vn(), f"{first.total:,}".replace(",", "."), f"CK {reference_for(first.code)}"),
        row(2, today_vn(), "50.000", f"MBVCB.1.{reference_for(second.code)}", "FT2"),
        row(3, today_vn(), None, "Phi SMS", debit="11.000"),
        row(4, today_vn(), "999.000", "tien ai gui"),
        ["", "Tổng cộng", "", "11.000", "2.000.000", ""],
    ]
    for make_file in (csv_bytes, xlsx_bytes):
        table, header = table_of(make_file(rows))
        statements.import_statement(cooperative.id, table, header, MAPPING)
    db.session.rollback()
    assert db.session.get(Order, first.id).paid_at is not None
    assert db.session.get(Order, second.id).paid_amount == 50_000
    # The CSV and the .xlsx of the same statement are the same rows: three credits in all.
    assert count(db, BankTransaction) == 3
    assert [t.text for t in matching.unmatched(cooperative.id)] == ["tien ai gui"]
    table, header = table_of(csv_bytes(rows))
    again = statements.import_statement(cooperative.id, table, header, MAPPING)
    assert (again.matched, again.waiting, again.already, again.skipped) == (0, 0, 3, 2)


def test_two_identical_rows_of_one_file_are_two_transfers_and_stay_two(app, db, shop):
    cooperative, product, _owner = shop
    order = place(app, product, 4)
    half = order.total // 2
    same = row(1, today_vn(), str(half), f"TT {reference_for(order.code)}")
    table, header = table_of(csv_bytes([same, same]))
    result = statements.import_statement(cooperative.id, table, header, MAPPING)
    assert result.matched == 2
    db.session.rollback()
    assert db.session.get(Order, order.id).paid_amount == order.total
    table, header = table_of(csv_bytes([same, same, same]))  # a later, longer export
    again = statements.import_statement(cooperative.id, table, header, MAPPING)
    assert (again.already, again.matched) == (2, 1)  # the third is new: paid twice, refunded
    assert count(db, Refund) == 1


def test_a_credit_sepay_told_already_is_not_taken_twice(app, db, shop):
    cooperative, product, _owner = shop
    order, other = place(app, product), place(app, product, 2)
    told = datetime.now(VIETNAM).replace(tzinfo=None) - timedelta(hours=1)
    booked = (told - timedelta(hours=7)).replace(microsecond=0)  # UTC
    matching.take_in(
        cooperative.id,
        BankLine("sepay", "92704", booked, order.total, "in", reference_for(order.code), "FT77"),
    )
    matching.take_in(
        cooperative.id,
        BankLine("sepay", "92705", booked, other.total, "in", f"ck {reference_for(other.code)}"),
    )
    rows = [
        row(1, today_vn(), str(order.total), f"BIDV {reference_for(order.code)}", "FT77"),
        row(2, today_vn(), str(other.total), f"{reference_for(other.code)} chuyen"),
    ]
    table, header = table_of(csv_bytes(rows))
    result = statements.import_statement(cooperative.id, table, header, MAPPING)
    assert (result.already, result.matched, result.waiting) == (2, 0, 0)
    assert count(db, Refund) == 0


def test_a_date_without_time_is_the_end_of_that_day_so_an_order_of_that_day_is_paid(app, db, shop):
    cooperative, product, _owner = shop
    order = place(app, product)
    table, header = table_of(
        csv_bytes([row(1, today_vn(), str(order.total), reference_for(order.code))])
    )
    statements.import_statement(cooperative.id, table, header, MAPPING)
    db.session.rollback()
    assert db.session.get(Order, order.id).paid_at is not None


# --- the page ---------------------------------------------------------------------------------


def logged_in(client, owner):
    response = client.post("/login", data={"email": owner.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def upload(client, data: bytes, name: str, **form):
    return client.post(
        "/dashboard/payments/statement",
        data={"statement": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
    )


def test_the_first_upload_asks_for_the_columns_then_the_next_reuses_them(app, client, db, shop):
    cooperative, product, owner = shop
    logged_in(client, owner)
    order = place(app, product)
    rows = [row(1, today_vn(), str(order.total), f"CK {reference_for(order.code)}", "FT9")]
    response = upload(client, csv_bytes(rows), "sao-ke-thang-11.csv")
    assert response.status_code == 302
    step = client.get(response.headers["Location"])
    page = step.get_data(as_text=True)
    assert step.status_code == 200 and "sao-ke-thang-11.csv" in page
    assert "Lưu cách đọc và nhập sao kê" in page and "Số tiền ghi có" in page
    assert count(db, BankTransaction) == 0  # nothing until the columns are chosen
    token = re.search(r'name="upload" type="hidden" value="([^"]+)"', page).group(1)
    answer = client.post(
        "/dashboard/payments/statement/columns",
        data={"upload": token, "header": "6", "action": "import", **MAPPING},
    )
    assert answer.status_code == 302
    page = client.get("/dashboard/payments").get_data(as_text=True)
    assert "Đã nhập sao kê: 1 khoản tiền vào mới, 1 khớp với đơn, 0 chờ bạn xử lý." in page
    assert feeds.statement_columns(db.session.scalar(select(BankFeed))) == MAPPING
    assert count(db, StatementUpload) == 0
    # The next statement: read at once with the saved columns.
    rows.append(row(2, today_vn(), "30.000", "tien le"))
    assert upload(client, xlsx_bytes(rows), "thang-12.xlsx").status_code == 302
    page = client.get("/dashboard/payments").get_data(as_text=True)
    assert "1 khoản tiền vào mới, 0 khớp với đơn, 1 chờ bạn xử lý." in page
    assert "1 khoản đã có từ trước." in page
    assert "tien le" in page


def test_choosing_the_columns_again_and_another_heading_row(client, db, shop):
    _cooperative, _product, owner = shop
    logged_in(client, owner)
    rows = [row(1, "01/12/2026", "30.000", "tien le")]
    upload(client, csv_bytes(rows), "a.csv")
    token = db.session.scalar(select(StatementUpload.token))
    client.post(
        "/dashboard/payments/statement/columns",
        data={"upload": token, "header": "6", "action": "import", **MAPPING},
    )
    response = upload(client, csv_bytes(rows), "b.csv", remap="y")
    assert "statement=" in response.headers["Location"]  # the column step, not an import
    db.session.rollback()
    token = db.session.scalar(select(StatementUpload.token))
    reread = client.post(
        "/dashboard/payments/statement/columns",
        data={"upload": token, "header": "3", "action": "reread", **MAPPING},
    )
    page = client.get(reread.headers["Location"]).get_data(as_text=True)
    assert "74010000123456" in page  # row 3's cells are now the column names offered
    wrong = client.post(
        "/dashboard/payments/statement/columns",
        data={"upload": token, "header": "6", "action": "import", **MAPPING,
              "text": MAPPING["date"]},
    )  # fmt: skip
    assert wrong.status_code == 422
    assert "ba cột khác nhau" in wrong.get_data(as_text=True)


def test_a_bad_file_on_the_page_says_why_and_saves_nothing(client, db, shop):
    _cooperative, _product, owner = shop
    logged_in(client, owner)
    response = upload(client, _xls_web_page(), "saoke.xls")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "trang web được lưu với đuôi .xls" in page
    assert count(db, BankTransaction) == 0 and count(db, StatementUpload) == 0
    no_file = client.post("/dashboard/payments/statement", data={})
    assert "Vui lòng chọn tệp sao kê" in client.get(no_file.headers["Location"]).get_data(
        as_text=True
    )


def test_a_kept_upload_is_the_cooperatives_own(client, db, shop, make):
    cooperative, _product, owner = shop
    other = make.cooperative()
    token = statements.keep(other.id, "x.csv", csv_bytes([row(1, "01/12/2026", "1.000", "x")]))
    logged_in(client, owner)
    response = client.get(f"/dashboard/payments?statement={token}")
    assert response.status_code == 302
    assert statements.kept(cooperative.id, token) is None


def test_the_queue_assign_and_dismiss_on_the_page(app, client, db, shop, make):
    cooperative, product, owner = shop
    logged_in(client, owner)
    order, _twin = place(app, product), place(app, product)  # both owe the same: no guess
    now = datetime.utcnow().replace(microsecond=0)  # noqa: DTZ003 - naive UTC, as stored
    waiting = matching.take_in(
        cooperative.id, BankLine("sepay", "1", now, order.total, "in", "chuyen tien an")
    )
    other = matching.take_in(cooperative.id, BankLine("sepay", "2", now, 12_345, "in", "lixi"))
    theirs = matching.take_in(make.cooperative().id, BankLine("sepay", "3", now, 5, "in", "x"))
    page = client.get("/dashboard/payments").get_data(as_text=True)
    assert "chuyen tien an" in page and "lixi" in page and "Gán cho đơn" in page
    wrong = client.post(
        f"/dashboard/payments/transactions/{waiting.id}/assign", data={"code": "HG-2099-000001-1"}
    )
    assert wrong.status_code == 422 and "Không tìm thấy đơn" in wrong.get_data(as_text=True)
    empty = client.post(f"/dashboard/payments/transactions/{waiting.id}/assign", data={})
    assert empty.status_code == 422 and "Vui lòng ghi mã đơn" in empty.get_data(as_text=True)
    done = client.post(
        f"/dashboard/payments/transactions/{waiting.id}/assign",
        data={"code": reference_for(order.code)},  # the reference as the buyer wrote it
    )
    assert done.status_code == 302
    db.session.rollback()
    assert db.session.get(Order, order.id).paid_at is not None
    again = client.post(
        f"/dashboard/payments/transactions/{waiting.id}/assign", data={"code": order.code}
    )
    assert "đã được xử lý trước đó" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert client.post(f"/dashboard/payments/transactions/{other.id}/dismiss").status_code == 302
    assert client.post(f"/dashboard/payments/transactions/{theirs.id}/dismiss").status_code == 404
    db.session.rollback()
    assert db.session.get(BankTransaction, other.id).status == "dismissed"
    assert db.session.get(BankTransaction, theirs.id).status == "unmatched"
    page = client.get("/dashboard/payments").get_data(as_text=True)
    assert "Không có khoản tiền nào chờ xử lý." in page
    assert order.code in page  # the recent transactions name the order it paid


def test_the_page_shows_the_address_and_the_key_and_rotates_it_once(client, db, shop):
    cooperative, _product, owner = shop
    logged_in(client, owner)
    page = client.get("/dashboard/payments").get_data(as_text=True)
    feed = db.session.scalar(select(BankFeed))
    old_key = feed.api_key
    assert f"http://localhost/payments/webhooks/sepay/{feed.token}" in page
    assert old_key in page and "Đổi khóa" in page
    seen = re.search(r'name="seen" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/dashboard/payments/key", data={"seen": seen}).status_code == 302
    assert client.post("/dashboard/payments/key", data={"seen": seen}).status_code == 302
    db.session.rollback()
    rotated = db.session.scalar(select(BankFeed.api_key))
    assert rotated != old_key
    page = client.get("/dashboard/payments").get_data(as_text=True)
    assert rotated in page and "Khóa đã được đổi trước đó" in page


def test_refunds_due_are_listed_with_a_link_to_their_order(app, client, db, shop):
    cooperative, product, owner = shop
    logged_in(client, owner)
    order = place(app, product)
    now = datetime.utcnow().replace(microsecond=0)  # noqa: DTZ003 - naive UTC, as stored
    text = reference_for(order.code)
    matching.take_in(cooperative.id, BankLine("sepay", "1", now, order.total + 20_000, "in", text))
    page = client.get("/dashboard/payments").get_data(as_text=True)
    assert f'href="/dashboard/orders/{order.id}"' in page
    assert "Chuyển thừa" in page and "20.000" in page
