"""Cart, checkout and the buyer's orders: the rules, the pages, and the concurrency promises."""

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketplace import checkout as checkouts
from marketplace import orders
from marketplace.cart import OutOfStock
from marketplace.models import CartItem, Checkout, Order, OrderEvent, Product
from tests.concurrency import at_once
from tests.conftest import TEST_PASSWORD

FEES = {"same_province": 20_000, "mekong": 30_000, "elsewhere": 45_000}


def details(**changes):
    values = dict(
        name="Nguyễn Thị Lan",
        phone="0912345678",
        email="lan@example.vn",
        province="Hồ Chí Minh",
        ward="Phường Sài Gòn",
        street="12 Lê Lợi",
        note="",
        payment_method="vietqr",
    )
    values.update(changes)
    return checkouts.DeliveryDetails(**values)


def place(quantities, token=None, **changes):
    return checkouts.place_order(
        quantities,
        details(**changes),
        buyer_id=None,
        form_token=token or checkouts.new_form_token(),
        fees=FEES,
        free_from=500_000,
    )


@pytest.fixture()
def two_coops(make):
    khom = make.cooperative("HTX Khóm", bank_bin="970405", bank_account="7700205123456")
    ky_nhu = make.cooperative("HTX Kỳ Như", bank_bin="970418", bank_account="74010000123456")
    pineapple = make.product("Khóm Cầu Đúc", khom, price=15000, stock=50, unit="trái")
    fish = make.product("Cá thát lát", ky_nhu, price=185000, stock=5)
    return pineapple, fish


# --- rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("province", "subtotal", "fee"),
    [
        ("Cần Thơ", 100_000, 20_000),
        ("An Giang", 100_000, 30_000),
        ("Hà Nội", 100_000, 45_000),
        ("Hà Nội", 499_999, 45_000),
        ("Hà Nội", 500_000, 0),
    ],
)
def test_delivery_fee_by_destination_and_free_threshold(province, subtotal, fee):
    assert checkouts.delivery_fee(province, subtotal, FEES, 500_000) == fee


def test_one_checkout_makes_one_order_per_cooperative(db, two_coops, today):
    pineapple, fish = two_coops
    checkout = place({pineapple.id: 4, fish.id: 3})
    assert re.fullmatch(rf"HG-{today.year}-\d{{6}}", checkout.code)
    assert len(checkout.orders) == 2
    by_coop = {o.cooperative.name: o for o in checkout.orders}
    khom = by_coop["HTX Khóm"]
    assert (khom.subtotal, khom.delivery_fee, khom.total) == (60_000, 45_000, 105_000)
    assert [(line.name, line.unit_price, line.quantity) for line in khom.lines] == [
        ("Khóm Cầu Đúc", 15000, 4)
    ]
    assert by_coop["HTX Kỳ Như"].delivery_fee == 0  # 555,000 is above the free threshold
    db.session.refresh(pineapple)
    db.session.refresh(fish)
    assert (pineapple.stock, fish.stock) == (46, 2)
    assert all(
        o.status == "pending" and o.events[0].to_status == "pending" for o in checkout.orders
    )


def test_prices_are_snapshotted(db, two_coops):
    pineapple, _fish = two_coops
    checkout = place({pineapple.id: 1})
    pineapple.price = 99_000
    db.session.commit()
    db.session.refresh(checkout.orders[0].lines[0])
    assert checkout.orders[0].lines[0].unit_price == 15000


def test_out_of_stock_at_the_last_moment_orders_nothing(db, two_coops):
    pineapple, fish = two_coops
    with pytest.raises(OutOfStock) as raised:
        place({pineapple.id: 2, fish.id: 6})
    assert raised.value.product.name == "Cá thát lát"
    db.session.rollback()  # end the test's snapshot: read what the others committed
    assert db.session.scalar(select(func.count(Checkout.id))) == 0
    assert db.session.get(Product, pineapple.id).stock == 50  # not half-ordered


def test_same_form_token_twice_is_one_checkout(db, two_coops):
    pineapple, _fish = two_coops
    first = place({pineapple.id: 1}, token="same-token")
    again = place({pineapple.id: 1}, token="same-token")
    assert first.id == again.id
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert db.session.get(Product, pineapple.id).stock == 49


