"""One date style per language, by name (core.formatting.DATE_FORMATS): Vietnamese writes
10/01/2027 and 16:02 01/12/2026, English 10 Jan 2027 and 16:02, 1 Dec 2026."""

from datetime import date, datetime

import pytest
from flask_babel import force_locale

from core import formatting

# 09:02 UTC is 16:02 in Vietnam (UTC+7); 17:30 UTC on 31 Dec is already 1 Jan there.
CASES = [
    ("vi", formatting.day, date(2027, 1, 10), "10/01/2027"),
    ("en", formatting.day, date(2027, 1, 10), "10 Jan 2027"),
    ("vi", formatting.moment, datetime(2026, 12, 1, 9, 2), "16:02 01/12/2026"),
    ("en", formatting.moment, datetime(2026, 12, 1, 9, 2), "16:02, 1 Dec 2026"),
    ("vi", formatting.moment, datetime(2026, 12, 31, 17, 30), "00:30 01/01/2027"),
    ("vi", lambda d: formatting.day(d, "month"), date(2026, 1, 5), "01/2026"),
    ("en", lambda d: formatting.day(d, "month"), date(2026, 1, 5), "Jan 2026"),
]


@pytest.mark.parametrize("language, show, value, shown", CASES)
def test_named_styles(app, language, show, value, shown):
    with app.test_request_context(), force_locale(language):
        assert show(value) == shown


def test_every_language_has_every_style():
    assert {k: set(v) for k, v in formatting.DATE_FORMATS.items()} == {
        "vi": set(formatting.DATE_FORMATS["vi"]),
        "en": set(formatting.DATE_FORMATS["vi"]),
    }


def test_nothing_is_shown_for_no_date(app):
    with app.test_request_context():
        assert formatting.day(None) == "" and formatting.moment(None) == ""


def test_a_product_page_writes_its_certificate_dates_in_each_style(client, make):
    """Through the template filters, the page's dates follow the language."""
    product = make.product("Khóm Cầu Đúc", rating=("148", 35, 20, 30, date(2025, 3, 7)))
    rating = product.ratings[0]
    vi = client.get(f"/products/{product.slug}?lang=vi").get_data(as_text=True)
    en = client.get(f"/products/{product.slug}?lang=en").get_data(as_text=True)
    assert "07/03/2025" in vi and rating.valid_until.strftime("%d/%m/%Y") in vi
    assert "7 Mar 2025" in en and f"{rating.valid_until.day} {rating.valid_until:%b %Y}" in en
    assert "thg" not in vi
