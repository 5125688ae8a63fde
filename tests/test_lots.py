"""Lots: stock taken first-expiring-first at checkout and given back on a cancel, the stock
count, expiry, the cooperative's lots pages; and the race over two lots on both databases."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from core.extensions import db as _db
from marketplace import lots, orders, products, recalls
from marketplace.cart import OutOfStock
from marketplace.demo_data import LOTS, PRODUCTS
from marketplace.jobs import expire_lots_daily
from marketplace.models import Lot, OrderLine, OrderLineLot, Product
from tests.concurrency import at_once
from tests.lots_check import assert_stock_matches_lots
from tests.test_dashboard import login
from tests.test_orders import place


def packed(product, quantity, days_ago=0, shelf_days=None, **fields):
    day = lots.today() - timedelta(days=days_ago)
    expires_on = day + timedelta(days=shelf_days) if shelf_days is not None else None
    return lots.record_lot(
        product, quantity=quantity, packed_on=day, expires_on=expires_on, **fields
    )


def taken(line_id):
    return {
        lot_id: quantity
        for lot_id, quantity in _db.session.execute(
            select(OrderLineLot.lot_id, OrderLineLot.quantity).where(
                OrderLineLot.order_line_id == line_id
            )
        )
    }


def units_left(lot):
    return _db.session.scalar(select(Lot.units_left).where(Lot.id == lot.id))


@pytest.fixture()
def fish(make):
    return make.product("Cá thát lát tươi", stock=0, price=185_000)


# --- checkout and cancel -----------------------------------------------------------------


def test_one_order_line_takes_from_two_lots_first_expiring_first(db, fish):
    later = packed(fish, 3, days_ago=1, shelf_days=10)
    no_expiry = packed(fish, 4, days_ago=5)
    sooner = packed(fish, 2, days_ago=0, shelf_days=4)
    order = place({fish.id: 4}).orders[0]
    [line] = order.lines
    assert taken(line.id) == {sooner.id: 2, later.id: 2}
    assert (units_left(sooner), units_left(later), units_left(no_expiry)) == (0, 1, 4)
    assert_stock_matches_lots(fish)


def test_a_lot_past_its_expiry_is_never_sold(db, fish):
    old = packed(fish, 5, days_ago=3, shelf_days=5)
    fresh = packed(fish, 2, shelf_days=5)
    # Expired yesterday, and the daily job has not withdrawn it yet: stock still counts it.
    _db.session.execute(
        update(Lot).where(Lot.id == old.id).values(expires_on=lots.today() - timedelta(days=1))
    )
    _db.session.commit()
    with pytest.raises(OutOfStock):
        place({fish.id: 3})
    assert units_left(old) == 5 and units_left(fresh) == 2
    [line] = place({fish.id: 2}).orders[0].lines
    assert taken(line.id) == {fresh.id: 2}


def test_a_cancel_gives_units_back_to_their_lots(db, fish):
    first = packed(fish, 2, shelf_days=3)
    second = packed(fish, 5, shelf_days=8)
    order = place({fish.id: 4}).orders[0]
    assert (units_left(first), units_left(second)) == (0, 3)
    orders.change_status(order.id, "cancelled", actor_id=None)
    assert (units_left(first), units_left(second)) == (2, 5)
    assert _db.session.get(Product, fish.id).stock == 7
    assert_stock_matches_lots(fish)


def test_units_given_back_to_a_recalled_lot_are_not_sold_again(app, db, make, fish):
    recalled = packed(fish, 2, shelf_days=3)
    other = packed(fish, 5, shelf_days=8)
    order = place({fish.id: 3}).orders[0]
    # The recall itself: the lot stops selling, its units left (none) leave the stock.
    office = make.user(role="admin")
    with app.test_request_context():
        recalls.recall_lot(recalled.id, reason="Bao bì bị hở", actor=office)
    assert _db.session.get(Product, fish.id).stock == 4
    orders.change_status(order.id, "cancelled", actor_id=None)
    assert (units_left(recalled), units_left(other)) == (2, 5)
    assert _db.session.get(Product, fish.id).stock == 5
    assert_stock_matches_lots(fish)


def past_its_date(lot):
    """The lot's date passed, and the daily job has not run yet: it still counts as selling."""
    _db.session.execute(
        update(Lot).where(Lot.id == lot.id).values(expires_on=lots.today() - timedelta(days=1))
    )
    _db.session.commit()