def test_status_moves_and_illegal_moves(db, two_coops, make):
    pineapple, _fish = two_coops
    order = place({pineapple.id: 1}).orders[0]
    actor = make.user(role="cooperative")
    for step in ("confirmed", "shipping", "delivered"):
        orders.change_status(order.id, step, actor_id=actor.id)
    with pytest.raises(orders.IllegalTransition):
        orders.change_status(order.id, "cancelled", actor_id=actor.id)
    other = place({pineapple.id: 1}).orders[0]
    with pytest.raises(orders.IllegalTransition):
        orders.change_status(other.id, "delivered", actor_id=actor.id)
    events = db.session.scalars(
        select(OrderEvent.to_status).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
    ).all()
    assert events == ["pending", "confirmed", "shipping", "delivered"]


def test_cancel_returns_stock_exactly_once(db, two_coops):
    pineapple, _fish = two_coops
    order = place({pineapple.id: 3}).orders[0]
    orders.change_status(order.id, "cancelled", actor_id=None, note="Đặt nhầm")
    with pytest.raises(orders.IllegalTransition):
        orders.change_status(order.id, "cancelled", actor_id=None)
    db.session.rollback()  # end the test's snapshot: read what the others committed
    assert db.session.get(Product, pineapple.id).stock == 50
    assert db.session.get(Order, order.id).cancel_reason == "Đặt nhầm"


def test_buyer_can_cancel_only_while_pending(db, two_coops):
    pineapple, _fish = two_coops
    order = place({pineapple.id: 1}).orders[0]
    orders.change_status(order.id, "confirmed", actor_id=None)
    with pytest.raises(orders.IllegalTransition):
        orders.cancel_by_buyer(order.id, None)


def test_mark_paid_once_and_only_for_bank_transfer(db, two_coops):
    pineapple, _fish = two_coops
    order = place({pineapple.id: 1}).orders[0]
    orders.mark_paid(order.id, actor_id=None)
    with pytest.raises(orders.AlreadyPaid):
        orders.mark_paid(order.id, actor_id=None)
    cod = place({pineapple.id: 1}, payment_method="cod").orders[0]
    with pytest.raises(orders.IllegalTransition):
        orders.mark_paid(cod.id, actor_id=None)


# --- concurrency --------------------------------------------------------------------------


def test_30_concurrent_checkouts_of_5_in_stock(app, db, make):
    product = make.product("Cá thát lát rút xương", stock=5, price=185000)
    product_id = product.id
    results = at_once(app, *[lambda: place({product_id: 1}).code] * 30)
    codes = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, OutOfStock)]
    assert len(codes) == 5 and len(set(codes)) == 5
    assert len(refused) == 25, [r for r in results if not isinstance(r, str | OutOfStock)]
    db.session.rollback()  # end the test's snapshot: read what the others committed
    assert db.session.get(Product, product_id).stock == 0


def test_double_submit_at_the_same_moment_is_one_order(app, db, make):
    product = make.product("Khóm", stock=10)
    product_id = product.id
    results = at_once(app, *[lambda: place({product_id: 1}, token="twice").code] * 2)
    assert len(set(results)) == 1, results
    db.session.rollback()  # end the test's snapshot: read what the others committed
    assert db.session.scalar(select(func.count(Checkout.id))) == 1
    assert db.session.get(Product, product_id).stock == 9


def test_concurrent_cancels_return_stock_once(app, db, make):
    product = make.product("Khóm", stock=10)
    order_id = place({product.id: 4}).orders[0].id
    results = at_once(
        app, *[lambda: orders.change_status(order_id, "cancelled", actor_id=None).status] * 5
    )
    assert results.count("cancelled") == 1
    db.session.rollback()  # end the test's snapshot: read what the others committed
    assert db.session.get(Product, product.id).stock == 10


# --- pages --------------------------------------------------------------------------------


def add(client, product, quantity=1, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        "/cart/add", data={"product_id": product.id, "quantity": quantity}, headers=headers
    )


def checkout_form(client, **changes):
    page = client.get("/checkout").get_data(as_text=True)
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(
        r'id="form_token" name="form_token" type="hidden" value="([^"]+)"', page
    )
    data = {
        "form_token": token.group(1),
        "name": "Nguyễn Thị Lan",
        "phone": "0912 345 678",
        "email": "lan@example.vn",
        "province": "Cần Thơ",
        "ward": "Phường Vị Thanh",
        "street": "8 Ngô Quốc Trị",
        "note": "",
        "payment_method": "vietqr",
    }
    data.update(changes)
    return data


def test_cart_with_htmx_updates_the_header_count(client, two_coops):
    pineapple, _fish = two_coops
    response = add(client, pineapple, 2, htmx=True)
    body = response.get_data(as_text=True)
    assert 'id="cart-count" hx-swap-oob="true"' in body and ">2</span>" in body
    assert "<html" not in body
    cart = client.get("/cart").get_data(as_text=True)
    assert "Khóm Cầu Đúc" in cart and "30.000" in cart


