"""A field with an error is marked where the eye goes: its own red border, not only the text."""

import re

from playwright.sync_api import expect

DANGER = "rgb(179, 38, 30)"  # --danger in site.css


def test_a_refused_field_has_a_red_border_and_keeps_what_was_typed(live_server, page):
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server}/register")
    page.fill("#email", "not-an-email")
    page.get_by_role("button", name=re.compile("Đăng ký")).last.click()
    email = page.locator("#email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("not-an-email")
    assert email.evaluate("e => getComputedStyle(e).borderTopColor") == DANGER
    # A field without an error keeps the ordinary border.
    untouched = page.locator("#phone")
    assert untouched.evaluate("e => getComputedStyle(e).borderTopColor") != DANGER