def test_a_cancel_between_the_expiry_date_and_the_job_keeps_stock_and_lots_together(db, fish):
    lot = packed(fish, 5, days_ago=3, shelf_days=5)
    order = place({fish.id: 5}).orders[0]
    past_its_date(lot)
    orders.change_status(order.id, "cancelled", actor_id=None)
    assert units_left(lot) == 5
    assert_stock_matches_lots(fish)  # back in a lot the stock still counts
    assert expire_lots_daily.call_local() == 1  # and the job takes all of it out, once
    _db.session.rollback()
    assert _db.session.get(Product, fish.id).stock == 0
    assert_stock_matches_lots(fish)


# --- the stock typed on the product forms: a stock count --------------------------------


def test_a_new_products_stock_is_one_lot(db, make):
    product = make.product("Khóm Cầu Đúc", stock=40)
    [lot] = _db.session.scalars(select(Lot).where(Lot.product_id == product.id)).all()
    assert (lot.code, lot.quantity, lot.units_left) == (lots.OPENING_LOT_CODE, 40, 40)
    assert_stock_matches_lots(product)


def test_a_stock_count_up_adds_and_down_takes_first_expiring_first(db, fish):
    sooner = packed(fish, 3, shelf_days=2)
    later = packed(fish, 4, shelf_days=9)
    products.save_price_and_stock(fish, 185_000, 10, stock_seen=7)
    opening = _db.session.scalar(
        select(Lot).where(Lot.product_id == fish.id, Lot.code == lots.OPENING_LOT_CODE)
    )
    assert (opening.quantity, opening.units_left) == (3, 3)
    assert_stock_matches_lots(fish)

    products.save_price_and_stock(fish, 185_000, 5, stock_seen=10)
    assert (units_left(sooner), units_left(later), units_left(opening)) == (0, 2, 3)
    assert _db.session.get(Product, fish.id).stock == 5
    assert_stock_matches_lots(fish)


def test_a_count_down_takes_from_a_lot_past_its_date_the_job_has_not_withdrawn(db, fish):
    lot = packed(fish, 10, days_ago=3, shelf_days=5)
    past_its_date(lot)
    products.save_price_and_stock(fish, 185_000, 4, stock_seen=10)
    assert units_left(lot) == 4
    assert_stock_matches_lots(fish)
    assert expire_lots_daily.call_local() == 1
    _db.session.rollback()
    assert _db.session.get(Product, fish.id).stock == 0
    assert_stock_matches_lots(fish)


def test_a_count_up_after_the_opening_lot_expired_makes_an_adjustment_lot(db, fish):
    opening = packed(fish, 2, days_ago=2, shelf_days=1, code=lots.OPENING_LOT_CODE)
    assert opening.status == "expired"  # recorded late: never sold
    products.save_price_and_stock(fish, 185_000, 6, stock_seen=0)
    adjusted = _db.session.scalars(
        select(Lot).where(Lot.product_id == fish.id, Lot.id != opening.id)
    ).all()
    # Dated today, with no note: a note is the cooperative's words, shown on the trace page.
    assert [(lot.units_left, lot.packed_on, lot.note) for lot in adjusted] == [
        (6, lots.today(), "")
    ]
    assert_stock_matches_lots(fish)


