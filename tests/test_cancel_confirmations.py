"""Every cancel asks first (templates/macros/cancel.html): its button opens a confirmation, a
<details> holding the real form, that says what cancelling does: the fee, what goes back
(stock, rooms and seats, a booth) and the money back, how much and how. The POST behind it
still cancels, once. And the buyer's checkout total follows a partial cancellation: the
order page's header, what is left to transfer, the account's list, the cancelled mail."""

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from core.extensions import db as _db
from fairs import booths
from fairs.models import BoothRequest
from marketplace import orders
from marketplace.models import Order, Product
from marketplace.payables import checkout_totals
from tests.test_dashboard import login
from tests.test_deposits import bank_notice, banked, fresh, owner, stay, stay_booking  # noqa: F401
from tests.test_fairs import ask, coop_user, fair  # noqa: F401
from tests.test_fairs import login as login_as
from tests.test_notifications_events import messages
from tests.test_order_transfers import pay, place, shops  # noqa: F401

TAG = re.compile(r"<[^>]+>")


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + "\xa0₫"


def page_of(response) -> str:
    """The page, checked: every cancel on it sits inside a confirmation."""
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert unconfirmed_cancels(page) == []
    return page


def confirmation(page: str, details_id: str) -> str:
    """The text of one confirmation (its <details>), tags out, spaces folded."""
    found = re.search(rf'<details class="confirm" id="{details_id}">(.*?)</details>', page, re.S)
    assert found, f"no confirmation {details_id}"
    assert f'<details class="confirm" id="{details_id}" open' not in page  # closed at first
    return _folded(found.group(1))


def _folded(markup: str) -> str:
    """Tags out, runs of spaces and new lines as one space (the no-break space of amounts
    stays)."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(TAG.sub(" ", markup))).strip()


def words(page: str) -> str:
    return _folded(page)


def header_total(page: str) -> tuple[str | None, str]:
    """The order page's "Tổng cộng": (the struck total before, or None; the total now)."""
    before = re.search(r'<s class="order-total-before">([^<]+)</s>', page)
    now = re.search(r'<strong class="order-total-now">([^<]+)</strong>', page)
    return (html.unescape(before.group(1)) if before else None), html.unescape(now.group(1))


def left_to_transfer(page: str) -> str:
    found = re.search(r'class="transfers-left">.*?<strong>([^<]+)</strong>', page, re.S)
    return html.unescape(found.group(1))


# --- the buyer's order ------------------------------------------------------------------------


@pytest.fixture()
def two_orders(client, shops):  # noqa: F811
    """A guest's checkout by transfer from two cooperatives: (checkout, its link, the orders)."""
    checkout, location = place(client, *shops)
    first, second = checkout.orders
    return checkout, location, first, second


def test_the_buyers_confirmation_says_fee_stock_money_and_the_new_total(client, two_orders):
    checkout, location, first, second = two_orders
    page = page_of(client.get(location))
    said = confirmation(page, f"cancel-{second.id}")
    assert "Hủy đơn này" in said and "Xác nhận hủy" in said and "Không hủy" in said
    assert "Không mất phí hủy." in said
    lines = ", ".join(f"{line.name} × {line.quantity}" for line in second.lines)
    assert f"Hàng trong đơn ({lines}) được trả lại cho {second.cooperative.name}." in said
    assert "Bạn chưa chuyển khoản cho đơn này: đừng chuyển nữa." in said
    assert f"Tổng cộng của mã đơn {checkout.code} còn {vnd(first.total)}." in said
    assert f"Còn phải chuyển khoản: {vnd(first.total)}." in said
    assert "Không thể hoàn tác sau khi hủy." in said
    # The real form is inside, with the link's token; "Không hủy" goes back to the page.
    assert f'action="/orders/{checkout.code}/{second.id}/cancel"' in page
    assert f'href="{location.replace("&", "&amp;")}#order-part-{second.id}"' in page or (
        f"#order-part-{second.id}" in page
    )


