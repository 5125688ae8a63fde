"""GTINs and GS1 Digital Link URIs (marketplace.gs1): check digits computed by hand from the
GS1 algorithm, URIs built and read back."""

import pytest

from marketplace.gs1 import (
    DigitalLink,
    check_digit,
    digital_link,
    gtin_is_valid,
    normalise_gtin,
    parse_digital_link,
)

# Vietnamese (893) GTIN-13s, a German one (GS1's own example), a GTIN-8, a UPC-A (GTIN-12)
# and a GTIN-14 of a case.
VALID = ["8938505974194", "8938507000013", "4006381333931", "96385074", "036000291452", "18938505974191"]  # fmt: skip


@pytest.mark.parametrize("gtin", VALID)
def test_real_gtins_are_valid(gtin):
    assert gtin_is_valid(gtin)
    assert normalise_gtin(gtin) == gtin.zfill(14)


def test_check_digit_by_hand():
    # 8 9 3 8 5 0 5 9 7 4 1 9, weights from the right 3 1 3 1…: sum 106, so 4 makes 110.
    assert check_digit("893850597419") == 4
    assert check_digit("400638133393") == 1
    assert check_digit("9638507") == 4


@pytest.mark.parametrize(
    "gtin",
    ["8938505974195", "8938505974190", "4006381333932", "96385075", "893850597419", "12345",
     "893850597419a", "８９３８５０５９７４１９４", "", "000000000000000"],
)  # fmt: skip
def test_wrong_gtins_are_refused(gtin):
    assert not gtin_is_valid(gtin)
    assert normalise_gtin(gtin) is None


def test_typed_gtins_are_normalised():
    assert normalise_gtin(" 893 8505 974194 ") == "08938505974194"
    assert normalise_gtin("893-8505-97419-4") == "08938505974194"
    assert normalise_gtin("96385074") == "00000096385074"


def test_digital_link_builds_with_gtin14_and_encoded_lot():
    uri = digital_link("https://ocop.example.vn/", "8938505974194", "261201-1")
    assert uri == "https://ocop.example.vn/01/08938505974194/10/261201-1"
    assert digital_link("https://x.vn", "8938505974194", "A B/1") == (
        "https://x.vn/01/08938505974194/10/A%20B%2F1"
    )
    with pytest.raises(ValueError):
        digital_link("https://x.vn", "8938505974195", "1")


def test_digital_link_round_trips():
    uri = digital_link("https://x.vn", "8938507000013", "TONDAU")
    assert parse_digital_link(uri) == DigitalLink("08938507000013", "TONDAU")


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("https://x.vn/01/08938505974194/10/261201-1", DigitalLink("08938505974194", "261201-1")),
        # A GTIN-13 in the path, extra attributes in the query, a serial after the lot.
        ("https://x.vn/01/8938505974194/10/L1?17=271231", DigitalLink("08938505974194", "L1")),
        ("https://x.vn/01/08938505974194/10/L1/21/SN9", DigitalLink("08938505974194", "L1")),
        ("/01/08938505974194", DigitalLink("08938505974194", None)),
        ("https://x.vn/01/08938505974194/10/A%20B", DigitalLink("08938505974194", "A B")),
    ],
)
def test_parse(uri, expected):
    assert parse_digital_link(uri) == expected


@pytest.mark.parametrize(
    "uri",
    [
        "https://x.vn/01/08938505974195/10/L1",  # wrong check digit
        "https://x.vn/01/0893850597419/10/L1",  # 13 digits whose last is not the check digit
        "https://x.vn/01/abc/10/L1",
        "https://x.vn/01/08938505974194/10",  # a key with no value
        "https://x.vn/products/khom",
        "https://x.vn/01/08938505974194/10/" + "X" * 21,  # AI 10 is 20 characters at most
    ],
)
def test_parse_refuses(uri):
    assert parse_digital_link(uri) is None
