"""Keyboard alone: a whole purchase and a whole booking.

Only keys move through the pages (Tab, Shift+Tab, Enter, Space, arrows, typed text); locators
only read what is on the page. Every element Tab stops on must show a focus ring, every
control the journeys need must be reachable with Tab, and after each htmx swap focus must not
fall back to <body> and the change must reach a live region.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core.clock import today

# What the focused element is, and whether it shows a focus ring (:focus-visible with an
# outline or a box-shadow).
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {tag: "BODY", ring: false, text: ""};
  // A date field's own calendar button is a Tab stop inside the field that the page cannot
  // style; the browser draws its ring.
  const picker = e.matches("input[type=date]") && !e.matches(":focus");
  const style = getComputedStyle(e);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && style.outlineColor !== "rgba(0, 0, 0, 0)";
  return {
    tag: e.tagName,
    id: e.id,
    text: (e.innerText || e.value || "").replace(/\\s+/g, " ").trim().slice(0, 60),
    ring: picker || (e.matches(":focus-visible") && (outline || style.boxShadow !== "none")),
  };
}"""
DATE_ORDERS = ("%m%d%Y", "%d%m%Y", "%Y%m%d")  # the parts of a date field depend on the locale


def describe(element: dict) -> str:
    name = element["tag"].lower() + (f"#{element['id']}" if element.get("id") else "")
    return f"{name} “{element['text']}”"


class Keyboard:
    """Tab stops seen by one journey, each checked for a visible focus ring."""

    def __init__(self, page):
        self.page = page
        self.ringed = set()  # kinds of elements seen with a focus ring

    def focused(self) -> dict:
        element = self.page.evaluate(FOCUSED)
        if element["tag"] != "BODY":
            assert element["ring"], f"no visible focus ring on {describe(element)}"
            self.ringed.add(element["tag"])
        return element

    def type_into(self, fields: dict[str, str]) -> None:
        """Tab to each field in turn and type its text."""
        for selector, text in fields.items():
            self.tab_to(selector)
            self.page.keyboard.type(text)

    def tab_to(self, selector: str, text: str | None = None, back=False, max_presses=80):
        """Press Tab (Shift+Tab with back) until the focused element matches the CSS selector
        (and contains text); fail when it never does."""
        key = "Shift+Tab" if back else "Tab"
        passed = []
        for _ in range(max_presses):
            self.page.keyboard.press(key)
            element = self.focused()
            matches = self.page.evaluate("s => document.activeElement.matches(s)", selector)
            if matches and (text is None or text in element["text"]):
                return element
            passed.append(describe(element))
        pytest.fail(
            f"{selector} {text or ''} not reached with {max_presses} × {key}; "
            f"the last stops: {', '.join(passed[-12:])}"
        )

    def type_date(self, day):
        """Type a date into the focused date field, part by part as a person would."""
        for order in DATE_ORDERS:
            self.page.keyboard.type(day.strftime(order))
            if self.page.evaluate("document.activeElement.value") == day.isoformat():
                return
            self.page.keyboard.press("Shift+Tab")  # back to the first part of the field
            self.page.keyboard.press("Shift+Tab")
        pytest.fail(f"could not type {day} into the date field")

    def replace_number(self, value: str):
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(value)

    def assert_focus_kept(self):
        element = self.focused()
        assert element["tag"] != "BODY", "focus fell back to <body> after the swap"
        return element


@pytest.fixture()
def keys(page):
    return Keyboard(page)


def announced(page, text):
    expect(page.locator("#announcer")).to_contain_text(text)


