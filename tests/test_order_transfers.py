"""The buyer's transfers on the order page (one step per cooperative, the QR as a PNG, copy
buttons, the state polled by htmx until all are paid), the order-placed mail's transfer
details, shipping an order not paid in full, and recording refunds."""

import io
import re
from datetime import timedelta
from itertools import count

import pytest
from babel.numbers import format_currency
from PIL import Image
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.db import write_transaction
from core.extensions import db as _db
from core.models import Message, utcnow
from core.notifications import mail_paragraphs
from marketplace import orders
from marketplace.models import Checkout, Order
from marketplace.payables import transfer_steps
from payments.matching import BankLine, take_in
from payments.models import Refund
from payments.references import reference_for
from payments.refunds import refund_due
from payments.vietqr import payload, qr_png
from tests.test_dashboard import login
from tests.test_orders import add, checkout_form

_lines = count(1)
HTMX = {"HX-Request": "true"}


@pytest.fixture()
def shops(make):
    """Two cooperatives with bank details and an owner each, a product of each."""
    khom = make.cooperative(
        "HTX Khóm Chuyển", owner=make.user(role="cooperative"), bank_bin="970405",
        bank_account="7700205123456", bank_account_name="HTX KHOM CHUYEN",
    )  # fmt: skip
    ca = make.cooperative(
        "HTX Cá Chuyển", owner=make.user(role="cooperative"), bank_bin="970418",
        bank_account="74010000123456", bank_account_name="HTX CA CHUYEN",
    )  # fmt: skip
    pineapple = make.product("Khóm Cầu Đúc", khom, price=15_000, stock=50, unit="trái")
    fish = make.product("Cá thát lát", ca, price=185_000, stock=5)
    return pineapple, fish


def place(client, *products, **changes) -> tuple[Checkout, str]:
    """A guest's checkout through the pages: the checkout and its secret order link."""
    for product in products:
        add(client, product, 2)
    response = client.post("/checkout", data=checkout_form(client, **changes))
    assert response.status_code == 302
    location = response.headers["Location"]
    code = re.match(r"/orders/([^?]+)\?", location).group(1)
    return _db.session.scalar(select(Checkout).where(Checkout.code == code)), location


@pytest.fixture()
def placed(client, shops):
    return place(client, *shops)


def pay(order: Order, amount: int, text: str | None = None):
    """A credit on the cooperative's account with the order's reference, as a bank tells it."""
    line = BankLine(
        source="sepay",
        external_id=f"line-{next(_lines)}",
        booked_at=utcnow() + timedelta(seconds=1),
        amount=amount,
        direction="in",
        text=text or f"MBVCB.881234.{reference_for(order.code)}.CT tu 0912345678",
    )
    transaction = take_in(order.cooperative_id, line)
    _db.session.expire_all()
    return transaction


def vnd(amount: int) -> str:
    """Money as the Vietnamese pages write it ("45.000 ₫", with a no-break space)."""
    return format_currency(amount, "VND", locale="vi")


def body(response) -> str:
    return response.get_data(as_text=True)


def fresh(checkout: Checkout) -> Checkout:
    _db.session.expire_all()
    return _db.session.get(Checkout, checkout.id)


def qr_url(checkout: Checkout, order: Order, token: str | None = None, **query) -> str:
    """The QR's address under checkout's link (token="": without a token)."""
    query = {"token": checkout.access_token if token is None else token, **query}
    args = "&".join(f"{key}={value}" for key, value in query.items() if value != "")
    return f"/orders/{checkout.code}/{order.code}/qr.png?{args}"


# --- the steps on the order page ------------------------------------------------------------