def test_paid_orders_confirmation_says_how_much_comes_back_and_how(client, two_orders):
    checkout, location, first, second = two_orders
    pay(second, 100_000)  # part of it
    page = page_of(client.get(location))
    said = confirmation(page, f"cancel-{second.id}")
    assert (
        f"{second.cooperative.name} sẽ hoàn lại cho bạn {vnd(100_000)} bằng chuyển khoản "
        "từ tài khoản của hợp tác xã" in said
    )
    assert "đừng chuyển nữa" not in said


def test_a_partial_cancellation_changes_the_header_total_and_what_is_to_pay(client, two_orders):
    checkout, location, first, second = two_orders
    placed = first.total + second.total
    page = page_of(client.get(location))
    assert header_total(page) == (None, vnd(placed))
    assert left_to_transfer(page) == vnd(placed)

    token = location.split("token=")[1]
    url = f"/orders/{checkout.code}/{second.id}/cancel"
    answer = client.post(url, data={"token": token, "reason": "Đặt nhầm"})
    assert answer.status_code == 302
    assert client.post(url, data={"token": token}).status_code == 302  # twice: done once
    _db.session.rollback()
    assert _db.session.get(Order, second.id).status == "cancelled"

    page = page_of(client.get(location))
    assert header_total(page) == (vnd(placed), vnd(first.total))
    assert f"Không tính {vnd(second.total)} của đơn đã hủy." in words(page)
    assert left_to_transfer(page) == vnd(first.total)
    assert page.count('class="transfer-step ') == 1
    assert "Đã hủy, không tính vào tổng cộng" in words(page)
    assert f'id="cancel-{second.id}"' not in page  # nothing more to cancel there
    assert f'id="cancel-{first.id}"' in page
    totals = checkout_totals(_db.session.get(Order, first.id).checkout)
    assert (totals.placed, totals.cancelled, totals.total) == (
        placed,
        second.total,
        first.total,
    )
    assert totals.to_transfer == first.total

    # Half of the first arrives: what is left to transfer follows, the total stays.
    pay(_db.session.get(Order, first.id), 20_000)
    page = page_of(client.get(location))
    assert header_total(page) == (vnd(placed), vnd(first.total))
    assert left_to_transfer(page) == vnd(first.total - 20_000)

    # The mail of the cancel tells what the rest of the checkout comes to.
    (mail,) = messages("order.cancelled")
    assert f"Tổng cộng mã đơn {checkout.code}, không tính đơn đã hủy: {vnd(first.total)}." in (
        mail.text
    )
    assert f"Còn phải chuyển khoản: {vnd(first.total)}." in mail.text


def test_the_account_list_shows_the_total_without_the_cancelled_order(client, db, make, shops):  # noqa: F811
    buyer = make.user()
    db.session.commit()
    login(client, buyer)
    checkout, _location = place(client, *shops)
    first, second = checkout.orders
    orders.cancel_by_buyer(second.id, buyer.id, "Đổi ý")
    page = page_of(client.get("/account"))
    assert f"<s>{vnd(first.total + second.total)}</s> {vnd(first.total)}" in html.unescape(page)


def test_cancelling_a_part_paid_order_mails_the_refund_of_what_was_paid(client, two_orders):
    _checkout, _location, first, second = two_orders
    pay(second, 50_000)
    second = _db.session.get(Order, second.id)
    orders.cancel_order(second, "Hết hàng", actor_id=second.cooperative.owner_id)
    (mail,) = messages("order.cancelled")
    assert f"Hợp tác xã sẽ chuyển khoản trả lại {vnd(50_000)} cho bạn" in mail.text
    assert "chưa được thanh toán" not in mail.text


# --- the cooperative's order ------------------------------------------------------------------


