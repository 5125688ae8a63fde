"""Provinces and wards from the vietnam-provinces package, the ward that follows the province,
phones as Vietnamese shoppers type them, the buyer's address book (one default, race-safe) and
checkout with it, and the cart's delivery estimate for a chosen province."""

import re

import pytest
from sqlalchemy import func, select
from vietnam_provinces import Province, Ward

from core import provinces
from core.extensions import db
from marketplace import addresses
from marketplace.models import Checkout, SavedAddress
from tests.concurrency import at_once
from tests.conftest import TEST_PASSWORD

LAN = {
    "name": "Nguyễn Thị Lan", "phone": "02933876543", "province": "Cần Thơ",
    "ward": "Phường Vị Thanh", "street": "8 Ngô Quốc Trị",
}  # fmt: skip


def login(client, email):
    assert (
        client.post("/login", data={"email": email, "password": TEST_PASSWORD}).status_code == 302
    )


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html).replace("\xa0", " "))


def library_wards(province_name: str) -> set[str]:
    """The wards vietnam_provinces gives the province whose full name ends with this one."""
    (province,) = [p for p in Province.iter_all() if p.name.endswith(province_name)]
    return {" ".join(w.name.split()) for w in Ward.iter_by_province(province.code)}


def options(html: str, select_id: str) -> list[str]:
    found = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    return [value for value in re.findall(r'value="([^"]*)"', found[1]) if value]


@pytest.fixture()
def buyer(client, make):
    user = make.user(email="lan@example.vn", name="Nguyễn Thị Lan")
    login(client, "lan@example.vn")
    return user


@pytest.fixture()
def pineapple(make):
    cooperative = make.cooperative("HTX Khóm Hỏa Lựu")
    return make.product("Khóm Cầu Đúc", cooperative, price=100_000, stock=50)


def put_in_cart(client, product, quantity=1):
    client.post("/cart/add", data={"product_id": str(product.id), "quantity": str(quantity)})


def form_token(page: str) -> str:
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)[1]


# --- provinces and wards -------------------------------------------------------------------


def test_the_34_provinces_are_the_librarys_in_vietnamese_order():
    names = provinces.province_names()
    assert len(names) == 34 == len(list(Province.iter_all()))
    assert "Cần Thơ" in names and "Thành phố Cần Thơ" not in names
    # Hồ Chí Minh under H, after Hải Phòng and before Huế; Đ after D, under its own letter.
    assert names.index("Hải Phòng") < names.index("Hồ Chí Minh") < names.index("Huế")
    assert names[:5] == ("An Giang", "Bắc Ninh", "Cà Mau", "Cao Bằng", "Cần Thơ")
    assert names.index("Cần Thơ") < names.index("Đà Nẵng") < names.index("Gia Lai")


def test_the_wards_are_the_librarys_and_old_names_still_read():
    assert set(provinces.wards_of("Cần Thơ")) == library_wards("Cần Thơ")
    assert len(provinces.wards_of("Cần Thơ")) == len(library_wards("Cần Thơ")) > 100
    assert "Phường Ninh Kiều" in provinces.wards_of("Cần Thơ")
    assert provinces.is_ward_of("Xã Hỏa Lựu", "Cần Thơ")  # Hậu Giang's, now Cần Thơ's
    assert not provinces.is_ward_of("Phường Hoàn Kiếm", "Cần Thơ")
    assert provinces.is_ward_of("Phường Hoàn Kiếm", "Hà Nội")
    assert provinces.wards_of("Atlantis") == ()
    # Orders stored before the library: "TP Hồ Chí Minh" is read as Hồ Chí Minh.
    assert provinces.canonical_province("TP Hồ Chí Minh") == "Hồ Chí Minh"
    assert provinces.delivery_region("TP Hồ Chí Minh") == "elsewhere"
    assert provinces.delivery_region("Cần Thơ") == "same_province"
    assert provinces.delivery_region("An Giang") == "mekong"