def test_keyboard_only_purchase(live_server, page, keys):
    page.goto(f"{live_server}/")
    keys.tab_to("a[href='/products/khom-cau-duc']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/products/khom-cau-duc$"))

    # Two of them, added with htmx: the status and the header count are announced.
    pineapple = keys.tab_to("input.qty")["id"].removeprefix("qty-")
    keys.replace_number("2")
    keys.tab_to("button", text="Thêm vào giỏ")
    page.keyboard.press("Enter")
    expect(page.locator(".product-detail .add-status")).to_have_text("Đã thêm vào giỏ (2).")
    expect(page.locator(".product-detail .add-status")).to_have_attribute("role", "status")
    expect(page.locator("#cart-count")).to_have_text("2")
    announced(page, "2 sản phẩm trong giỏ")
    assert keys.assert_focus_kept()["text"] == "Thêm vào giỏ"

    # A related product from its card, with Space this time.
    keys.tab_to("button", text="Thêm vào giỏ")
    page.keyboard.press("Space")
    expect(page.locator("#cart-count")).to_have_text("3")
    announced(page, "3 sản phẩm trong giỏ")

    keys.tab_to("#cart-link", back=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.locator(".cart-line")).to_have_count(2)

    # One more pineapple with the arrow key: the cart is swapped, focus stays on the field.
    keys.tab_to(f"#q-{pineapple}")
    assert page.evaluate("document.activeElement.value") == "2"
    page.keyboard.press("ArrowUp")
    expect(page.locator(f"#q-{pineapple}")).to_have_value("3")
    announced(page, "4 sản phẩm trong giỏ")
    # The new subtotal, once: not the replaced cart's old one as well.
    subtotal = " ".join(page.locator("#cart .cart-total").inner_text().split())
    announced(page, subtotal)
    assert page.locator("#announcer").inner_text().count("Tạm tính") == 1
    assert keys.assert_focus_kept()["id"] == f"q-{pineapple}"

    # Remove the other product: its line goes away, focus moves to the cart's first heading.
    other = f"[id^=remove-]:not(#remove-{pineapple})"
    above = page.locator(other).evaluate(
        "(e, id) => !!(e.compareDocumentPosition(document.getElementById(id)) & 4)",
        f"q-{pineapple}",
    )
    keys.tab_to(other, back=above)
    page.keyboard.press("Enter")
    expect(page.locator(".cart-line")).to_have_count(1)
    announced(page, "3 sản phẩm trong giỏ")
    assert keys.assert_focus_kept()["tag"] == "H2"

    keys.tab_to("a[href='/checkout']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/checkout$"))

    keys.tab_to("#name")
    page.keyboard.type("Trần Văn Bình")
    keys.tab_to("#phone")
    page.keyboard.type("0912 345 678")
    keys.tab_to("#province")
    page.keyboard.press("H")  # a closed select picks the first option typed: Hà Nội
    expect(page.locator("#province")).to_have_value("Hà Nội")
    # The delivery fee arrives with htmx and is announced; focus stays on the select.
    expect(page.locator("#checkout-summary")).to_contain_text("45.000 ₫")
    announced(page, "Tổng cộng: 90.000 ₫")
    assert keys.assert_focus_kept()["id"] == "province"
    # The ward list follows the province (htmx); a closed select takes the first letter
    # typed: the first ward (by name) that is a phường, Ba Đình.
    expect(page.locator("#ward")).to_contain_text("Phường Ba Đình")
    keys.tab_to("#ward")
    page.keyboard.press("P")
    expect(page.locator("#ward")).to_have_value("Phường Ba Đình")
    keys.type_into({"#street": "12 Phan Đình Phùng"})
    keys.tab_to("input[name=payment_method]")
    page.keyboard.press("ArrowDown")
    expect(page.locator("input[value=vietqr]")).to_be_checked()
    keys.tab_to("button[type=submit]", text="Xác nhận đặt hàng")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/orders/HG-\d{4}-\d{6}\?token="))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"HG-\d{4}-\d{6}"))
    expect(page.locator(".order")).to_have_count(1)
    expect(page.locator(".transfer-step .qr img")).to_have_count(1)
    expect(page.locator("#cart-count")).to_have_text("0")
    assert {"A", "BUTTON", "INPUT", "SELECT"} <= keys.ringed
    assert page.problems == []


