"""What the cart and checkout tell before the buyer confirms: one parcel per cooperative, each
parcel's delivery fee and what more makes it free, and how many transfers VietQR means; a
cooperative without a bank account takes cash on delivery only, and its order of a VietQR
checkout is no transfer."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.models import utcnow
from marketplace import orders as shop_orders
from marketplace.checkout import payment_of, pays_by_transfer
from marketplace.models import Checkout, Order
from marketplace.payables import OrderPayable
from payments.matching import BankLine, take_in
from tests.conftest import TEST_PASSWORD

COD_ONLY = "Hợp tác xã này chỉ nhận thanh toán khi nhận hàng (COD)"


def login(client, email, password=TEST_PASSWORD):
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302


def text_of(html: str) -> str:
    """The page's words, without tags, spaces made single (non-breaking ones too)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html).replace("\xa0", " "))


@pytest.fixture()
def shops(make):
    district = make.district()
    with_bank = make.cooperative(
        "HTX An Phát", district=district, bank_bin="970405", bank_account="7700205123456",
        bank_account_name="HTX AN PHAT",
    )  # fmt: skip
    cash_only = make.cooperative("HTX Bến Tre Xưa", district=district)
    return {
        "with_bank": with_bank,
        "cash_only": cash_only,
        "pineapple": make.product("Khóm An Phát", with_bank, price=100_000, stock=50),
        "lime": make.product("Chanh Bến Tre Xưa", cash_only, price=60_000, stock=50),
    }


@pytest.fixture()
def buyer(client, make):
    make.user(email="mua@example.vn", name="Lê Thị Mua")
    login(client, "mua@example.vn")
    return client


def put_in_cart(client, product, quantity):
    client.post("/cart/add", data={"product_id": str(product.id), "quantity": str(quantity)})


def checkout_form(page: str, payment_method: str, province: str = "Cần Thơ") -> dict:
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)[1]
    return {
        "form_token": token, "name": "Lê Thị Mua", "phone": "0912345678", "email": "",
        "province": province, "ward": "Phường Ninh Kiều", "street": "12 Mậu Thân", "note": "",
        "payment_method": payment_method,
    }  # fmt: skip


def test_the_cart_tells_the_parcels_their_fees_free_delivery_and_cash_only_shops(buyer, shops):
    put_in_cart(buyer, shops["pineapple"], 2)  # 200.000: 300.000 short of free delivery
    put_in_cart(buyer, shops["lime"], 9)  # 540.000: free
    page = text_of(buyer.get("/cart").get_data(as_text=True))
    assert "2 hợp tác xã → 2 kiện hàng" in page
    assert "Nếu chuyển khoản VietQR: 1 lần chuyển khoản." in page
    assert "Mua thêm 300.000 ₫ từ hợp tác xã này để được miễn phí giao gói này." in page
    assert page.count("Mua thêm") == 1  # the other parcel is free already
    assert "Phí giao gói này: từ 20.000 ₫, tùy nơi nhận" in page
    assert "Phí giao gói này: miễn phí" in page
    assert page.count(COD_ONLY) == 1
    cash_only_part = page.split("HTX Bến Tre Xưa")[1]
    assert COD_ONLY in cash_only_part  # said under the cooperative it is about


def test_a_quantity_change_updates_the_parcels_with_htmx(buyer, shops):
    put_in_cart(buyer, shops["pineapple"], 2)
    response = buyer.post(
        "/cart/update",
        data={"product_id": str(shops["pineapple"].id), "quantity": "5"},
        headers={"HX-Request": "true"},
    )
    fragment = text_of(response.get_data(as_text=True))
    assert "1 hợp tác xã → 1 kiện hàng" in fragment
    assert "Mua thêm" not in fragment and "Phí giao gói này: miễn phí" in fragment


def test_checkout_counts_transfers_only_for_shops_that_take_them(buyer, shops):
    put_in_cart(buyer, shops["pineapple"], 2)
    put_in_cart(buyer, shops["lime"], 1)
    page = buyer.get("/checkout").get_data(as_text=True)
    assert "2 hợp tác xã → 2 kiện hàng" in text_of(page)
    assert text_of(page).count(COD_ONLY) == 1
    assert "disabled" not in re.search(r'<input[^>]*value="vietqr"[^>]*>', page)[0]
    # The summary follows the province and the way to pay (htmx).
    assert 'hx-include="[name=payment_method]"' in page and 'hx-include="#province"' in page
    summary = lambda **args: text_of(buyer.get("/checkout/summary", query_string=args).get_data(as_text=True))  # noqa: E731  # fmt: skip
    by_transfer = summary(province="Cần Thơ", payment_method="vietqr")
    assert "2 hợp tác xã → 2 kiện hàng, 1 lần chuyển khoản, 1 kiện trả tiền khi nhận hàng" in by_transfer  # fmt: skip
    assert by_transfer.count("Phí giao hàng: 20.000 ₫") == 2  # each parcel its own fee
    assert "Mua thêm 300.000 ₫" in by_transfer and "Mua thêm 440.000 ₫" in by_transfer
    on_delivery = summary(province="Hà Nội", payment_method="cod")
    assert "2 hợp tác xã → 2 kiện hàng" in on_delivery and "chuyển khoản" not in on_delivery
    assert on_delivery.count("Phí giao hàng: 45.000 ₫") == 2
    assert "chọn tỉnh / thành để tính" in summary()  # no province yet
    # The sentence next to the confirm button (far from the summary on a phone) follows too.
    assert 'id="checkout-parcels"' in page
    fragment = buyer.get("/checkout/summary", query_string={"payment_method": "vietqr"})
    assert re.search(r'<p id="checkout-parcels"[^>]*hx-swap-oob="true"[^>]*>[^<]*1 lần chuyển khoản', fragment.get_data(as_text=True))  # fmt: skip


