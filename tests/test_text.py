import pytest

from core.text import fold, normalise_phone, parse_whole_number, search_terms, slugify


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