def test_keyboard_only_booking(live_server, page, keys):
    arrive = today() + timedelta(days=20)
    leave = arrive + timedelta(days=2)
    page.goto(f"{live_server}/tourism")
    keys.tab_to("a[href='/tourism/homestay-lang-khom-hoa-tien']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Homestay làng khóm Hỏa Tiến")

    # Next month on the calendar (htmx): focus stays on the arrow, the month is announced.
    title = page.locator("#calendar-title")
    this_month = title.text_content().strip()
    keys.tab_to("#calendar-next")
    page.keyboard.press("Enter")
    expect(title).not_to_have_text(this_month)
    next_month = title.text_content().strip()
    announced(page, next_month)
    assert keys.assert_focus_kept()["id"] == "calendar-next"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(title).to_have_text(this_month)
    announced(page, this_month)
    assert keys.assert_focus_kept()["id"] == "calendar-previous"

    # Dates and guests typed; the price follows and is announced.
    keys.tab_to("#check_in")
    keys.type_date(arrive)
    keys.tab_to("#check_out")
    keys.type_date(leave)
    keys.tab_to("#guests")
    keys.replace_number("3")  # two rooms of at most two guests
    quote = page.locator("#quote")
    expect(quote).to_contain_text("1.800.000 ₫")
    expect(quote).to_contain_text("2 phòng × 2 đêm × 450.000 ₫")
    announced(page, "1.800.000 ₫")
    assert keys.assert_focus_kept()["id"] == "guests"

    keys.type_into(
        {
            "#name": "Lê Thị Hoa",
            "#phone": "0987654321",
            "#email": "hoa@example.vn",
            "#note": "Đến khoảng 16 giờ.",
        }
    )
    keys.tab_to("button[type=submit]", text="Gửi yêu cầu đặt chỗ")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/bookings/BK-\d{4}-\d{6}\?token="))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"BK-\d{4}-\d{6}"))
    expect(page.locator(".status")).to_have_text("Chờ chủ nhà xác nhận")
    expect(page.locator("main")).to_contain_text("Lê Thị Hoa")
    assert {"A", "BUTTON", "INPUT", "TEXTAREA"} <= keys.ringed
    code = re.search(r"BK-\d{4}-\d{6}", page.url).group(0)

    # The host confirms it from the keyboard: the row is swapped (htmx), focus moves to the
    # booking's code and status, the result is announced.
    host = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    desk = host.new_page()
    desk_keys = Keyboard(desk)
    sign_in(desk, desk_keys, live_server, "htx.khomcauduc@ocop.demo")
    desk.goto(f"{live_server}/dashboard/tourism/bookings")
    desk_keys.tab_to("button[value=confirmed]")
    desk.keyboard.press("Enter")
    row = desk.locator(".host-booking", has_text=code)
    expect(row.locator(".host-status")).to_have_text("Đã xác nhận")
    announced(desk, f"Đặt chỗ {code}: “Chờ chủ nhà xác nhận” → “Đã xác nhận”.")
    head = desk_keys.assert_focus_kept()
    assert head["tag"] == "DIV" and code in head["text"] and "Đã xác nhận" in head["text"]
    desk_keys.tab_to("summary", text="Hủy đặt chỗ")  # on from there: cancelling is next
    desk.keyboard.press("Enter")
    expect(row.locator("details")).to_have_attribute("open", "")
    assert "SUMMARY" in desk_keys.ringed
    host.close()
    assert page.problems == []