def test_the_cooperatives_confirmation_and_its_post(client, db, two_orders):
    _checkout, _location, first, second = two_orders
    pay(first, first.total)
    owner_ = first.cooperative.owner
    login(client, owner_)
    page = page_of(client.get(f"/dashboard/orders/{first.id}"))
    said = confirmation(page, "cancel-order")
    assert "Người mua không mất phí hủy." in said
    (line,) = first.lines
    assert f"Hàng trong đơn được cộng lại vào tồn kho: {line.name} × {line.quantity}." in said
    assert (
        f"Bạn cần chuyển khoản trả lại {vnd(first.total)} cho người mua từ tài khoản của hợp "
        "tác xã, rồi ghi mã giao dịch ở mục “Hoàn tiền cho người mua” của trang này." in said
    )
    assert "Người mua được báo kèm lý do hủy." in said
    stock = db.session.get(Product, line.product_id).stock
    answer = client.post(f"/dashboard/orders/{first.id}/cancel", data={"reason": "Hết hàng"})
    assert answer.status_code == 302
    db.session.rollback()
    assert db.session.get(Order, first.id).status == "cancelled"
    assert db.session.get(Product, line.product_id).stock == stock + line.quantity
    page = page_of(client.get(f"/dashboard/orders/{first.id}"))
    assert 'id="cancel-order"' not in page
    assert "Hoàn tiền cho người mua" in page and 'name="bank_reference"' in page  # the macro


def test_an_unpaid_order_owes_nothing_back(client, two_orders):
    _checkout, _location, first, _second = two_orders
    login(client, first.cooperative.owner)
    said = confirmation(page_of(client.get(f"/dashboard/orders/{first.id}")), "cancel-order")
    assert "Chưa nhận khoản tiền nào nên không có gì phải hoàn lại." in said


# --- bookings: the guest and the host ---------------------------------------------------------


def booking_page(client, booking) -> str:
    return page_of(client.get(f"/bookings/{booking.code}?token={booking.access_token}"))


def test_the_guests_confirmation_in_the_free_period_refunds_the_deposit(client, stay, today):  # noqa: F811
    booking = stay_booking(stay, today, days=10)  # free until 3 days before
    bank_notice(booking)  # the deposit, 600,000
    said = confirmation(booking_page(client, booking), "cancel-booking")
    assert "Không mất phí hủy." in said
    assert "Phòng đã đặt được trả lại cho chủ nhà." in said
    assert f"Chủ nhà sẽ hoàn lại cho bạn {vnd(600_000)} bằng chuyển khoản" in said
    assert "Chủ nhà được báo rằng bạn đã hủy." in said
    answer = client.post(f"/bookings/{booking.code}/cancel", data={"token": booking.access_token})
    assert answer.status_code == 302
    assert fresh(booking.id).status == "cancelled"


def test_the_guests_confirmation_late_states_the_fee_and_what_is_kept(client, stay, today):  # noqa: F811
    booking = stay_booking(stay, today, days=2)  # late: 10 % of 2,000,000
    bank_notice(booking)
    said = confirmation(booking_page(client, booking), "cancel-booking")
    assert f"Phí hủy: {vnd(200_000)}, theo chính sách hủy." in said
    assert f"Chủ nhà sẽ hoàn lại cho bạn {vnd(400_000)}" in said


def test_the_guests_confirmation_while_the_deposit_is_awaited(client, stay, today):  # noqa: F811
    booking = stay_booking(stay, today, days=10)
    said = confirmation(booking_page(client, booking), "cancel-booking")
    assert "Không mất phí hủy." in said
    assert "Bạn chưa chuyển tiền cọc: đừng chuyển nữa." in said


def test_the_hosts_confirmation_refunds_all_and_its_post_cancels(client, stay, owner, today):  # noqa: F811
    booking = stay_booking(stay, today, days=2)  # late, but the host cancels: no fee
    bank_notice(booking)
    login(client, owner)
    for url in ("/dashboard/tourism/bookings", f"/dashboard/tourism/bookings/{booking.id}"):
        said = confirmation(page_of(client.get(url)), f"cancel-booking-{booking.id}")
        assert "Khách không mất phí hủy (chủ nhà hủy)." in said
        assert "Chỗ đã đặt được trả lại lịch, cho khách khác đặt." in said
        assert f"Bạn cần chuyển khoản trả lại {vnd(600_000)} cho khách" in said
        assert "Khách được báo kèm lý do hủy." in said
    url = f"/dashboard/tourism/bookings/{booking.id}/status"
    form = {"to": "cancelled", "note": "Nhà đang sửa", "next": "/dashboard/tourism/bookings"}
    row = client.post(url, data=form, headers={"HX-Request": "true"})  # as the row's htmx
    assert row.status_code == 200 and "Đã hủy" in row.get_data(as_text=True)
    assert fresh(booking.id).status == "cancelled"
    page = page_of(client.get(f"/dashboard/tourism/bookings/{booking.id}"))
    assert f"cancel-booking-{booking.id}" not in page
    assert 'name="refund_id"' in page and 'name="bank_reference"' in page  # the refund macro


