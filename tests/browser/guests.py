"""What a foreign guest types into a booking form, shared by the English journeys."""

import re

from playwright.sync_api import expect


def book_as_anna(page) -> None:
    """Fill the guest's details, book, and land on the confirmed booking's private page."""
    page.fill("#name", "Anna Schmidt")
    page.fill("#phone", "+49 151 2345 6789")
    page.fill("#email", "anna@example.de")
    page.fill("#country", "Germany")
    page.get_by_role("button", name="Book now").click()
    expect(page).to_have_url(re.compile(r"/bookings/BK-\d{4}-\d{6}\?token="))
    expect(page.locator(".status")).to_have_text("Confirmed")