def test_the_ward_field_follows_the_province(client, db, pineapple):
    page = client.get("/checkout/wards", query_string={"province": "Cần Thơ"}).get_data(
        as_text=True
    )
    assert set(options(page, "ward")) == library_wards("Cần Thơ")
    # Only the inside comes back: the wrapper that listens to #province stays on the page.
    assert "hx-trigger" not in page and 'id="ward-field"' not in page
    put_in_cart(client, pineapple)
    checkout = client.get("/checkout").get_data(as_text=True)
    assert 'hx-trigger="change from:#province"' in checkout and 'hx-swap="innerHTML"' in checkout
    elsewhere = client.get("/checkout/wards", query_string={"province": "Hà Nội"})
    assert set(options(elsewhere.get_data(as_text=True), "ward")) == library_wards("Hà Nội")
    none = client.get("/checkout/wards", query_string={"province": "Atlantis"})
    assert none.status_code == 200 and options(none.get_data(as_text=True), "ward") == []


def checkout_data(page: str, **changes) -> dict:
    return {
        "form_token": form_token(page), "name": "Nguyễn Thị Lan", "phone": "0293 3876 543",
        "email": "", "province": "Cần Thơ", "ward": "Phường Vị Thanh", "street": "8 Ngô Quốc Trị",
        "note": "", "payment_method": "cod", **changes,
    }  # fmt: skip


def test_a_ward_of_another_province_is_refused_and_the_list_is_the_chosen_provinces(
    client, db, pineapple
):
    put_in_cart(client, pineapple)
    page = client.get("/checkout").get_data(as_text=True)
    refused = client.post("/checkout", data=checkout_data(page, ward="Phường Hoàn Kiếm"))
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and db.session.scalar(select(Checkout)) is None
    assert "Phường Hoàn Kiếm không thuộc Cần Thơ" in text_of(body)
    # Without JavaScript: the form comes back with Cần Thơ's wards, what was typed kept.
    assert set(options(body, "ward")) == library_wards("Cần Thơ")
    assert 'value="8 Ngô Quốc Trị"' in body
    no_ward = client.post("/checkout", data=checkout_data(page, ward=""))
    assert "Vui lòng chọn phường / xã." in no_ward.get_data(as_text=True)


def test_a_landline_orders_and_is_stored_in_its_one_form(client, db, pineapple):
    put_in_cart(client, pineapple)
    page = client.get("/checkout").get_data(as_text=True)
    placed = client.post("/checkout", data=checkout_data(page, phone="(0293) 3.876.543"))
    assert placed.status_code == 302
    assert db.session.scalar(select(Checkout)).phone == "02933876543"


@pytest.mark.parametrize("typed", ["84 912 345 678", "+84 912 345 678", "0912.345.678"])
def test_the_mobile_forms_people_type_are_one_number(client, db, pineapple, typed):
    put_in_cart(client, pineapple)
    page = client.get("/checkout").get_data(as_text=True)
    assert client.post("/checkout", data=checkout_data(page, phone=typed)).status_code == 302
    assert db.session.scalar(select(Checkout)).phone == "0912345678"


def test_junk_phones_are_refused_in_vietnamese(client, db, pineapple):
    put_in_cart(client, pineapple)
    page = client.get("/checkout").get_data(as_text=True)
    for junk in ("0123456789", "0293 387 654", "số của tôi", "+49 151 23456789"):
        body = client.post("/checkout", data=checkout_data(page, phone=junk)).get_data(as_text=True)
        assert "Số điện thoại chưa đúng" in body and f'value="{junk}"' in body
    assert db.session.scalar(select(Checkout)) is None


# --- the address book ----------------------------------------------------------------------


def book(user_id) -> list[tuple[str, bool]]:
    db.session.expire_all()
    return [(a.street, a.is_default) for a in addresses.addresses_of(user_id)]