def test_a_stale_stock_count_changes_no_lot(db, fish):
    lot = packed(fish, 7)
    with pytest.raises(products.StockChanged):
        products.save_price_and_stock(fish, 185_000, 20, stock_seen=9)
    assert units_left(lot) == 7
    assert_stock_matches_lots(fish)


def test_a_typed_lot_code_that_exists_is_told(db, fish):
    packed(fish, 2, code="A1")
    with pytest.raises(lots.LotCodeTaken):
        packed(fish, 3, code="A1")
    assert_stock_matches_lots(fish)


def test_lots_recorded_the_same_day_get_the_next_codes(db, fish):
    codes = [packed(fish, 1).code for _ in range(3)]
    prefix = lots.today().strftime("%y%m%d")
    assert codes == [f"{prefix}-1", f"{prefix}-2", f"{prefix}-3"]
    # A code of the day typed ahead of the count is passed over, not a failure.
    packed(fish, 1, code=f"{prefix}-5")
    assert [packed(fish, 1).code for _ in range(2)] == [f"{prefix}-6", f"{prefix}-7"]


def test_lots_recorded_at_the_same_moment_get_codes_of_their_own(app, db, fish):
    fish_id = fish.id

    def record():
        product = _db.session.get(Product, fish_id)
        return lots.record_lot(product, quantity=2, packed_on=lots.today()).code

    codes = at_once(app, *[record] * 4)
    assert len(set(codes)) == 4 and all(isinstance(code, str) for code in codes), codes
    assert_stock_matches_lots(fish)


# --- expiry --------------------------------------------------------------------------------


def test_the_daily_job_withdraws_expired_lots_once(db, fish):
    old = packed(fish, 4, shelf_days=3)
    kept = packed(fish, 2, shelf_days=30)
    _db.session.execute(
        update(Lot).where(Lot.id == old.id).values(expires_on=lots.today() - timedelta(days=1))
    )
    _db.session.commit()
    assert expire_lots_daily.call_local() == 1
    assert expire_lots_daily.call_local() == 0
    _db.session.rollback()
    assert _db.session.get(Lot, old.id).status == "expired"
    assert _db.session.get(Lot, kept.id).status == "selling"
    assert _db.session.get(Product, fish.id).stock == 2
    assert_stock_matches_lots(fish)


# --- the cooperative's pages ----------------------------------------------------------------


@pytest.fixture()
def shop(make):
    owner = make.user(role="cooperative")
    cooperative = make.cooperative("HTX Khóm Cầu Đúc", owner=owner)
    product = make.product("Khóm Cầu Đúc", cooperative, stock=0, unit="trái")
    return owner, cooperative, product


def lot_form(for_product, **changes):
    product = for_product
    data = {
        "product": str(product.id),
        "quantity": "120",
        "packed_on": lots.today().isoformat(),
        "expires_on": (lots.today() + timedelta(days=12)).isoformat(),
        "area_code": "93-VTH-0012",
        "standard": "VietGAP",
        "note": "Thu hoạch sáng",
    }
    data.update(changes)
    return data


def new_lot_page(client, product=None):
    page = client.get("/dashboard/lots/new" + (f"?product={product.id}" if product else ""))
    assert page.status_code == 200
    return page.get_data(as_text=True)