def test_two_cooperatives_are_two_steps_with_qr_pictures_and_copy_buttons(client, placed):
    checkout, location = placed
    page = body(client.get(location))
    first, second = checkout.orders
    assert "Chuyển khoản 1/2 · HTX" in page and "Chuyển khoản 2/2 · HTX" in page
    assert page.index(first.cooperative.name, page.index("Chuyển khoản 1/2")) < page.index(
        "Chuyển khoản 2/2"
    )
    assert page.count("Chờ chuyển khoản") == 2
    for order in checkout.orders:
        reference = reference_for(order.code)
        assert f'<code class="copy-value">{reference}</code>' in page
        assert f'data-copy="{reference}"' in page
        assert f'data-copy="{order.total}"' in page  # the amount's digits, nothing else
        assert f'data-copy="{order.cooperative.bank_account}"' in page
        assert order.cooperative.bank_account_name in page
        url = qr_url(checkout, order, v=order.total).replace("&", "&amp;")
        assert f'<img src="{url}"' in page
        assert (
            f'href="{url}&amp;download=1" download="vietqr-{order.code}.png">Lưu mã QR</a>' in page
        )
    # Without JavaScript the buttons stay hidden (the values are text); copy.js shows them.
    assert page.count('class="button button-secondary button-small copy-button"') == 6
    assert len(re.findall(r"<button [^>]*data-copy=[^>]* hidden>", page)) == 6
    assert "/static/js/copy.js" in page
    assert 'hx-trigger="every 4s"' in page


def test_the_qr_png_is_the_vietqr_code_of_what_remains(client, placed):
    checkout, _location = placed
    order = checkout.orders[0]
    coop = order.cooperative
    response = client.get(qr_url(checkout, order))
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert "private" in response.headers["Cache-Control"]
    assert response.headers["Content-Disposition"] == f'inline; filename="vietqr-{order.code}.png"'
    picture = Image.open(io.BytesIO(response.data))
    picture.verify()
    assert picture.format == "PNG" and picture.size[0] == picture.size[1] >= 300
    expected = payload(coop.bank_bin, coop.bank_account, order.total, reference_for(order.code))
    assert response.data == qr_png(expected, 8)

    pay(order, 100_000 if order.total > 100_000 else 10_000)
    remaining = order.total - order.paid_amount
    response = client.get(qr_url(checkout, order))
    expected = payload(coop.bank_bin, coop.bank_account, remaining, reference_for(order.code))
    assert response.data == qr_png(expected, 8)  # the same address, the amount still owed


def test_the_qr_png_comes_back_unchanged_as_304(client, placed):
    checkout, _location = placed
    url = qr_url(checkout, checkout.orders[0])
    etag = client.get(url).headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_save_the_qr_downloads_it_as_a_file(client, placed):
    checkout, _location = placed
    order = checkout.orders[1]
    response = client.get(qr_url(checkout, order, download=1))
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="vietqr-{order.code}.png"'
    )
    assert re.fullmatch(r"vietqr-HG-\d{4}-\d{6}-2\.png", f"vietqr-{order.code}.png")


def test_another_persons_token_finds_neither_the_page_nor_the_qr(client, make, shops):
    checkout, location = place(client, *shops)
    other, _ = place(client, shops[0])
    order = checkout.orders[0]
    assert client.get(qr_url(checkout, order, token="wrong")).status_code == 404
    assert client.get(qr_url(checkout, order, token=other.access_token)).status_code == 404
    assert client.get(f"/orders/{checkout.code}?token={other.access_token}").status_code == 404
    # Another checkout's order under this checkout's link: not found either.
    assert client.get(qr_url(checkout, other.orders[0])).status_code == 404
    assert client.get(qr_url(checkout, order).replace("qr.png", "x.png")).status_code == 404
    stranger = make.user(email="stranger@example.vn")
    login(client, stranger)
    assert client.get(qr_url(checkout, order, token="")).status_code == 404


def test_a_buyer_with_an_account_sees_the_qr_without_the_token(client, make, shops):
    buyer = make.user(email="mai@example.vn")
    login(client, buyer)
    checkout, _location = place(client, *shops)
    page = body(client.get(f"/orders/{checkout.code}"))
    assert f'<img src="/orders/{checkout.code}/{checkout.orders[0].code}/qr.png?v=' in page
    png = client.get(f"/orders/{checkout.code}/{checkout.orders[0].code}/qr.png")
    assert png.status_code == 200