def test_cart_without_javascript_redirects(client, two_coops):
    pineapple, _fish = two_coops
    response = client.post(
        "/cart/add", data={"product_id": pineapple.id, "quantity": 1, "next": "/products"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/products"
    response = client.post("/cart/update", data={"product_id": pineapple.id, "quantity": "3"})
    assert response.status_code == 302
    assert 'value="3"' in client.get("/cart").get_data(as_text=True)
    client.post("/cart/update", data={"product_id": pineapple.id, "remove": "1"})
    assert "Giỏ hàng của bạn đang trống" in client.get("/cart").get_data(as_text=True)


@pytest.mark.parametrize(
    "away", ["//evil.example", "/\\evil.example", "https://evil.example/", "/\t/evil"]
)
def test_cart_add_never_sends_the_buyer_to_another_site(client, two_coops, away):
    pineapple, _fish = two_coops
    response = client.post("/cart/add", data={"product_id": pineapple.id, "next": away})
    assert response.status_code == 302 and response.headers["Location"] == "/cart"


def test_cart_quantity_kept_between_1_and_stock(client, two_coops):
    _pineapple, fish = two_coops
    add(client, fish, 99)
    assert 'value="5"' in client.get("/cart").get_data(as_text=True)
    client.post("/cart/update", data={"product_id": fish.id, "quantity": "0"})
    assert 'value="1"' in client.get("/cart").get_data(as_text=True)
    for bad in ("abc", "-4", ""):
        response = client.post("/cart/update", data={"product_id": fish.id, "quantity": bad})
        assert response.status_code == 302
    assert client.post("/cart/add", data={"product_id": "x"}).status_code == 302


def test_cart_shows_a_product_that_ran_out(client, db, two_coops):
    pineapple, _fish = two_coops
    add(client, pineapple)
    pineapple.stock = 0
    db.session.commit()
    page = client.get("/cart").get_data(as_text=True)
    assert "đã hết hàng hoặc ngừng bán" in page
    assert "/checkout" not in page.split('id="cart"')[1]


def test_guest_cart_merges_into_the_account_on_login(client, make, two_coops):
    pineapple, _fish = two_coops
    make.user(email="mai@example.vn")
    add(client, pineapple, 2)
    client.post("/login", data={"email": "mai@example.vn", "password": TEST_PASSWORD})
    assert 'value="2"' in client.get("/cart").get_data(as_text=True)
    client.post("/logout")
    assert "Giỏ hàng của bạn đang trống" in client.get("/cart").get_data(as_text=True)
    client.post("/login", data={"email": "mai@example.vn", "password": TEST_PASSWORD})
    assert "Khóm Cầu Đúc" in client.get("/cart").get_data(as_text=True)


def test_checkout_page_to_order_page_with_qr_codes_and_mails(app, client, db, two_coops):
    pineapple, fish = two_coops
    add(client, pineapple, 2)
    add(client, fish, 1)
    response = client.post("/checkout", data=checkout_form(client))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert re.match(r"/orders/HG-\d{4}-\d{6}\?token=", location)
    page = client.get(location).get_data(as_text=True)
    assert len(re.findall(r'<img src="/orders/[^"]+/qr\.png', page)) == 2  # one per cooperative
    assert "7700205123456" in page and "74010000123456" in page
    assert "Chờ xác nhận" in page
    assert "Giỏ hàng của bạn đang trống" in client.get("/cart").get_data(as_text=True)
    outbox = list(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))
    mails = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in outbox]
    assert any(
        m["To"] == "lan@example.vn" and location.split("?")[0] in m.get_body().get_content()
        for m in mails
    )


def test_checkout_errors_keep_what_was_typed(client, two_coops):
    pineapple, _fish = two_coops
    add(client, pineapple)
    data = checkout_form(client, phone="123", province="Nowhere", street="12 Lê Lợi")
    response = client.post("/checkout", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Số điện thoại chưa đúng" in body
    assert "Vui lòng chọn tỉnh / thành phố." in body
    assert 'value="12 Lê Lợi"' in body


def test_double_submit_of_the_checkout_form_makes_one_order(client, db, two_coops):
    pineapple, _fish = two_coops
    add(client, pineapple)
    data = checkout_form(client)
    first = client.post("/checkout", data=data)
    add(client, pineapple)  # even with something in the cart again
    second = client.post("/checkout", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count(Checkout.id))) == 1