def token_of(page):
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_cooperative_records_a_lot_and_sees_it(client, db, shop):
    owner, _cooperative, product = shop
    login(client, owner)
    page = new_lot_page(client, product)
    assert f'<option selected value="{product.id}">' in page
    response = client.post("/dashboard/lots/new", data=lot_form(product, form_token=token_of(page)))
    assert response.status_code == 302
    lot = _db.session.scalar(select(Lot).where(Lot.product_id == product.id))
    assert response.location.endswith(f"/dashboard/lots#lot-{lot.id}")
    assert (lot.quantity, lot.area_code, lot.standard) == (120, "93-VTH-0012", "VietGAP")
    listing = client.get("/dashboard/lots").get_data(as_text=True)
    assert f'id="lot-{lot.id}"' in listing and lot.code in listing
    # Each lot's labels, trace page and recall are a tap away.
    assert f"/dashboard/lots/{lot.id}/labels.pdf" in listing
    assert f"/t/{lot.trace_code}" in listing and f"/dashboard/lots/{lot.id}/recall" in listing
    assert _db.session.get(Product, product.id).stock == 120
    # The products list links to the product's lots; the menu to every lot.
    assert f"/dashboard/lots?product={product.id}" in client.get("/dashboard/products").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quantity": "0"}, "Số lượng từ 1 đến 1.000.000."),
        ({"quantity": "1000001"}, "Số lượng từ 1 đến 1.000.000."),
        ({"quantity": "nhiều"}, "Vui lòng nhập một số nguyên"),
        ({"packed_on": "tomorrow"}, "Ngày không hợp lệ."),
        ({"expires_on": "2000-01-01"}, "Vui lòng chọn ngày từ"),
        ({"product": "999999"}, "Vui lòng chọn một sản phẩm của cửa hàng."),
    ],
)
def test_a_lot_form_with_mistakes_keeps_what_was_typed(client, db, shop, changes, message):
    owner, _cooperative, product = shop
    login(client, owner)
    page = new_lot_page(client)
    response = client.post(
        "/dashboard/lots/new", data=lot_form(product, form_token=token_of(page), **changes)
    )
    answer = response.get_data(as_text=True)
    assert response.status_code == 200 and message in answer
    assert 'value="93-VTH-0012"' in answer and "Thu hoạch sáng" in answer
    assert _db.session.scalar(select(func.count(Lot.id))) == 0


def test_a_lot_that_would_take_the_stock_past_a_million_is_told(client, db, shop):
    owner, _cooperative, product = shop
    packed(product, 999_990)
    login(client, owner)
    page = new_lot_page(client)
    response = client.post(
        "/dashboard/lots/new", data=lot_form(product, form_token=token_of(page), quantity="20")
    )
    assert response.status_code == 200
    assert "vượt quá 1.000.000" in response.get_data(as_text=True)
    assert _db.session.scalar(select(func.count(Lot.id)).where(Lot.product_id == product.id)) == 1
    assert_stock_matches_lots(product)


def test_a_pack_date_in_the_future_and_an_expiry_before_it_are_refused(client, db, shop):
    owner, _cooperative, product = shop
    login(client, owner)
    tomorrow = (lots.today() + timedelta(days=1)).isoformat()
    yesterday = (lots.today() - timedelta(days=1)).isoformat()
    for changes, message in (
        ({"packed_on": tomorrow}, "Ngày đóng gói không được sau hôm nay."),
        ({"expires_on": yesterday}, "Hạn sử dụng không được trước ngày đóng gói."),
    ):
        page = new_lot_page(client)
        answer = client.post(
            "/dashboard/lots/new", data=lot_form(product, form_token=token_of(page), **changes)
        ).get_data(as_text=True)
        assert message in answer
    assert _db.session.scalar(select(func.count(Lot.id))) == 0


def test_a_cooperative_sees_and_records_only_its_own_lots(client, db, make, shop):
    owner, _cooperative, _product = shop
    theirs = make.product("Cá thát lát", make.cooperative("HTX Kỳ Như"), stock=9)
    login(client, owner)
    assert "TONDAU" not in client.get("/dashboard/lots").get_data(as_text=True)
    assert client.get(f"/dashboard/lots?product={theirs.id}").status_code == 404
    page = new_lot_page(client)
    assert "Cá thát lát" not in page
    answer = client.post("/dashboard/lots/new", data=lot_form(theirs, form_token=token_of(page)))
    assert "Vui lòng chọn một sản phẩm của cửa hàng." in answer.get_data(as_text=True)
    assert _db.session.get(Product, theirs.id).stock == 9


