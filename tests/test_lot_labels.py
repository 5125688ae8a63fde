"""A lot's label sheet (/dashboard/lots/<id>/labels.pdf): the cooperative's own lots only, a
bounded number of labels, and one QR per label that a phone's reader decodes to the lot's
address. The PDF is rendered to PNG (pypdfium2, 200 dpi) and read back with zbarimg."""

from datetime import date, timedelta

import pytest

from marketplace import lot_labels
from marketplace.lots import record_lot
from tests.conftest import TEST_PASSWORD
from tests.qr_reading import codes_per_label


@pytest.fixture()
def coop(make):
    return make.cooperative("HTX Khóm Cầu Đúc Hỏa Tiến", owner=make.user(role="cooperative"))


def signed_in(client, coop):
    response = client.post("/login", data={"email": coop.owner.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


def lot_of(make, coop, **product_values):
    product = make.product("Mứt khóm Cầu Đúc", coop, **product_values)
    return record_lot(
        product, quantity=30, packed_on=date(2026, 11, 28), expires_on=date(2027, 5, 28)
    )


def test_one_qr_per_label_decodes_to_the_gs1_link(client, make, coop, zbarimg):
    lot = lot_of(make, coop, gtin="08938602110013")
    signed_in(client, coop)
    response = client.get(f"/dashboard/lots/{lot.id}/labels.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    found = codes_per_label(zbarimg, response.data)
    uri = f"http://localhost/01/08938602110013/10/{lot.code}"
    assert found == [[uri]] * lot_labels.PER_SHEET
    # The address opens the lot's page.
    assert client.get(uri.removeprefix("http://localhost")).status_code == 200


def test_count_labels_over_two_sheets_with_the_short_address(client, make, coop, zbarimg):
    lot = lot_of(make, coop)
    signed_in(client, coop)
    response = client.get(f"/dashboard/lots/{lot.id}/labels.pdf?count=30")
    found = codes_per_label(zbarimg, response.data)
    uri = f"http://localhost/t/{lot.trace_code}"
    # 30 labels: a full sheet and 6 on the second; the rest of that sheet stays blank.
    assert found == [[uri]] * 30 + [[]] * (2 * lot_labels.PER_SHEET - 30)


def test_the_qr_symbol_is_big_enough():
    long_uri = "https://ocop.haugiang.gov.vn/01/08938602110013/10/ABCDEFGHIJ0123456789"
    assert lot_labels.symbol_mm(long_uri) >= 20
    assert lot_labels.symbol_mm("http://localhost/t/ABCDEFGH") >= 20


@pytest.mark.parametrize(
    ("asked", "count"),
    [(None, 24), ("", 24), ("abc", 24), ("-3", 24), ("0", 1), ("5", 5), ("240", 240),
     ("241", 240), ("99999999999", 240), ("1e9", 24),
     ("²", 24), ("٣", 24)],  # digits to str.isdigit(), not to int()
)  # fmt: skip
def test_label_count_is_bounded(asked, count):
    assert lot_labels.label_count(asked) == count


def test_vietnamese_text_and_the_stars_are_in_the_pdf(client, make, coop, today):
    lot = lot_of(make, coop, rating=("148", 35, 21, 30, today - timedelta(days=30)))
    signed_in(client, coop)
    import pypdfium2

    pdf = client.get(f"/dashboard/lots/{lot.id}/labels.pdf?count=1").data
    text = pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()
    for expected in ("Mứt khóm Cầu Đúc", "HTX Khóm Cầu Đúc Hỏa Tiến", "HSD: 28/05/2027", "NSX: 28/11/2026", f"Lô: {lot.code}", "★★★★ OCOP"):  # fmt: skip
        assert expected in text, expected


def test_expired_stars_are_not_printed(client, make, coop, today):
    lot = lot_of(make, coop, rating=("148", 35, 21, 30, today - timedelta(days=4 * 366)))
    signed_in(client, coop)
    import pypdfium2

    pdf = client.get(f"/dashboard/lots/{lot.id}/labels.pdf?count=1").data
    assert "★" not in pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()


def test_only_the_cooperatives_own_lots(client, make, coop):
    other = make.cooperative("HTX Khác", owner=make.user(role="cooperative"))
    theirs = lot_of(make, other)
    signed_in(client, coop)
    assert client.get(f"/dashboard/lots/{theirs.id}/labels.pdf").status_code == 404
    assert client.get("/dashboard/lots/999999/labels.pdf").status_code == 404


def test_a_visitor_is_sent_to_log_in(client, make, coop):
    lot = lot_of(make, coop)
    response = client.get(f"/dashboard/lots/{lot.id}/labels.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