# --- booth requests: the cooperative and the office -------------------------------------------


def test_the_booth_request_confirmations_and_their_posts(client, db, make, fair, coop_user, today):  # noqa: F811
    cooperative = coop_user("gian")
    mine = ask(fair, "A1", cooperative, today)
    login_as(client, "gian@example.vn")
    said = confirmation(page_of(client.get("/dashboard/fairs")), f"cancel-request-{mine.id}")
    assert "Không mất phí hủy." in said
    assert "Gian A1 được trả lại cho hội chợ" in said
    assert client.post(f"/dashboard/fairs/requests/{mine.id}/cancel").status_code == 302
    db.session.rollback()
    assert db.session.get(BoothRequest, mine.id).status == "cancelled"

    theirs = ask(fair, "A2", coop_user("khac"), today)
    booths.decide(theirs.id, "approved")
    admin = make.user(role="admin")
    db.session.commit()
    client.post("/logout")
    login(client, admin)
    said = confirmation(
        page_of(client.get(f"/admin/fairs/{fair.id}")), f"cancel-request-{theirs.id}"
    )
    assert "Gian A2 được trả lại cho hội chợ" in said and "HTX khac được báo" in said
    answer = client.post(
        f"/admin/fairs/requests/{theirs.id}", data={"to": "cancelled", "reason": "Sai hồ sơ"}
    )
    assert answer.status_code == 302
    db.session.rollback()
    assert db.session.get(BoothRequest, theirs.id).status == "cancelled"


# --- the guard: every cancel of the site is inside a confirmation --------------------------------
#
# A cancel is anything that would cancel when posted: a URL of a cancel endpoint (in a form's
# action, hx-post, formaction, or a url_for naming an endpoint with "cancel" in it, in either
# quotes), or a submitted status of "cancelled" (a hidden `to`, a button's or an option's
# value, hx-vals). Each must be inside the confirmation: the <details class="confirm"> of
# templates/macros/cancel.html, which a template reaches through `cancel_confirm(...)` (its
# first argument, the action, and its call block, the form's own fields).

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
CANCEL_URL = re.compile(r"/cancel\b", re.I)
HX_POSTS = ("hx-post", "hx-put", "hx-patch", "hx-delete")


def _cancels_here(tag: str, attrs: dict[str, str], posted: bool) -> bool:
    """Whether this element, on its own, cancels: it posts to a cancel URL, or it submits
    "cancelled" in a form that posts."""
    if any(
        CANCEL_URL.search(attrs.get(name) or "") for name in ("action", "formaction", *HX_POSTS)
    ):
        return True
    if "cancelled" in (attrs.get("hx-vals") or ""):
        return True
    value = (attrs.get("value") or "").strip().lower()
    if value == "cancelled" and tag in ("input", "button", "option"):
        return posted or "form" in attrs or any(name in attrs for name in HX_POSTS)
    return False