def test_two_shops_that_take_transfers_are_two_transfers(buyer, shops, make):
    other = make.cooperative(
        "HTX Cầu Đúc", bank_bin="970436", bank_account="0071001234567",
        bank_account_name="HTX CAU DUC",
    )  # fmt: skip
    put_in_cart(buyer, shops["pineapple"], 1)
    put_in_cart(buyer, make.product("Khóm Cầu Đúc", other, price=30_000), 1)
    summary = buyer.get(
        "/checkout/summary", query_string={"province": "Cần Thơ", "payment_method": "vietqr"}
    )
    assert "2 hợp tác xã → 2 kiện hàng, 2 lần chuyển khoản" in text_of(summary.get_data(as_text=True))  # fmt: skip


def test_the_cash_only_shops_order_of_a_vietqr_checkout_is_no_transfer(buyer, shops, db, today):
    put_in_cart(buyer, shops["pineapple"], 2)
    put_in_cart(buyer, shops["lime"], 1)
    page = buyer.get("/checkout").get_data(as_text=True)
    placed = buyer.post("/checkout", data=checkout_form(page, "vietqr"))
    assert placed.status_code == 302
    checkout = db.session.scalar(select(Checkout))
    by_shop = {order.cooperative.name: order for order in checkout.orders}
    transfer, cash = by_shop["HTX An Phát"], by_shop["HTX Bến Tre Xưa"]
    assert pays_by_transfer(transfer) and payment_of(transfer) == "vietqr"
    assert not pays_by_transfer(cash) and payment_of(cash) == "cod"
    assert not shop_orders.awaits_payment(cash) and shop_orders.awaits_payment(transfer)
    assert shop_orders.unpaid_count(shops["cash_only"].id) == 0
    assert shop_orders.unpaid_count(shops["with_bank"].id) == 1

    order_page = buyer.get(placed.headers["Location"]).get_data(as_text=True)
    assert order_page.count('class="transfer-step ') == 1  # one transfer: the shop that takes it
    assert COD_ONLY in text_of(order_page)

    # A credit of exactly the cash order's total, without a reference, pays nothing.
    later = utcnow() + timedelta(minutes=5)
    assert OrderPayable().candidates(shops["cash_only"].id, cash.total, later) == []
    assert [due.id for due in OrderPayable().candidates(shops["with_bank"].id, transfer.total, later)] == [transfer.id]  # fmt: skip
    line = BankLine("statement", "row-1", later, cash.total, "in", "CT tu 0912345678")
    assert take_in(shops["cash_only"].id, line).status == "unmatched"
    with pytest.raises(shop_orders.IllegalTransition):
        shop_orders.mark_paid(cash.id, actor_id=None)
    db.session.rollback()
    assert db.session.get(Order, cash.id).paid_at is None


def test_without_any_shop_taking_transfers_vietqr_is_disabled_with_the_reason(buyer, shops, db):
    put_in_cart(buyer, shops["lime"], 1)
    page = buyer.get("/checkout").get_data(as_text=True)
    vietqr = re.search(r'<input[^>]*value="vietqr"[^>]*>', page)[0]
    assert "disabled" in vietqr and 'aria-describedby="no-vietqr"' in vietqr
    reason = "Chưa hợp tác xã nào trong giỏ hàng nhận chuyển khoản, nên chỉ có thể thanh toán khi nhận hàng (COD)."  # fmt: skip
    assert reason in text_of(page)
    # A page from before (or a tampered one) that sends VietQR anyway: refused, kept, no order.
    refused = buyer.post("/checkout", data=checkout_form(page, "vietqr"))
    assert refused.status_code == 200 and reason in text_of(refused.get_data(as_text=True))
    assert '<option selected value="Phường Ninh Kiều">' in refused.get_data(as_text=True)
    assert db.session.scalar(select(Checkout)) is None
    placed = buyer.post("/checkout", data=checkout_form(page, "cod"))
    assert placed.status_code == 302 and db.session.scalar(select(Checkout)) is not None


def test_a_checkout_sent_twice_is_answered_with_its_order_even_with_vietqr(buyer, shops, db):
    put_in_cart(buyer, shops["pineapple"], 1)
    form = checkout_form(buyer.get("/checkout").get_data(as_text=True), "vietqr")
    first = buyer.post("/checkout", data=form)
    second = buyer.post("/checkout", data=form)  # the cart is empty now: still its order
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