def test_a_suspended_cooperative_reads_its_lots_but_records_none(client, db, shop):
    owner, cooperative, product = shop
    cooperative.suspended, cooperative.moderation_reason = True, "Đang kiểm tra"
    _db.session.commit()
    login(client, owner)
    assert client.get("/dashboard/lots").status_code == 200
    page = new_lot_page(client)
    response = client.post("/dashboard/lots/new", data=lot_form(product, form_token=token_of(page)))
    assert response.status_code == 302
    assert _db.session.scalar(select(func.count(Lot.id))) == 0


def test_the_dashboard_warns_of_lots_expiring_within_14_days(client, db, shop):
    owner, _cooperative, product = shop
    soon = packed(product, 30, days_ago=5, shelf_days=15)  # ten days left
    packed(product, 40, shelf_days=40)
    withdrawn = packed(product, 5, days_ago=9, shelf_days=3)  # expired, still holding units
    packed(product, 5, days_ago=30, shelf_days=10)  # expired 20 days ago: no longer told
    login(client, owner)
    home = client.get("/dashboard").get_data(as_text=True)
    warning = home[home.index('id="expiring-title"') :]
    assert f"#lot-{soon.id}" in warning and f"#lot-{withdrawn.id}" in warning
    assert warning.count("#lot-") == 2
    assert "đã hết hạn" in warning


def test_no_warning_without_lots_expiring(client, db, shop):
    owner, _cooperative, product = shop
    packed(product, 40, shelf_days=40)
    login(client, owner)
    assert 'id="expiring-title"' not in client.get("/dashboard").get_data(as_text=True)


# --- demo data -------------------------------------------------------------------------------


def test_the_seeded_demo_keeps_stock_and_lots_together(app, db):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    assert_stock_matches_lots()
    pineapple = _db.session.scalar(select(Product).where(Product.name == "Khóm Cầu Đúc"))
    assert lots.expiry_warnings(pineapple.cooperative_id), "no demo lot to warn of"
    areas = _db.session.scalars(select(Lot.area_code).where(Lot.product_id == pineapple.id)).all()
    assert set(areas) == {"93-VTH-0012"}
    # The featherback carries the province's certification mark: its trace page names it.
    fish_lot = _db.session.scalar(
        select(Lot).join(Product).where(Product.name == "Cá thát lát rút xương tẩm gia vị")
    )
    trace = app.test_client().get(f"/t/{fish_lot.trace_code}").get_data(as_text=True)
    assert "Cá thát lát Hậu Giang (nhãn hiệu chứng nhận)" in trace


def test_the_demo_lots_make_each_products_stock():
    stock = {row[1]: row[5] for row in PRODUCTS}
    for name, (_shelf, _area, _standard, packings) in LOTS.items():
        assert sum(units for _days, units in packings) == stock[name], name
    assert {name for name, units in stock.items() if units} == set(LOTS)


# --- the race ----------------------------------------------------------------------------------


def test_30_concurrent_checkouts_over_two_lots_of_3_and_2(app, db, fish):
    first = packed(fish, 3, shelf_days=5)
    second = packed(fish, 2, shelf_days=9)
    fish_id = fish.id
    results = at_once(app, *[lambda: place({fish_id: 1}).code] * 30)
    codes = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, OutOfStock)]
    assert len(codes) == 5 and len(refused) == 25, results
    _db.session.rollback()  # read what the others committed
    assert (units_left(first), units_left(second)) == (0, 0)
    lines = _db.session.scalars(select(OrderLine).where(OrderLine.product_id == fish_id)).all()
    assert len(lines) == 5
    assert all(sum(taken(line.id).values()) == line.quantity == 1 for line in lines)
    per_lot = _db.session.execute(
        select(OrderLineLot.lot_id, func.sum(OrderLineLot.quantity)).group_by(OrderLineLot.lot_id)
    ).all()
    assert dict(per_lot) == {first.id: 3, second.id: 2}
    assert_stock_matches_lots(fish)
