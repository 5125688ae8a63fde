"""Public pages through the test client: full pages, htmx fragments, bad input, language."""

import re
from datetime import timedelta

import pytest


@pytest.fixture()
def pineapple(make, today):
    district = make.district("TP Vị Thanh", kind="city")
    commune = make.commune(district, "Xã Hỏa Tiến")
    coop = make.cooperative("HTX Khóm Cầu Đúc", district=district, commune=commune)
    return make.product(
        "Khóm Cầu Đúc",
        coop,
        price=15000,
        unit="trái",
        commune=commune,
        certifications="VietGAP",
        flagship=True,
        rating=("148", 35, 21, 30, today - timedelta(days=30)),
    )


def test_home_shows_flagships(client, pineapple):
    page = client.get("/").get_data(as_text=True)
    assert "Ba sản phẩm chủ lực" in page
    assert "/products/khom-cau-duc" in page


def test_catalogue_full_page_and_htmx_fragment(client, pineapple):
    full = client.get("/products?q=khom+cau+duc")
    assert full.status_code == 200
    body = full.get_data(as_text=True)
    assert body.lstrip().lower().startswith("<!doctype html>")
    assert 'id="catalogue-filters"' in body and "Khóm Cầu Đúc" in body

    fragment = client.get("/products?q=khom+cau+duc", headers={"HX-Request": "true"})
    part = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert part.lstrip().startswith('<section id="results"')
    assert "<html" not in part and "catalogue-filters" not in part
    assert "Khóm Cầu Đúc" in part
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.headers["HX-Push-Url"] in (
        "/products?q=khom+cau+duc",
        "/products?q=khom%20cau%20duc",
    )


def test_history_restore_gets_the_whole_page(client, pineapple):
    response = client.get(
        "/products?q=khom",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.get_data(as_text=True)


def test_empty_result_says_so_and_offers_to_clear(client, pineapple):
    body = client.get("/products?q=xoai+cat+hoa+loc").get_data(as_text=True)
    assert "Không tìm thấy sản phẩm nào" in body
    assert "Xóa bộ lọc" in body


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-3",
        "page=99999999999999999999",
        "stars=9",
        "min_price=x",
        "max_price=-1",
        "q=" + "a" * 2000,
        "q=%3Cscript%3Ealert(1)%3C/script%3E",
        "group=%00",
        "district=%27%3B--",
        "sort=%27",
        "in_stock=2",
        "q=%25%25%25&page=2",
    ],
)
def test_bad_query_strings_give_a_normal_page(client, pineapple, query):
    response = client.get(f"/products?{query}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script>alert(1)" not in body


def test_script_in_search_is_shown_escaped(client, pineapple):
    body = client.get("/products?q=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_pagination_links_keep_the_filters(client, make):
    coop = make.cooperative()
    for n in range(30):
        make.product(f"Khóm loại {n:02d}", coop, price=10000 + n)
    body = client.get("/products?q=khom&sort=price_asc").get_data(as_text=True)
    assert "Trang 1 / 2" in body
    assert "/products?q=khom&amp;sort=price_asc&amp;page=2" in body


def test_product_page_shows_rating_origin_and_cooperative(client, pineapple):
    body = client.get("/products/khom-cau-duc").get_data(as_text=True)
    rating = pineapple.ratings[0]
    assert rating.decision_number in body
    assert "Phần A: 35 · Phần B: 21 · Phần C: 30 · Tổng: 86/100" in body
    assert "4 sao OCOP" in body
    assert "Xã Hỏa Tiến, TP Vị Thanh" in body
    assert "VietGAP" in body
    assert "/cooperatives/htx-khom-cau-duc" in body
    assert "15.000\xa0₫" in body


def test_product_page_with_expired_rating_shows_expired_not_stars(client, make, today):
    from datetime import date

    make.product("Rượu gấc", rating=("1048", 30, 20, 35, date(2021, 1, 10)))
    body = client.get("/products/ruou-gac").get_data(as_text=True)
    assert "đã hết hạn" in body
    assert "4 sao OCOP" not in body


def test_unknown_or_hidden_product_is_404(client, make):
    make.product("Ẩn đi", active=False)
    assert client.get("/products/an-di").status_code == 404
    assert client.get("/products/khong-co").status_code == 404


def test_cooperative_pages(client, pineapple):
    listing = client.get("/cooperatives").get_data(as_text=True)
    assert "HTX Khóm Cầu Đúc" in listing and "1 sản phẩm" in listing
    profile = client.get("/cooperatives/htx-khom-cau-duc").get_data(as_text=True)
    assert "Khóm Cầu Đúc" in profile and "Xã Hỏa Tiến" in profile


def test_unapproved_cooperative_is_not_public(client, make):
    make.cooperative("HTX Chờ Duyệt", approved=False)
    assert client.get("/cooperatives/htx-cho-duyet").status_code == 404
    assert "HTX Chờ Duyệt" not in client.get("/cooperatives").get_data(as_text=True)


def test_vietnamese_by_default_and_english_remembered(client, pineapple):
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)
    english = client.get("/products?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english
    # Remembered on the next page without the parameter.
    again = client.get("/products/khom-cau-duc").get_data(as_text=True)
    assert '<html lang="en">' in again
    assert "₫15,000" in again
    assert '<html lang="vi">' in client.get("/?lang=vi").get_data(as_text=True)


def test_language_links_keep_the_query(client, pineapple):
    body = client.get("/products?q=khom&stars=4").get_data(as_text=True)
    assert "/products?q=khom&amp;stars=4&amp;lang=en" in body


def test_404_page_in_site_look_and_language(client, db):
    response = client.get("/khong-co-trang-nay?lang=en")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "site-header" in body and '<html lang="en">' in body


def test_security_headers(client, db):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_drawn_pictures_have_fingerprinted_urls_cached_for_a_year(client, pineapple):
    # pineapple has no picture: the placeholder, a static file, stands in on the card
    page = client.get("/products").get_data(as_text=True)
    src = re.search(r'<img src="(/static/img/products/placeholder\.svg\?v=[0-9a-f]{12})"', page)
    assert src, "a card's drawn picture has no fingerprinted URL"
    assert "immutable" in client.get(src[1]).headers["Cache-Control"]
