import pytest

from core.text import (
    fold,
    normalise_international_phone,
    normalise_phone,
    parse_whole_number,
    search_terms,
    slugify,
    vietnamese_sort_key,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Khóm Cầu Đúc", "khom cau duc"),
        ("KHÓM", "khom"),
        ("đặc sản", "dac san"),
        ("ĐẶC SẢN", "dac san"),
        # Letters with two marks: circumflex or breve plus a tone.
        ("Chanh không hạt ỗ ậ ặ ễ ờ ữ", "chanh khong hat o a a e o u"),
        ("  cá   thát\tlát ", "ca that lat"),
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_same_for_composed_and_decomposed_input():
    import unicodedata

    word = "Đúc Hỏa Tiến"
    assert fold(unicodedata.normalize("NFD", word)) == fold(unicodedata.normalize("NFC", word))


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Khóm Cầu Đúc", "khom-cau-duc"),
        ("Cá thát lát rút xương tẩm gia vị", "ca-that-lat-rut-xuong-tam-gia-vi"),
        ("HTX Kỳ Như!!", "htx-ky-nhu"),
        ("Đường / Mía -- 100%", "duong-mia-100"),
        ("???", "muc"),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_search_terms_are_folded_and_limited():
    assert search_terms("Khóm  CẦU đúc") == ["khom", "cau", "duc"]
    assert len(search_terms("a " * 50)) == 8


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        # 84 without the +, 0084, and +84 (0)…
        ("84912345678", "0912345678"),
        ("84 912 345 678", "0912345678"),
        ("0084 912 345 678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("0912-345-678", "0912345678"),
        # every mobile prefix: 03, 05, 07, 08, 09
        ("0388 123 456", "0388123456"),
        ("0567 123 456", "0567123456"),
        ("0703 123 456", "0703123456"),
        ("0868 123 456", "0868123456"),
        # landlines: 0, an area code starting with 2, 8 digits (Cần Thơ and Hậu Giang: 0292, 0293)
        ("0293 3876 543", "02933876543"),
        ("(0293) 3.876.543", "02933876543"),
        ("0292-3821-234", "02923821234"),
        ("024 3825 1234", "02438251234"),
        ("+84 293 3876 543", "02933876543"),
        ("842933876543", "02933876543"),
        # junk
        ("0293 387 654", None),  # a landline one digit short
        ("0123456789", None),  # 01…: no such mobile since 2018
        ("0612345678", None),
        ("02933876543 1", None),
        ("0912345678x", None),
        ("０９１２３４５６７８", None),  # full-width digits
        ("+4915123456789", None),  # abroad: not a Vietnamese number
        ("", None),
        (None, None),
        ("912345678", None),
        ("09123456789", None),
        ("1912345678", None),
        ("+8491234567", None),
        ("abc", None),
    ],
)
def test_normalise_phone(raw, normal):
    assert normalise_phone(raw) == normal


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("0912 345 678", "0912345678"),
        ("0293 3876 543", "02933876543"),
        ("+49 151 23456789", "+4915123456789"),
        ("+84 1234 5678", None),  # +84, but no Vietnamese number: not taken for one abroad
        ("4915123456789", None),
        ("+12", None),
    ],
)
def test_normalise_international_phone(raw, normal):
    assert normalise_international_phone(raw) == normal


def test_vietnamese_sort_key_puts_letters_in_vietnamese_order():
    names = ["Đồng Tháp", "Hồ Chí Minh", "Hà Nội", "An Giang", "Cần Thơ", "Cà Mau", "Cao Bằng",
             "Dak", "Hưng Yên", "Huế", "Ăn", "Ân"]  # fmt: skip
    assert sorted(names, key=vietnamese_sort_key) == [
        "An Giang", "Ăn", "Ân", "Cà Mau", "Cao Bằng", "Cần Thơ", "Dak", "Đồng Tháp", "Hà Nội",
        "Hồ Chí Minh", "Huế", "Hưng Yên",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("150000", 150_000),
        ("150.000", 150_000),
        ("1.250.000", 1_250_000),
        ("150,000", 150_000),
        ("150 000", 150_000),
        ("150.000 đ", 150_000),
        ("0", 0),
        ("abc", None),
        ("1.5", None),
        ("12,50", None),
        ("1.000,000", None),
        ("-5", None),
        ("", None),
    ],
)
def test_parse_whole_number(text, number):
    assert parse_whole_number(text) == number


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("0912345678", "0912 345 678"), ("02933876543", "0293 3876 543"), ("+4915123", "+4915123")],
)
def test_phone_for_reading(stored, shown):
    from core.text import phone_for_reading

    assert phone_for_reading(stored) == shown