def test_the_transfers_part_is_polled_until_every_transfer_is_paid(client, placed):
    checkout, location = placed
    first, second = checkout.orders
    part = client.get(location, headers=HTMX)
    assert part.status_code == 200 and "HX-Request" in part.headers["Vary"]
    html = body(part)
    assert html.lstrip().startswith('<section id="transfers"') and "<html" not in html
    assert 'hx-trigger="every 4s"' in html
    poll = re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f"token={checkout.access_token}" in poll
    assert client.get(poll, headers=HTMX).status_code == 204  # nothing changed: nothing to swap

    pay(first, first.total)
    html = body(client.get(poll, headers=HTMX))  # changed: the new part
    assert "Đã nhận đủ 1/2 khoản chuyển" in html and html.count("Đã nhận đủ") >= 2
    assert 'hx-trigger="every 4s"' in html
    assert f"/{first.code}/qr.png" not in html and f"/{second.code}/qr.png" in html
    assert client.get(qr_url(checkout, first)).status_code == 404  # nothing is owed any more

    pay(second, second.total)
    html = body(client.get(location, headers=HTMX))
    assert "Đã nhận đủ tất cả các khoản chuyển" in html
    assert "hx-trigger" not in html and "hx-get" not in html  # the polling stops
    assert "qr.png" not in html
    assert "hx-trigger" not in body(client.get(location))


def test_a_part_paid_transfer_says_what_is_missing_and_asks_for_the_rest(client, placed):
    checkout, location = placed
    fish_order = checkout.orders[1]
    with client.application.test_request_context():  # as the bank's webhook arrives
        pay(fish_order, 100_000)
    missing = fish_order.total - 100_000
    html = body(client.get(location, headers=HTMX))
    assert f"Đã nhận một phần (còn thiếu {vnd(missing)})" in html
    assert f'data-copy="{missing}"' in html
    assert f"v={missing}" in html
    assert 'hx-trigger="every 4s"' in html
    (told,) = _db.session.scalars(
        select(Message).where(Message.event == "order.part_paid", Message.channel == "mail")
    ).all()  # the buyer is told the rest, with its transfer and the QR of exactly that
    assert vnd(missing) in told.text and reference_for(fish_order.code) in told.text
    assert "qr.png" in told.text and "<img" in told.html


def test_no_steps_for_cash_on_delivery_nor_a_cooperative_without_bank_details(client, make):
    plain = make.cooperative("HTX Chưa Có Tài Khoản")
    product = make.product("Mắm cá", plain, price=40_000)
    add(client, product, 2)
    refused = client.post("/checkout", data=checkout_form(client, payment_method="vietqr"))
    assert refused.status_code == 200  # no cooperative of this cart takes transfers: COD only
    _checkout, location = place(client, product, payment_method="cod")
    page = body(client.get(location))
    assert 'id="transfers"' not in page and "hx-trigger" not in page


def test_a_cancelled_order_leaves_the_steps_and_its_money_is_a_refund(client, placed):
    checkout, location = placed
    first, second = checkout.orders
    pay(first, first.total)
    orders.cancel_order(first, "Hết hàng", actor_id=first.cooperative.owner_id)
    page = body(client.get(location))
    assert "Chuyển khoản 1/1 · " + second.cooperative.name in page
    assert "Hoàn tiền" in page and "Đã hủy sau khi thanh toán" in page
    assert "Hợp tác xã sẽ chuyển lại khoản này cho bạn." in page


def test_transfer_steps_number_the_orders_paid_by_transfer(db, client, shops):
    checkout, _location = place(client, *shops)
    steps = transfer_steps(checkout)
    assert [(s.number, s.count, s.state) for s in steps] == [(1, 2, "awaiting"), (2, 2, "awaiting")]
    assert [s.transfer.amount for s in steps] == [o.total for o in checkout.orders]


# --- the order-placed mail --------------------------------------------------------------------


def test_the_order_placed_mail_carries_each_transfer_and_its_qr(client, placed):
    checkout, _location = placed
    (mail,) = _db.session.scalars(select(Message).where(Message.event == "order.placed")).all()
    for number, order in enumerate(checkout.orders, start=1):
        coop = order.cooperative
        assert f"Chuyển khoản {number}/2 · {coop.name}" in mail.text
        bank = {"970405": "Agribank", "970418": "BIDV"}[coop.bank_bin]
        assert f"Ngân hàng: {bank}" in mail.text
        assert f"Số tài khoản: {coop.bank_account}" in mail.text
        assert f"Chủ tài khoản: {coop.bank_account_name}" in mail.text
        assert f"Số tiền: {vnd(order.total)}" in mail.text
        assert f"Nội dung chuyển khoản: {reference_for(order.code)}" in mail.text
        link = f"http://localhost/orders/{checkout.code}/{order.code}/qr.png?token={checkout.access_token}"
        assert f"Mã QR: {link}" in mail.text
        assert f'<img src="{link}" alt="Mã QR"' in mail.html
    assert "Mã QR:" in mail.html  # the same words as the text, the picture beside them