def test_order_page_visible_only_to_its_buyer_or_link(client, make, two_coops):
    pineapple, _fish = two_coops
    make.user(email="mai@example.vn")
    make.user(email="other@example.vn")
    client.post("/login", data={"email": "mai@example.vn", "password": TEST_PASSWORD})
    add(client, pineapple)
    location = client.post("/checkout", data=checkout_form(client)).headers["Location"]
    code_url = location.split("?")[0]
    assert client.get(code_url).status_code == 200  # the buyer's own account
    assert code_url in client.get("/account").get_data(as_text=True)
    client.post("/logout")
    assert client.get(code_url).status_code == 404
    assert client.get(code_url + "?token=wrong").status_code == 404
    assert client.get(location).status_code == 200  # the secret link
    client.post("/login", data={"email": "other@example.vn", "password": TEST_PASSWORD})
    assert client.get(code_url).status_code == 404
    assert client.get("/orders/HG-2026-999999").status_code == 404


def test_buyer_cancels_a_pending_order_from_the_page(client, db, two_coops):
    pineapple, _fish = two_coops
    add(client, pineapple, 3)
    location = client.post("/checkout", data=checkout_form(client)).headers["Location"]
    code, token = re.match(r"/orders/([^?]+)\?token=(.+)", location).groups()
    order = db.session.scalar(select(Order))
    url = f"/orders/{code}/{order.id}/cancel"
    assert client.post(url, data={"token": token, "reason": "Đổi ý"}).status_code == 302
    client.post(url, data={"token": token})
    db.session.rollback()  # end the test's snapshot: read what the others committed
    assert db.session.get(Order, order.id).status == "cancelled"
    assert db.session.get(Product, pineapple.id).stock == 50
    assert client.post(url, data={"token": "wrong"}).status_code == 404


# --- what the write discipline promises here ----------------------------------------------


