"""The "Lọc" drawer of /products and /tourism (templates/macros/filters.html): the filters in a
<details>, its summary saying how many are on, counted from the page's filters and not kept in
the cached filter form; the catalogue's htmx answer sends the summary again out of band.
How it looks and opens in a browser: tests/browser/test_phone_layout.py."""

import re
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from marketplace.catalogue import CatalogueFilters
from tourism.listings import ListingFilters

SUMMARY = re.compile(
    r'<details class="filter-drawer">\s*<summary class="button button-secondary filter-toggle">'
    r'<span id="filter-toggle-label">([^<]*)</span></summary>'
)
OUT_OF_BAND = re.compile(r'<span id="filter-toggle-label" hx-swap-oob="true">([^<]*)</span>')


def summary(html: str) -> str:
    found = SUMMARY.findall(html)
    assert len(found) == 1, f"{len(found)} drawers on the page"
    return found[0]


def args(**values) -> MultiDict:
    return MultiDict({k: str(v) for k, v in values.items()})


@pytest.mark.parametrize(
    ("given", "count"),
    [
        ({}, 0),
        ({"q": "khom", "sort": "newest", "page": "3"}, 0),  # the search is in the header
        ({"group": "food"}, 1),
        ({"group": "no-such-group"}, 0),  # ignored, so not on
        ({"min_price": "0"}, 1),  # a bound of 0 is still a bound
        ({"min_price": "1000", "max_price": "90000"}, 1),  # one price range
        ({"stars": "0", "in_stock": "no"}, 0),
        (
            {"group": "food", "district": "x", "stars": "4", "max_price": "1", "in_stock": "1"},
            5,
        ),
    ],
)
def test_the_catalogue_counts_the_drawers_filters_that_are_on(given, count):
    assert CatalogueFilters.from_args(args(**given)).active_filters == count


@pytest.mark.parametrize(
    ("given", "count"),
    [
        ({}, 0),
        ({"guests": "1"}, 0),  # one guest is what the form starts with
        ({"guests": "3"}, 1),
        ({"kind": "tour", "district": "x", "max_price": "0"}, 3),
        ({"kind": "castle", "date": "not a day"}, 0),
    ],
)
def test_the_listings_count_their_filters_that_are_on(given, count):
    assert ListingFilters.from_args(args(**given)).active_filters == count


def test_a_closed_drawer_says_how_many_filters_are_on(client, make):
    make.product("Khóm Cầu Đúc", price=15_000)
    assert summary(client.get("/products").get_data(as_text=True)) == "Lọc"
    assert summary(client.get("/products?q=khom").get_data(as_text=True)) == "Lọc"
    page = client.get("/products?q=khom&stars=4&in_stock=1&min_price=1000").get_data(as_text=True)
    assert summary(page) == "Lọc (3)"
    # Only the htmx answer carries the summary out of band: a whole page has it once.
    assert not OUT_OF_BAND.search(page)


def test_the_cached_filter_form_does_not_carry_the_count(client, make):
    """Two addresses with the same filter form (the page number differs) may share its cached
    form; each page's summary is its own, and so is the form's choice."""
    make.product("Khóm Cầu Đúc", price=15_000)
    one = client.get("/products?in_stock=1").get_data(as_text=True)
    two = client.get("/products?in_stock=1&stars=5").get_data(as_text=True)
    again = client.get("/products?in_stock=1").get_data(as_text=True)
    assert (summary(one), summary(two), summary(again)) == ("Lọc (1)", "Lọc (2)", "Lọc (1)")
    assert 'value="5" selected' in two and 'value="5" selected' not in again


def test_the_htmx_answer_brings_the_summary_with_the_results(client, make):
    make.product("Khóm Cầu Đúc", price=15_000)
    part = client.get("/products?stars=4&in_stock=1", headers={"HX-Request": "true"})
    html = part.get_data(as_text=True)
    assert "<html" not in html and OUT_OF_BAND.findall(html) == ["Lọc (2)"]
    assert OUT_OF_BAND.findall(
        client.get("/products", headers={"HX-Request": "true"}).get_data(as_text=True)
    ) == ["Lọc"]
    # htmx restoring a page from history asks for the whole page: one summary, in its drawer.
    restored = client.get(
        "/products?in_stock=1",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    ).get_data(as_text=True)
    assert summary(restored) == "Lọc (1)" and not OUT_OF_BAND.search(restored)


def test_the_tourism_filters_are_in_the_same_drawer(client, homestay, today):
    page = client.get("/tourism").get_data(as_text=True)
    assert summary(page) == "Lọc"
    start = page.index('<details class="filter-drawer">')
    end = page.index("</details>", start)
    drawer = page[start:end]
    for field in ('id="kind"', 'id="district"', 'id="date"', 'id="guests"', 'id="max_price"'):
        assert field in drawer, field
    assert "Homestay Mương Đình" in page[end:]
    day = (today + timedelta(days=5)).isoformat()
    chosen = client.get(f"/tourism?date={day}&guests=2&kind=homestay").get_data(as_text=True)
    assert summary(chosen) == "Lọc (3)"
    assert 'value="homestay" selected' in chosen and 'name="guests" min="1" max="50" value="2"' in (
        chosen
    )