def test_a_mail_line_with_a_png_address_is_a_picture_and_other_addresses_buttons():
    text = "Mã QR: https://x.vn/orders/A/B/qr.png?token=t\nTheo dõi: https://x.vn/orders/A?token=t"
    ((qr, follow),) = mail_paragraphs(text)
    assert qr == [("Mã QR", "https://x.vn/orders/A/B/qr.png?token=t", "image")]
    assert follow == [("Theo dõi", "https://x.vn/orders/A?token=t", "button")]
    ((plain,),) = mail_paragraphs("Xem https://x.vn/a.png nhé")
    assert plain == [
        ("Xem ", "", ""),
        ("https://x.vn/a.png", "https://x.vn/a.png", ""),
        (" nhé", "", ""),
    ]


# --- shipping an order not paid in full --------------------------------------------------------


def confirmed(order: Order) -> Order:
    return orders.advance_order(order, "confirmed", actor_id=order.cooperative.owner_id)


def test_shipping_an_unpaid_transfer_order_needs_a_confirmation(client, placed):
    checkout, _location = placed
    order = confirmed(checkout.orders[0])
    login(client, order.cooperative.owner)
    url = f"/dashboard/orders/{order.id}"
    page = body(client.get(url))
    warning = f"Đơn này chưa được thanh toán đủ (đã nhận {vnd(0)} / {vnd(order.total)}). Vẫn giao?"
    assert warning in page
    assert 'name="confirm" value="1"' in page

    refused = client.post(f"{url}/status", data={"to": "shipping"}, follow_redirects=True)
    assert "chưa chuyển sang giao hàng" in body(refused)
    assert _db.session.get(Order, order.id).status == "confirmed"
    assert (
        _db.session.scalar(select(func.count(Message.id)).where(Message.event == "order.shipped"))
        == 0
    )

    shipped = client.post(f"{url}/status", data={"to": "shipping", "confirm": "1"})
    assert shipped.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Order, order.id).status == "shipping"


def test_a_part_paid_order_shows_what_arrived_and_a_paid_one_ships_at_once(client, placed):
    checkout, _location = placed
    first, second = (confirmed(o) for o in checkout.orders)
    pay(first, 5_000)
    with pytest.raises(orders.UnpaidShipment) as refused:
        orders.advance_order(first, "shipping", actor_id=first.cooperative.owner_id)
    assert (refused.value.paid, refused.value.total) == (5_000, first.total)
    login(client, first.cooperative.owner)
    page = body(client.get(f"/dashboard/orders/{first.id}"))
    assert f"Đã nhận một phần: {vnd(5_000)}" in page and f"đã nhận {vnd(5_000)} /" in page

    pay(second, second.total)
    orders.advance_order(second, "shipping", actor_id=second.cooperative.owner_id)
    assert _db.session.get(Order, second.id).status == "shipping"
    login(client, second.cooperative.owner)
    page = body(client.get(f"/dashboard/orders/{second.id}"))
    assert "Đã nhận tiền lúc" in page


def test_cash_on_delivery_ships_without_asking(client, shops):
    checkout, _location = place(client, shops[0], payment_method="cod")
    order = confirmed(checkout.orders[0])
    orders.advance_order(order, "shipping", actor_id=order.cooperative.owner_id)
    assert _db.session.get(Order, order.id).status == "shipping"


# --- refunds ---------------------------------------------------------------------------------


def overpaid(placed, extra=20_000) -> tuple[Order, Refund]:
    checkout, _location = placed
    order = checkout.orders[0]
    pay(order, order.total + extra)
    (refund,) = _db.session.scalars(select(Refund)).all()
    assert (refund.amount, refund.reason, refund.status) == (extra, "overpaid", "due")
    return order, refund