def test_a_mail_failing_after_the_checkout_still_shows_the_order(
    client, db, two_coops, monkeypatch
):
    """The order is committed before its mails go; a mail server that is down is logged, and
    the buyer still lands on the order page with the order and an empty cart."""
    pineapple, _fish = two_coops

    def mail_server_down(*_args, **_kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("core.notifications.send_mail", mail_server_down)
    add(client, pineapple, 2)
    response = client.post("/checkout", data=checkout_form(client))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/orders/HG-")
    page = client.get(location).get_data(as_text=True)
    assert "Chờ xác nhận" in page and "Đặt hàng thành công" in page
    assert "Giỏ hàng của bạn đang trống" in client.get("/cart").get_data(as_text=True)
    assert db.session.scalar(select(func.count(Checkout.id))) == 1
    assert db.session.get(Product, pineapple.id).stock == 48


def test_a_logged_in_buyers_cart_lines_leave_with_the_checkout(client, db, make, two_coops):
    pineapple, fish = two_coops
    buyer = make.user(email="mai@example.vn")
    client.post("/login", data={"email": "mai@example.vn", "password": TEST_PASSWORD})
    add(client, pineapple, 2)
    data = checkout_form(client)
    assert client.post("/checkout", data=data).status_code == 302
    assert db.session.scalar(select(func.count(CartItem.id))) == 0
    add(client, fish)  # the same form again later: no second order, the new line stays
    assert client.post("/checkout", data=data).status_code == 302
    assert db.session.scalar(select(func.count(Checkout.id))) == 1
    lines = db.session.execute(select(CartItem.user_id, CartItem.product_id)).all()
    assert lines == [(buyer.id, fish.id)]


@pytest.mark.parametrize("token", ["", "junk", "t" * 500, "ơ" * 64])
def test_a_checkout_form_without_a_token_of_ours_orders_nothing_and_keeps_what_was_typed(
    client, db, two_coops, token
):
    pineapple, _fish = two_coops
    add(client, pineapple)
    data = checkout_form(client, form_token=token, street="12 Lê Lợi")
    response = client.post("/checkout", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Trang đặt hàng đã cũ nên chưa có đơn nào được đặt" in body
    assert 'value="12 Lê Lợi"' in body
    fresh = re.search(r'name="form_token" type="hidden" value="([^"]+)"', body)
    assert fresh and checkouts.valid_form_token(fresh.group(1))
    assert db.session.scalar(select(func.count(Checkout.id))) == 0
    data["form_token"] = fresh.group(1)  # sent again, as the page now gives it
    assert client.post("/checkout", data=data).status_code == 302
    assert db.session.scalar(select(func.count(Checkout.id))) == 1


def test_the_same_checkout_at_once_for_the_last_unit_is_one_order_for_both(app, db, make):
    """A double click on the last unit: the twin waits for the first and gets its checkout,
    instead of being told the product sold out."""
    product = make.product("Khóm cuối cùng", stock=1)
    product_id = product.id
    token = checkouts.new_form_token()
    results = at_once(app, *[lambda: place({product_id: 1}, token=token).code] * 2)
    assert len(results) == 2 and all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 1
    db.session.rollback()  # end the test's snapshot: read what the others committed
    assert db.session.get(Product, product_id).stock == 0


def _login(client, email):
    response = client.post("/login", data={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_the_guest_cart_joins_the_account_once_however_often_the_login_is_sent(
    app, db, make, two_coops
):
    """A double-clicked login sends the guest's cart twice (the same cookie): the account's
    line keeps the larger quantity of the two carts, so merging again changes nothing."""
    pineapple, fish = two_coops
    buyer = make.user(email="mai@example.vn")
    db.session.add(CartItem(user_id=buyer.id, product_id=fish.id, quantity=3))
    db.session.commit()
    guest = app.test_client()
    add(guest, pineapple, 2)
    add(guest, fish, 1)
    cookie = guest.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    for _ in range(3):  # the same guest cookie, three logins
        twin = app.test_client()
        twin.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        _login(twin, "mai@example.vn")
    lines = dict(db.session.execute(select(CartItem.product_id, CartItem.quantity)).tuples().all())
    assert lines == {pineapple.id: 2, fish.id: 3}


def test_logins_at_the_same_moment_merge_the_guest_cart_once(app, db, make, two_coops):
    pineapple, _fish = two_coops
    make.user(email="mai@example.vn")
    guest = app.test_client()
    add(guest, pineapple, 2)
    cookie = guest.get_cookie(app.config["SESSION_COOKIE_NAME"]).value

    def log_in():
        twin = app.test_client()
        twin.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        return twin.post("/login", data={"email": "mai@example.vn", "password": TEST_PASSWORD})

    results = at_once(app, *[lambda: log_in().status_code] * 2)
    assert results == [302, 302], results
    db.session.rollback()  # end the test's snapshot: read what the others committed
    assert db.session.execute(select(CartItem.product_id, CartItem.quantity)).all() == [
        (pineapple.id, 2)
    ]


def test_adds_at_the_same_moment_count_each_and_stay_within_the_stock(app, db, make):
    product = make.product("Cá khô", stock=3)
    product_id = product.id
    make.user(email="mai@example.vn")
    client = app.test_client()
    _login(client, "mai@example.vn")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value

    def add_one():
        twin = app.test_client()
        twin.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        return twin.post("/cart/add", data={"product_id": product_id, "quantity": 1}).status_code

    assert at_once(app, add_one, add_one) == [302, 302]
    db.session.rollback()
    assert db.session.scalars(select(CartItem.quantity)).all() == [2]
    assert at_once(app, *[add_one] * 4) == [302] * 4
    db.session.rollback()
    assert db.session.scalars(select(CartItem.quantity)).all() == [3]  # the stock


@pytest.mark.parametrize("product_id", ["2147483648", "99999999999999999999", "0", "-1", "²"])
def test_a_product_id_out_of_range_is_a_product_not_for_sale(client, make, product_id):
    make.user(email="mai@example.vn")
    for logged_in in (False, True):
        if logged_in:
            _login(client, "mai@example.vn")
        for url in ("/cart/add", "/cart/update"):
            response = client.post(
                url, data={"product_id": product_id, "quantity": "1"}, follow_redirects=True
            )
            assert response.status_code == 200
            assert "Sản phẩm này hiện không bán." in response.get_data(as_text=True)


def test_a_buyer_cancelling_twice_is_told_it_is_cancelled(client, db, two_coops):
    pineapple, _fish = two_coops
    add(client, pineapple, 3)
    location = client.post("/checkout", data=checkout_form(client)).headers["Location"]
    code, token = re.match(r"/orders/([^?]+)\?token=(.+)", location).groups()
    order = db.session.scalar(select(Order))
    url = f"/orders/{code}/{order.id}/cancel"
    client.post(url, data={"token": token, "reason": "Đổi ý"})
    again = client.post(url, data={"token": token, "reason": "Đổi ý"}, follow_redirects=True)
    assert again.status_code == 200
    assert f"Đã hủy đơn {order.code}." in again.get_data(as_text=True)
    db.session.rollback()
    events = db.session.scalars(select(OrderEvent.to_status).where(OrderEvent.order_id == order.id))
    assert list(events) == ["pending", "cancelled"]
    assert db.session.get(Product, pineapple.id).stock == 50