class _CancelFinder(HTMLParser):
    """The elements of a rendered page that cancel outside any <details class="confirm">."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.details: list[bool] = []  # open <details>, whether each is a confirmation
        self.forms: list[bool] = []  # open <form>, whether each posts
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "details":
            self.details.append("confirm" in attrs.get("class", "").split())
        if tag == "form":
            posts = attrs.get("method", "").lower() == "post" or any(n in attrs for n in HX_POSTS)
            self.forms.append(posts)
        posted = bool(self.forms) and self.forms[-1]
        if _cancels_here(tag, attrs, posted) and not any(self.details):
            self.found.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag == "details" and self.details:
            self.details.pop()
        if tag == "form" and self.forms:
            self.forms.pop()


def unconfirmed_cancels(page: str) -> list[str]:
    """The tags of a rendered page that would cancel without the confirmation first."""
    finder = _CancelFinder()
    finder.feed(page)
    finder.close()
    return finder.found


# In a template (not rendered): the marks of a cancel, and the spans of the confirmation.
TEMPLATE_CANCEL_MARKS = re.compile(
    r"url_for\(\s*[\"'][\w.]*cancel"  # a cancel endpoint, in either quotes
    r"|\b(?:action|formaction|hx-post|hx-put|hx-patch|hx-delete)\s*=\s*(?:\"[^\"]*|'[^']*|[^\s>\"']*)/cancel\b"
    r"|\bvalue\s*=\s*[\"']?\s*cancelled\b"  # to/status/button/option value of cancelled
    r"|\bhx-vals\s*=\s*(?:'[^']*cancelled|\"[^\"]*cancelled)",
    re.I,
)
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_CALL_OPEN = re.compile(r"\{%-?\s*call\b")
_CALL_CLOSE = re.compile(r"\{%-?\s*endcall\b[^%]*%\}")
_DETAILS_OPEN = re.compile(r"<details\b([^>]*)>", re.I)
_DETAILS_ANY = re.compile(r"<details\b[^>]*>|</details\s*>", re.I)


def _span_to_close(text: str, start: int, opening: re.Pattern, closing: re.Pattern) -> int:
    """Where the block opened at `start` closes (nested blocks counted); the end of the text
    if it never does."""
    depth, at = 0, start
    tokens = re.compile(f"(?P<open>{opening.pattern})|(?P<close>{closing.pattern})", re.I | re.S)
    for token in tokens.finditer(text, start):
        depth += 1 if token.group("open") else -1
        at = token.end()
        if depth == 0:
            return at
    return len(text)


def _confirmation_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for call in re.finditer(r"\{%-?\s*call\s+cancel_confirm\s*\(", text):
        spans.append((call.start(), _span_to_close(text, call.start(), _CALL_OPEN, _CALL_CLOSE)))
    for expression in re.finditer(r"\{\{-?\s*cancel_confirm\s*\(", text):
        end = text.find("}}", expression.end())
        spans.append((expression.start(), len(text) if end < 0 else end + 2))
    for details in _DETAILS_OPEN.finditer(text):
        classes = re.search(r"class\s*=\s*[\"']([^\"']*)[\"']", details.group(1))
        if classes and "confirm" in classes.group(1).split():
            end = _span_to_close(
                text, details.start(), re.compile(r"<details\b[^>]*>"), re.compile(r"</details\s*>")
            )
            spans.append((details.start(), end))
    return spans


def unconfirmed_cancels_in_template(text: str) -> list[str]:
    """The marks of a cancel in a template's source that are not inside a confirmation."""
    text = _JINJA_COMMENT.sub(lambda comment: " " * len(comment.group()), text)
    spans = _confirmation_spans(text)
    return [
        mark.group()
        for mark in TEMPLATE_CANCEL_MARKS.finditer(text)
        if not any(start <= mark.start() < end for start, end in spans)
    ]