def test_save_an_address_pick_province_then_ward_and_make_it_default(client, buyer):
    page = client.get("/account/addresses").get_data(as_text=True)
    assert options(page, "ward") == []  # no province yet: no ward to choose
    # The ward list of the chosen province (what htmx swaps in), then the form sent.
    wards = options(
        client.get("/checkout/wards", query_string={"province": "Cần Thơ"}).get_data(as_text=True),
        "ward",
    )
    assert "Xã Hỏa Lựu" in wards
    data = {
        "form_token": form_token(page), "name": "Nguyễn Thị Lan", "phone": "0293 3876 543",
        "province": "Cần Thơ", "ward": "Xã Hỏa Lựu", "street": "Ấp Thạnh Mỹ",
    }  # fmt: skip
    assert client.post("/account/addresses", data=data).status_code == 302
    assert book(buyer.id) == [("Ấp Thạnh Mỹ", True)]  # the first one is the default
    saved = addresses.default_address(buyer.id)
    assert (saved.phone, saved.ward) == ("02933876543", "Xã Hỏa Lựu")

    second = {**data, "form_token": form_token(client.get("/account/addresses").text)}
    second.update(street="12 Trần Hưng Đạo", ward="Phường Ninh Kiều", phone="0912345678")
    client.post("/account/addresses", data=second)
    assert book(buyer.id) == [("Ấp Thạnh Mỹ", True), ("12 Trần Hưng Đạo", False)]
    other = next(a for a in addresses.addresses_of(buyer.id) if not a.is_default)
    assert client.post(f"/account/addresses/{other.id}/default").status_code == 302
    assert book(buyer.id) == [("12 Trần Hưng Đạo", True), ("Ấp Thạnh Mỹ", False)]

    # Edited: the ward must be the province's.
    wrong = client.post(
        f"/account/addresses/{other.id}", data={**second, "ward": "Phường Hoàn Kiếm"}
    )
    assert wrong.status_code == 422 and "không thuộc Cần Thơ" in wrong.text
    client.post(f"/account/addresses/{other.id}", data={**second, "street": "14 Trần Hưng Đạo"})
    assert book(buyer.id)[0] == ("14 Trần Hưng Đạo", True)

    # The default deleted: the other one becomes it.
    client.post(f"/account/addresses/{other.id}/delete")
    assert book(buyer.id) == [("Ấp Thạnh Mỹ", True)]
    assert "Sổ địa chỉ" in client.get("/account").text


def test_someone_elses_address_is_404(client, buyer, make):
    theirs = addresses.add_address(make.user().id, LAN)
    assert client.post(f"/account/addresses/{theirs.id}/default").status_code == 404
    assert client.post(f"/account/addresses/{theirs.id}", data=LAN).status_code == 404
    client.post(f"/account/addresses/{theirs.id}/delete")
    assert db.session.get(SavedAddress, theirs.id) is not None
    assert 'value="8 Ngô Quốc Trị"' not in client.get(f"/account/addresses?edit={theirs.id}").text


def test_a_guest_is_sent_to_log_in(client, db):
    response = client.get("/account/addresses")
    assert response.status_code == 302 and "/login" in response.location


