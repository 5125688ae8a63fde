"""A visitor searches without diacritics, opens a product and switches to English."""

import re

from playwright.sync_api import expect


def test_search_without_diacritics_open_product_switch_to_english(live_server, page):
    page.goto(f"{live_server}/products")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    page.fill("#q", "khom cau duc")
    # Results arrive as you type (htmx) and the URL follows, without a page load.
    expect(page).to_have_url(re.compile(r"/products\?q=khom(\+|%20)cau(\+|%20)duc$"))
    results = page.locator("#results")
    expect(results.locator(".result-count")).to_contain_text("cho “khom cau duc”")
    expect(results.get_by_role("link", name="Khóm Cầu Đúc", exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="Cá thát lát rút xương tẩm gia vị")).to_have_count(0)
    # The filter form is still there: only the results were swapped.
    expect(page.locator("#catalogue-filters")).to_have_count(1)

    results.get_by_role("link", name="Khóm Cầu Đúc", exact=True).click()
    expect(page).to_have_url(re.compile(r"/products/khom-cau-duc$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Khóm Cầu Đúc")
    expect(page.locator(".price-large")).to_contain_text("15.000 ₫")
    expect(page.locator(".rating-card")).to_contain_text("2105/QĐ-UBND")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".price-large")).to_contain_text("₫15,000")
    main_nav = page.get_by_role("navigation", name="Main navigation")
    expect(main_nav.get_by_role("link", name="Products", exact=True)).to_be_visible()

    # English is remembered on the next page.
    page.goto(f"{live_server}/products?q=that+lat")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.problems == []


def test_back_button_restores_the_previous_search(live_server, page):
    page.goto(f"{live_server}/products")
    page.fill("#q", "chanh")
    expect(page).to_have_url(re.compile(r"/products\?q=chanh$"))
    page.fill("#q", "buoi")
    expect(page).to_have_url(re.compile(r"/products\?q=buoi$"))
    expect(page.locator("#results")).to_contain_text("Bưởi Năm Roi")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/products\?q=chanh$"))
    expect(page.locator("#results")).to_contain_text("Chanh không hạt")
    assert page.problems == []
