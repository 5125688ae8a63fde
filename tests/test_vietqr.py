import pytest

from payments.banks import BANKS, bank_name, bank_of
from payments.vietqr import crc16_ccitt_false, payload, qr_svg, transfer_purpose

# The example published with the NAPAS VietQR specification.
PUBLIC_VECTOR = (
    "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
    "53037045405100005802VN62150811Chuyen tien630453E6"
)


def parse_tlv(text: str) -> dict[str, str]:
    """ID (2) + length (2 digits) + value, repeated; fails on a truncated field."""
    fields = {}
    while text:
        tag, length = text[:2], int(text[2:4])
        value = text[4 : 4 + length]
        assert len(value) == length, f"field {tag} is cut short"
        fields[tag] = value
        text = text[4 + length :]
    return fields


def test_public_test_vector():
    assert payload("970416", "257678859", 10000, "Chuyen tien") == PUBLIC_VECTOR


def test_crc_known_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1


def test_crc_matches_last_four_characters():
    text = payload("970422", "0123456789", 250000, "HG2026000123")
    assert text[-8:-4] == "6304"
    assert text[-4:] == f"{crc16_ccitt_false(text[:-4].encode('ascii')):04X}"


def test_fields_and_nesting():
    fields = parse_tlv(payload("970416", "257678859", 10000, "Chuyen tien"))
    assert list(fields) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    merchant = parse_tlv(fields["38"])
    assert merchant["00"] == "A000000727"
    assert merchant["02"] == "QRIBFTTA"
    assert parse_tlv(merchant["01"]) == {"00": "970416", "01": "257678859"}
    assert parse_tlv(fields["62"]) == {"08": "Chuyen tien"}


def test_amount_only_when_given():
    with_amount = parse_tlv(payload("970416", "257678859", 10000))
    assert with_amount["01"] == "12"
    assert with_amount["54"] == "10000"

    without = parse_tlv(payload("970416", "257678859"))
    assert without["01"] == "11"
    assert "54" not in without
    assert "62" not in without


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("HG-2026-000123", "HG2026000123"),
        ("  Đơn   hàng\tsố 7 ", "Don hang so 7"),
        ("", ""),
    ],
)
def test_transfer_purpose(text, purpose):
    assert transfer_purpose(text) == purpose


def test_transfer_purpose_vietnamese_text_is_cut():
    purpose = transfer_purpose("Thanh toán đơn hàng Khóm Cầu Đúc")
    assert purpose.isascii()
    assert len(purpose) <= 25
    assert purpose.startswith("Thanh toan don hang")
    assert purpose == purpose.strip()
    payload("970416", "257678859", 10000, purpose)  # accepted as it is


@pytest.mark.parametrize("bank_bin", ["97041", "9704160", "97041A", "", "９７０４１６"])
def test_bad_bin(bank_bin):
    with pytest.raises(ValueError, match="BIN"):
        payload(bank_bin, "257678859")


@pytest.mark.parametrize("account", ["", "2576-78859", "12345678901234567890", "abc"])
def test_bad_account(account):
    with pytest.raises(ValueError, match="Account"):
        payload("970416", account)


@pytest.mark.parametrize("amount", [0, -5])
def test_non_positive_amount(amount):
    with pytest.raises(ValueError, match="positive"):
        payload("970416", "257678859", amount)


@pytest.mark.parametrize("amount", [True, 10000.0, "10000"])
def test_amount_must_be_an_integer(amount):
    with pytest.raises(ValueError, match="whole number"):
        payload("970416", "257678859", amount)


def test_purpose_too_long():
    with pytest.raises(ValueError, match="at most 25"):
        payload("970416", "257678859", 10000, "x" * 26)


def test_purpose_not_ascii():
    with pytest.raises(ValueError, match="ASCII"):
        payload("970416", "257678859", 10000, "Chuyển tiền")


def test_qr_svg():
    svg = qr_svg(PUBLIC_VECTOR)
    assert svg.startswith("<svg")
    assert "viewBox" in svg
    assert "<title>" in svg
    assert " width=" not in svg and " height=" not in svg
    assert "<?xml" not in svg
    assert "<script" not in svg.lower()


def test_the_bank_list_has_each_bin_once_and_six_digits():
    bins = [bank.bin for bank in BANKS]
    assert len(bins) == len(set(bins)) and len(BANKS) >= 40
    assert all(len(b) == 6 and b.isascii() and b.isdigit() for b in bins)
    assert {bank_name(b) for b in ("970436", "970405", "970422", "546034")} == {
        "Vietcombank",
        "Agribank",
        "MB",
        "CAKE",
    }
    assert bank_name("123456") == "123456"  # a BIN not in the list is shown as it is
    assert bank_of("970405").label.startswith("Agribank (970405) – Ngân hàng Nông nghiệp")