def test_two_make_default_at_once_leave_exactly_one_default(app, db, make):
    user_id = make.user().id
    first = addresses.add_address(user_id, LAN).id
    second = addresses.add_address(user_id, {**LAN, "street": "12 Trần Hưng Đạo"}).id
    third = addresses.add_address(user_id, {**LAN, "street": "1 Hòa Bình"}).id
    db.session.commit()
    for _round in range(3):
        results = at_once(
            app,
            lambda: addresses.make_default(user_id, second),
            lambda: addresses.make_default(user_id, third),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        db.session.expire_all()
        defaults = db.session.scalars(
            select(SavedAddress.id).where(SavedAddress.user_id == user_id, SavedAddress.is_default)
        ).all()
        assert len(defaults) == 1 and defaults[0] in (second, third)
    assert first not in defaults


def test_two_checkouts_saving_their_first_address_at_once_make_one_default(app, db, make):
    user_id = make.user().id
    db.session.commit()
    results = at_once(
        app,
        lambda: addresses.remember(user_id, LAN),
        lambda: addresses.remember(user_id, {**LAN, "street": "12 Trần Hưng Đạo"}),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    db.session.expire_all()
    assert sorted(default for _street, default in book(user_id)) == [False, True]


def test_the_book_is_bounded(make, db):
    user_id = make.user().id
    for n in range(addresses.MAX_ADDRESSES):
        addresses.add_address(user_id, {**LAN, "street": f"{n} Hòa Bình"})
    with pytest.raises(addresses.AddressBookFull):
        addresses.add_address(user_id, LAN)
    addresses.remember(user_id, {**LAN, "street": "Ấp mới"})  # the order matters more
    count = select(func.count()).select_from(SavedAddress)
    assert db.session.scalar(count) == addresses.MAX_ADDRESSES


# --- checkout with the book ----------------------------------------------------------------


def test_checkout_fills_in_the_default_and_offers_the_others(client, buyer, pineapple):
    addresses.add_address(buyer.id, LAN)
    other = addresses.add_address(
        buyer.id, {**LAN, "ward": "Xã Hỏa Lựu", "street": "Ấp Thạnh Mỹ", "phone": "0912345678"}
    )
    put_in_cart(client, pineapple)
    page = client.get("/checkout").text
    assert 'value="8 Ngô Quốc Trị"' in page and 'value="02933876543"' in page
    assert '<option selected value="Phường Vị Thanh">' in page
    assert '<option selected value="Cần Thơ">' in page
    assert "Phí giao hàng: 20.000 ₫" in text_of(page)  # the default's province: fees known
    picked = client.get(f"/checkout?address={other.id}").text
    assert 'value="Ấp Thạnh Mỹ"' in picked and '<option selected value="Xã Hỏa Lựu">' in picked
    typed = client.get("/checkout?address=new").text
    assert 'value="Ấp Thạnh Mỹ"' not in typed and 'value="8 Ngô Quốc Trị"' not in typed
    placed = client.post("/checkout", data=checkout_data(picked, street="Ấp Thạnh Mỹ"))
    assert placed.status_code == 302
    assert db.session.scalar(select(Checkout)).ward == "Phường Vị Thanh"


def test_ordering_with_a_new_address_saves_it_as_the_first_default(client, buyer, pineapple):
    put_in_cart(client, pineapple)
    page = client.get("/checkout").text
    assert re.search(r'<input checked id="save_address"', page)  # ticked: the book is empty
    placed = client.post("/checkout", data=checkout_data(page, save_address="y"))
    assert placed.status_code == 302
    assert book(buyer.id) == [("8 Ngô Quốc Trị", True)]
    # Ordering again with the same address saves nothing new.
    put_in_cart(client, pineapple)
    again = client.get("/checkout").text
    assert 'value="8 Ngô Quốc Trị"' in again  # now filled in from the book
    client.post("/checkout", data=checkout_data(again, save_address="y"))
    assert book(buyer.id) == [("8 Ngô Quốc Trị", True)]
    # A guest has no book: the box is not offered and nothing is saved.
    client.post("/logout")
    put_in_cart(client, pineapple)
    guest_page = client.get("/checkout").text
    assert 'id="save_address"' not in guest_page


# --- the cart's estimate -------------------------------------------------------------------


def test_a_guest_chooses_the_province_on_the_cart_and_sees_each_parcels_fee(client, db, pineapple):
    put_in_cart(client, pineapple, 2)  # 200.000: 300.000 short of free delivery
    page = text_of(client.get("/cart").text)
    assert "từ 20.000 ₫, tùy nơi nhận" in page
    chosen = text_of(client.get("/cart", query_string={"province": "Hà Nội"}).text)
    assert "Phí giao gói này đến Hà Nội: 45.000 ₫" in chosen
    assert "Mua thêm 300.000 ₫ từ hợp tác xã này để được miễn phí giao gói này." in chosen
    assert "= 245.000 ₫" in chosen
    # Kept in the session; checkout starts from it.
    assert "Phí giao gói này đến Hà Nội" in text_of(client.get("/cart").text)
    assert '<option selected value="Hà Nội">' in client.get("/checkout").text
    partial = client.get(
        "/cart", query_string={"province": "Cần Thơ"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.text and "Phí giao gói này đến Cần Thơ" in text_of(partial.text)
    ignored = client.get("/cart", query_string={"province": "Atlantis"})
    assert ignored.status_code == 200 and "tùy nơi nhận" in text_of(ignored.text)


def test_a_buyers_cart_is_estimated_for_the_default_address(client, buyer, pineapple):
    addresses.add_address(buyer.id, {**LAN, "province": "An Giang", "ward": "Phường Long Xuyên"})
    put_in_cart(client, pineapple, 1)
    assert "Phí giao gói này đến An Giang: 30.000 ₫" in text_of(client.get("/cart").text)


def test_the_same_address_saved_again_is_the_one_there(make, db):
    user_id = make.user().id
    first = addresses.add_address(user_id, LAN)
    other = addresses.add_address(user_id, {**LAN, "street": "1 Hòa Bình"})
    again = addresses.add_address(user_id, LAN)
    assert again.id == first.id and len(addresses.addresses_of(user_id)) == 2
    addresses.add_address(user_id, {**LAN, "street": "1 Hòa Bình"}, make_default=True)
    assert addresses.default_address(user_id).id == other.id