def test_keyboard_picks_dates_on_the_calendar(live_server, page, keys):
    """The calendar's days are buttons in the Tab order: Enter picks one, focus stays on it,
    what was picked and the price are read out."""
    arrive = (today().replace(day=1) + timedelta(days=32)).replace(day=10)  # next month
    leave = arrive + timedelta(days=2)
    page.goto(f"{live_server}/tourism/homestay-lang-khom-hoa-tien")
    keys.tab_to("#calendar-next")
    page.keyboard.press("Enter")
    expect(page.locator(f"#day-{arrive}")).to_be_visible()
    assert keys.assert_focus_kept()["id"] == "calendar-next"
    keys.tab_to(f"#day-{arrive}")
    page.keyboard.press("Enter")
    expect(page.locator("#check_in")).to_have_value(arrive.isoformat())
    announced(page, f"Ngày nhận phòng: {arrive:%d/%m/%Y}")
    assert keys.assert_focus_kept()["id"] == f"day-{arrive}"
    expect(page.locator(f"#day-{arrive}")).to_have_attribute("aria-pressed", "true")
    keys.tab_to(f"#day-{leave}")
    page.keyboard.press("Space")
    expect(page.locator("#check_out")).to_have_value(leave.isoformat())
    announced(page, "900.000 ₫")  # 1 room × 2 nights × 450,000
    announced(page, "2 đêm")
    assert keys.assert_focus_kept()["id"] == f"day-{leave}"
    # On to the form: the link after the calendar's summary, then the guests.
    keys.tab_to("a[href='#book-title']")
    keys.tab_to("#guests")
    assert page.problems == []


def sign_in(page, keys, live_server, email):
    page.goto(f"{live_server}/login")
    keys.tab_to("#email")
    page.keyboard.type(email)
    keys.tab_to("#password")
    page.keyboard.type("demo1234")
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile("/login"))


def test_catalogue_and_fair_plan_by_keyboard(live_server, db, page, keys):
    from fairs.demo import seed_fairs

    seed_fairs(today())
    db.session.remove()
    page.goto(f"{live_server}/products")
    results = page.locator("#results")

    # The next page of results (htmx): the link goes away with the old results, so focus
    # moves to the new count; the page number is announced.
    keys.tab_to("a[rel=next]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"page=2"))
    announced(page, "Trang 2 / 2")
    focused = keys.assert_focus_kept()
    assert focused["tag"] == "P" and "sản phẩm" in focused["text"]
    page.keyboard.press("Tab")  # and on into the new results
    assert page.evaluate("document.activeElement.closest('#results .product-card') !== null")

    # Searching as you type: focus stays in the field, the count is announced.
    keys.tab_to("#q", back=True)
    page.keyboard.type("khom cau duc")
    expect(results.locator(".result-count")).to_contain_text("cho “khom cau duc”")
    announced(page, "cho “khom cau duc”")
    assert keys.assert_focus_kept()["id"] == "q"

    # A booth on a fair's plan: focus stays on the plan, the panel (a live region) shows it.
    page.goto(f"{live_server}/fairs/hoi-cho-ocop-hau-giang")
    booth = keys.tab_to("a.booth")
    page.keyboard.press("Enter")
    panel = page.locator("#booth-panel")
    expect(panel).to_have_attribute("aria-live", "polite")
    expect(panel.locator("h2")).to_contain_text(booth["text"].split(" ")[0])
    assert "booth" in page.evaluate("document.activeElement.className")


def test_dashboard_inline_edit_by_keyboard(live_server, page, keys):
    sign_in(page, keys, live_server, "htx.kynhu@ocop.demo")
    page.goto(f"{live_server}/dashboard/products")
    field = keys.tab_to("[id^=price-]")
    keys.replace_number("99000")
    page.keyboard.press("Enter")  # submits the row's form (htmx swaps the row)
    row = page.locator(f"#product-{field['id'].removeprefix('price-')}")
    expect(row.locator(".dash-saved")).to_have_text("Đã lưu.")
    announced(page, "Đã lưu.")
    assert keys.assert_focus_kept()["id"] == field["id"]
    expect(row.locator(f"#{field['id']}")).to_have_value("99.000")

    # A price that is refused: the error is announced, focus stays in the field.
    keys.replace_number("-5")
    page.keyboard.press("Enter")
    expect(row.locator(".error")).to_have_count(1)
    announced(page, row.locator(".error").text_content())
    assert keys.assert_focus_kept()["id"] == field["id"]
    assert page.problems == []