def test_recording_a_refund_once_tells_the_buyer_and_a_second_click_changes_nothing(client, placed):
    checkout, location = placed
    order, refund = overpaid(placed)
    owner = order.cooperative.owner
    login(client, owner)
    page = body(client.get(f"/dashboard/orders/{order.id}"))
    assert "Hoàn tiền cho người mua" in page and "Chuyển thừa" in page
    url = f"/dashboard/orders/{order.id}/refunds/{refund.id}"
    assert f'action="{url}"' in page

    done = client.post(url, data={"bank_reference": " FT26123456789 "}, follow_redirects=True)
    assert f"Đã ghi nhận hoàn {vnd(20_000)}" in body(done)
    assert "Đã hoàn lúc" in body(done) and "FT26123456789" in body(done)
    _db.session.expire_all()
    refund = _db.session.get(Refund, refund.id)
    assert (refund.status, refund.bank_reference, refund.refunded_by_id) == (
        "refunded", "FT26123456789", owner.id,
    )  # fmt: skip
    assert _db.session.get(Order, order.id).refunded_amount == 20_000
    (told,) = _db.session.scalars(select(Message).where(Message.event == "order.refunded")).all()
    assert told.address == "lan@example.vn" and "FT26123456789" in told.text
    assert vnd(20_000) in told.text and order.code in told.text

    again = client.post(url, data={"bank_reference": "FT-KHAC"}, follow_redirects=True)
    assert "đã được ghi nhận trước đó" in body(again)
    _db.session.expire_all()
    assert _db.session.get(Refund, refund.id).bank_reference == "FT26123456789"
    assert _db.session.get(Order, order.id).refunded_amount == 20_000
    assert (
        _db.session.scalar(select(func.count(Message.id)).where(Message.event == "order.refunded"))
        == 1
    )
    audits = select(func.count(AuditEvent.id)).where(AuditEvent.action == "refund.record")
    assert _db.session.scalar(audits) == 1

    client.post("/logout")
    page = body(client.get(location))
    assert "Đã hoàn lại ngày" in page and "FT26123456789" in page


def test_a_refund_needs_the_bank_reference(client, placed):
    order, refund = overpaid(placed)
    login(client, order.cooperative.owner)
    url = f"/dashboard/orders/{order.id}/refunds/{refund.id}"
    for reference in ("", "   ", "x" * 61):
        page = body(client.post(url, data={"bank_reference": reference}, follow_redirects=True))
        assert "Vui lòng ghi mã giao dịch hoàn tiền" in page
    _db.session.expire_all()
    assert _db.session.get(Refund, refund.id).status == "due"


def test_refunded_never_goes_beyond_what_was_paid(client, placed):
    order, first = overpaid(placed, extra=20_000)
    with write_transaction():  # a second refund of more than arrived (paid 20,000 too much)
        beyond = refund_due(order.cooperative_id, "order", order.id, order.total + 1, "cancelled")
    login(client, order.cooperative.owner)
    client.post(f"/dashboard/orders/{order.id}/refunds/{first.id}", data={"bank_reference": "FT1"})
    page = body(
        client.post(
            f"/dashboard/orders/{order.id}/refunds/{beyond.id}",
            data={"bank_reference": "FT2"},
            follow_redirects=True,
        )
    )
    assert "sẽ vượt số tiền đã nhận" in page
    _db.session.expire_all()
    assert _db.session.get(Refund, beyond.id).status == "due"
    order = _db.session.get(Order, order.id)
    assert order.refunded_amount == 20_000 <= order.paid_amount


def test_a_refund_of_another_order_is_not_found(client, placed):
    checkout, _location = placed
    order, refund = overpaid(placed)
    other = checkout.orders[1]
    login(client, order.cooperative.owner)
    response = client.post(
        f"/dashboard/orders/{other.id}/refunds/{refund.id}", data={"bank_reference": "FT1"}
    )
    assert response.status_code == 404  # not this cooperative's order
    assert orders.record_order_refund(other, refund.id, "FT1", actor_id=1) is None
    _db.session.expire_all()
    assert _db.session.get(Refund, refund.id).status == "due"


def test_an_overpaid_order_cancelled_owes_back_what_was_paid_once(client, placed):
    order, _refund = overpaid(placed)
    orders.cancel_order(order, "Hết hàng", actor_id=order.cooperative.owner_id)
    refunds = _db.session.scalars(select(Refund).order_by(Refund.id)).all()
    assert [(r.amount, r.reason) for r in refunds] == [
        (20_000, "overpaid"),
        (order.total, "cancelled"),
    ]
    assert sum(r.amount for r in refunds) == _db.session.get(Order, order.id).paid_amount