def test_every_cancel_form_of_the_site_is_behind_a_confirmation():
    """No template cancels anything except from inside the macro's <details>."""
    offenders = {
        str(path.relative_to(TEMPLATES)): found
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (found := unconfirmed_cancels_in_template(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
    # The guard reads the templates that cancel: each names the confirmation.
    for name in (
        "marketplace/order.html",
        "dashboard/order.html",
        "tourism/booking.html",
        "tourism/host/_booking_row.html",
        "fairs/my_fairs.html",
        "fairs/office/fair.html",
    ):
        assert "cancel_confirm(" in (TEMPLATES / name).read_text(encoding="utf-8")


# The ways a one-tap cancel could be written, each of which the guard must catch.
ONE_TAP_CANCELS = [
    """<form method="post" action="{{ url_for('marketplace.cancel_order', code=c, order_id=o) }}">
       <button>Hủy</button></form>""",
    """<form method="post" action='{{ url_for("dashboard.cancel_order", order_id=o) }}'>
       <button>Hủy</button></form>""",
    """<form hx-post="{{ url_for('tourism.cancel_booking', code=c) }}"><button>Hủy</button></form>""",
    """<button hx-post="/bookings/{{ b.code }}/cancel">Hủy</button>""",
    """<form method="post" action="{{ url_for('tourism_host.booking_status', booking_id=b.id) }}">
       <input type="hidden" name="to" value="cancelled"><button>Hủy</button></form>""",
    """<form method="post" action="{{ url_for('admin.decide_request', request_id=i.id) }}">
       <button type="submit" name="to" value='cancelled'>Hủy</button></form>""",
    """<form method="post" action="{{ url_for('admin.decide_request', request_id=i.id) }}">
       <select name="to"><option value="cancelled">Hủy</option></select></form>""",
    """<button hx-post="{{ url_for('tourism_host.booking_status', booking_id=b.id) }}"
       hx-vals='{"to": "cancelled"}'>Hủy</button>""",
    # Next to a confirmation is not inside it.
    """{% call cancel_confirm(url_for('fairs.cancel_booth_request', request_id=i.id), _("Hủy"),
       facts, id="x", keep_url="/") %}{% endcall %}
       <form method="post" action="{{ url_for('fairs.cancel_booth_request', request_id=i.id) }}">
       </form>""",
]


@pytest.mark.parametrize("markup", ONE_TAP_CANCELS)
def test_the_guard_catches_a_one_tap_cancel_however_it_is_written(markup):
    assert unconfirmed_cancels_in_template(markup) != []


# Rendered, the same one-tap cancels (the URLs as the page has them).
@pytest.mark.parametrize(
    "markup",
    [
        '<form method="post" action="/orders/ABC/3/cancel"><button>Hủy</button></form>',
        '<form hx-post="/bookings/ABC/cancel"><button>Hủy</button></form>',
        '<form method="post" action="/dashboard/tourism/bookings/3/status">'
        '<input type="hidden" name="to" value="cancelled"></form>',
        '<form method="post" action="/admin/fairs/requests/3">'
        '<button name="to" value="cancelled">Hủy</button></form>',
        '<details><summary>Hủy</summary><form method="post" action="/orders/A/3/cancel"></form>'
        "</details>",  # a <details> that is not the confirmation
        '<details class="confirm"><summary>x</summary></details>'
        '<form method="post" action="/orders/A/3/cancel"></form>',  # after it, not inside
    ],
)
def test_the_page_check_catches_a_one_tap_cancel(markup):
    assert unconfirmed_cancels(markup) != []


def test_what_is_not_a_cancel_or_is_confirmed_passes():
    confirmed = (
        '<details class="confirm" id="cancel-1"><summary>Hủy</summary><div><form method="post" '
        'action="/orders/A/1/cancel"><input type="hidden" name="to" value="cancelled">'
        "</form></div></details>"
    )
    status_filter = (  # a GET filter of the orders by status does not cancel
        '<form method="get" action="/dashboard/orders"><select name="status">'
        '<option value="cancelled">Đã hủy</option></select></form>'
    )
    assert unconfirmed_cancels(confirmed + status_filter) == []
    template = (
        '{% if "cancelled" in moves %}{% call cancel_confirm(url_for("admin.decide_request", '
        'request_id=i.id), _("Hủy"), facts, id="c", keep_url="/") %}'
        '{% call other() %}{% endcall %}<input type="hidden" name="to" value="cancelled">'
        "{% endcall %}{% endif %}"
        "{{ cancel_confirm(url_for('fairs.cancel_booth_request', request_id=i.id), _('Hủy'), f,"
        ' id="r", keep_url="/") }}'
        '<span class="status status-cancelled">Đã hủy</span>'
    )
    assert unconfirmed_cancels_in_template(template) == []
