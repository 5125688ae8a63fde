"""The dashboard of Kế hoạch 603/KH-UBND (/admin/plan): each figure from data set up here, the
page, its CSV tables, and bad query strings."""

import csv
import io
import re
import uuid
from datetime import date, datetime

import pytest

from fairs.models import Fair
from marketplace.models import Checkout, Order
from programme import charts, plan
from programme.models import Training, TrainingRegistration
from tests.conftest import TEST_PASSWORD
from tourism.models import Booking, Listing

TODAY = date(2024, 6, 15)  # "today" of these tests: the plan's current year is 2024

# Points (criteria 148: A ≤ 40, B ≤ 25, C ≤ 35) that give each number of stars.
TWO_STARS, THREE_STARS, FOUR_STARS, FIVE_STARS = (
    (15, 10, 15),
    (20, 15, 20),
    (30, 20, 25),
    (38, 24, 33),
)


def rated(stars_points, recognised_on):
    return ("148", *stars_points, recognised_on)


def login(client, email):
    client.post("/login", data={"email": email, "password": TEST_PASSWORD})


@pytest.fixture()
def office(client, make):
    make.user(email="office@example.vn", role="admin")
    login(client, "office@example.vn")
    return client


@pytest.fixture()
def fixed_today(monkeypatch):
    """The page's today is TODAY."""
    monkeypatch.setattr("programme.plan_views.today", lambda: TODAY)
    return TODAY


def add_order(db, cooperative, subtotal, created_at, status="delivered"):
    """An order of `cooperative` placed at `created_at` (naive UTC, as stored)."""
    token = uuid.uuid4().hex
    checkout = Checkout(
        form_token=token, access_token=token, name="Nguyễn Văn Mua", phone="0912345678",
        province="Hậu Giang", ward="Phường V", street="1 Trần Hưng Đạo", payment_method="cod",
        created_at=created_at,
    )  # fmt: skip
    order = Order(
        checkout=checkout, cooperative_id=cooperative.id, status=status, subtotal=subtotal,
        delivery_fee=20_000, total=subtotal + 20_000, created_at=created_at,
    )  # fmt: skip
    db.session.add(order)
    db.session.commit()
    return order


def add_booking(db, listing, check_in, guests, status="confirmed"):
    token = uuid.uuid4().hex
    db.session.add(
        Booking(
            form_token=token, access_token=token, listing_id=listing.id, check_in=check_in,
            check_out=check_in, guests=guests, units=1, total=500_000, status=status,
            name="Anna", phone="0912345678", email="anna@example.de", country="Germany",
        )
    )  # fmt: skip
    db.session.commit()


def add_fair(db, starts_on, ends_on=None, name=None):
    name = name or f"Hội chợ {starts_on.isoformat()}"
    fair = Fair(
        slug=uuid.uuid4().hex[:12], name=name, venue="Quảng trường Bảy Ngàn",
        address="TP Vị Thanh", starts_on=starts_on, ends_on=ends_on or starts_on,
        registration_deadline=starts_on,
    )  # fmt: skip
    db.session.add(fair)
    db.session.commit()
    return fair


def add_training(db, day):
    training = Training(topic="Xây dựng câu chuyện sản phẩm", trainer="Sở Công Thương",
                        place="TP Vị Thanh", day=day, seats=30)  # fmt: skip
    db.session.add(training)
    db.session.commit()
    return training


def register(db, training, cooperative, attended):
    db.session.add(
        TrainingRegistration(training_id=training.id, cooperative_id=cooperative.id,
                             attendee="Giám đốc", attended=attended)
    )  # fmt: skip
    db.session.commit()


def csv_table(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


# --- the year ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "year"),
    [(None, 2024), ("", 2024), ("2022", 2022), ("abc", 2024), ("99999", 2024),
     ("1990", 2019), ("2030", 2024), ("-5", 2019), ("2023.5", 2024), ("²", 2024),
     ("9" * 400, 2024)],
)  # fmt: skip
def test_the_year_is_read_and_kept_within_the_plan(raw, year):
    assert plan.parse_year(raw, TODAY) == year


def test_reference_day_is_today_this_year_and_the_last_day_of_a_past_year():
    assert plan.reference_day(2024, TODAY) == TODAY
    assert plan.reference_day(2023, TODAY) == date(2023, 12, 31)
    assert plan.years(TODAY) == [2024, 2023, 2022, 2021, 2020, 2019]


# --- 1. certified products -----------------------------------------------------------------


def test_three_certified_of_ten_products_is_thirty_percent(make):
    cooperative = make.cooperative()
    for stars in (THREE_STARS, FOUR_STARS, FIVE_STARS):
        make.product(cooperative=cooperative, rating=rated(stars, date(2023, 5, 1)))
    # Not certified: expired (36 months ended 2024-02-29), 2 stars, never rated.
    make.product(cooperative=cooperative, rating=rated(FOUR_STARS, date(2021, 3, 1)))
    make.product(cooperative=cooperative, rating=rated(TWO_STARS, date(2024, 1, 10)))
    for _ in range(5):
        make.product(cooperative=cooperative)
    # Not one of the province's products any more: counts neither way.
    make.product(cooperative=cooperative, active=False, rating=rated(FIVE_STARS, date(2024, 1, 1)))

    figure = plan.certified_products(2024, TODAY)

    assert (figure.certified, figure.products) == (3, 10)
    assert figure.share == 30.0 and figure.share_met
    goals = {g.key: g for g in plan.plan_figures(2024, TODAY).goals}
    assert goals["certified"].value == 3 and goals["certified"].target == 12
    assert not goals["certified"].met and goals["certified"].progress == 3
    assert goals["share"].value == 30.0 and goals["share"].target == 25 and goals["share"].met
    assert goals["share"].progress == 25


def test_share_below_a_quarter_is_not_met(make):
    cooperative = make.cooperative()
    make.product(cooperative=cooperative, rating=rated(THREE_STARS, date(2024, 1, 1)))
    for _ in range(4):
        make.product(cooperative=cooperative)
    figure = plan.certified_products(2024, TODAY)
    assert figure.share == 20.0 and not figure.share_met


def test_no_products_is_no_share():
    figure = plan.Certified(certified=0, products=0)
    assert figure.share == 0 and not figure.share_met


def test_a_rating_counts_only_between_its_recognition_and_its_end(make):
    cooperative = make.cooperative()
    later = make.product(cooperative=cooperative, rating=rated(FOUR_STARS, date(2024, 3, 1)))
    make.product(
        cooperative=cooperative, rating=rated(FOUR_STARS, date(2020, 2, 1))
    )  # to 2023-01-31
    make.product(cooperative=cooperative, rating=rated(FOUR_STARS, date(2024, 7, 1)))  # after today

    def certified(year):
        return plan.certified_products(year, TODAY).certified

    assert certified(2024) == 1  # the one of 2024-03-01; 2024-07-01 is still to come
    assert certified(2023) == 0  # 2024-03-01 came after 31 Dec 2023; 2020's ended in Jan 2023
    assert certified(2022) == 1  # 2020's, on 31 Dec 2022
    assert later.stars == 4  # the cached stars do not decide a past year


# --- 2. flagships --------------------------------------------------------------------------


def test_flagships_with_their_stars_on_the_reference_day(make):
    cooperative = make.cooperative()
    pineapple = make.product("Khóm Cầu Đúc", cooperative, flagship=True,
                             rating=rated(FIVE_STARS, date(2023, 1, 5)))  # fmt: skip
    lime = make.product("Chanh không hạt", cooperative, flagship=True,
                        rating=rated(THREE_STARS, date(2023, 1, 5)))  # fmt: skip
    fish = make.product("Cá thát lát", cooperative, flagship=True,
                        rating=rated(FOUR_STARS, date(2020, 6, 1)))  # fmt: skip
    make.product("Rượu gấc", cooperative, rating=rated(FIVE_STARS, date(2023, 1, 5)))

    found = {f.name: f for f in plan.flagships(2024, TODAY)}

    assert set(found) == {"Khóm Cầu Đúc", "Chanh không hạt", "Cá thát lát"}
    assert (found["Khóm Cầu Đúc"].stars, found["Khóm Cầu Đúc"].met) == (5, True)
    assert found["Khóm Cầu Đúc"].valid_until == date(2026, 1, 4)
    assert (found["Chanh không hạt"].stars, found["Chanh không hạt"].met) == (3, False)
    assert found["Cá thát lát"].stars is None and found["Cá thát lát"].expired
    assert not found["Cá thát lát"].met
    figures = plan.plan_figures(2024, TODAY)
    assert figures.flagships_met == 1
    goal = {g.key: g for g in figures.goals}["flagships"]
    assert (goal.value, goal.target, goal.met) == (1, 3, False)
    # In 2022 the pineapple and the lime had no rating yet; the fish had its 4 stars.
    past = {f.name: f for f in plan.flagships(2022, TODAY)}
    assert past["Khóm Cầu Đúc"].stars is None and not past["Khóm Cầu Đúc"].expired
    assert past["Cá thát lát"].stars == 4 and past["Cá thát lát"].met
    assert {pineapple.id, lime.id, fish.id} == {f.product_id for f in plan.flagships(2024, TODAY)}


# --- 3. per district -----------------------------------------------------------------------


def test_every_district_with_its_certified_products_also_those_with_none(make):
    two = make.district("Huyện Hai")
    one = make.district("Huyện Một")
    none = make.district("Huyện Không")
    coop_two = make.cooperative(district=two)
    coop_one = make.cooperative(district=one)
    for _ in range(2):
        make.product(cooperative=coop_two, rating=rated(THREE_STARS, date(2023, 9, 1)))
    make.product(cooperative=coop_one, rating=rated(FOUR_STARS, date(2023, 9, 1)))
    make.product(cooperative=coop_one, rating=rated(FOUR_STARS, date(2020, 1, 1)))  # expired
    make.product(cooperative=coop_one, active=False, rating=rated(FOUR_STARS, date(2023, 9, 1)))
    make.product(cooperative=coop_one)
    # A product made in another district than its cooperative's counts where it is made.
    make.product(cooperative=coop_two, district_id=none.id)

    found = [(d.name, d.certified, d.met) for d in plan.certified_by_district(2024, TODAY)]

    assert found == [("Huyện Hai", 2, True), ("Huyện Một", 1, False), ("Huyện Không", 0, False)]
    goal = {g.key: g for g in plan.plan_figures(2024, TODAY).goals}["districts"]
    assert (goal.value, goal.target, goal.met) == (1, 3, False)


# --- 4. trainings --------------------------------------------------------------------------


def test_trained_counts_attendance_in_the_year_among_approved_cooperatives(db, make):
    trained, registered, last_year, idle = (make.cooperative() for _ in range(4))
    pending = make.cooperative(approved=False)
    march, october = add_training(db, date(2024, 3, 10)), add_training(db, date(2024, 10, 2))
    old = add_training(db, date(2023, 11, 20))
    register(db, march, trained, attended=True)
    register(db, october, trained, attended=True)  # twice is still one cooperative
    register(db, march, registered, attended=False)
    register(db, old, last_year, attended=True)
    register(db, march, pending, attended=True)  # not approved: not in the count

    figure = plan.trained_cooperatives(2024, TODAY)

    assert (figure.cooperatives, figure.trained, figure.registered_only) == (4, 1, 1)
    assert figure.share == 25.0 and not figure.met
    assert plan.trained_cooperatives(2023, TODAY).trained == 1
    assert idle.approved


def test_all_approved_cooperatives_trained_meets_the_target(db, make):
    cooperative = make.cooperative()
    register(db, add_training(db, date(2024, 2, 1)), cooperative, attended=True)
    figure = plan.trained_cooperatives(2024, TODAY)
    assert figure.share == 100.0 and figure.met
    assert not plan.Trained(cooperatives=0, trained=0, registered_only=0).met


# --- 5. trade promotion --------------------------------------------------------------------


def test_fairs_that_started_in_the_year_up_to_the_reference_day(db):
    add_fair(db, date(2023, 12, 30), date(2024, 1, 2))  # started the year before
    add_fair(db, date(2024, 3, 1))
    add_fair(db, date(2024, 5, 1))
    add_fair(db, date(2024, 9, 1))  # still to come
    add_fair(db, date(2025, 1, 1))

    held = plan.fairs_held(2024, TODAY)

    assert [f.starts_on for f in held] == [date(2024, 3, 1), date(2024, 5, 1)]
    assert [f.starts_on for f in plan.fairs_held(2023, TODAY)] == [date(2023, 12, 30)]
    goal = {g.key: g for g in plan.plan_figures(2024, TODAY).goals}["fairs"]
    assert (goal.value, goal.target, goal.met) == (2, 2, True)


# --- 6. community tourism ------------------------------------------------------------------


def test_tourism_counts_open_listings_and_the_years_bookings(db, homestay, tour, host):
    hidden = Listing(host=host, kind="experience", slug="trai-de", title="Trại dê Ngọc Đào",
                     district_id=host.district_id, price=100_000, capacity=5, max_guests=5,
                     hidden_reason="Sai giá")  # fmt: skip
    closed = Listing(host=host, kind="experience", slug="cho-noi", title="Chợ nổi",
                     district_id=host.district_id, price=100_000, capacity=5, max_guests=5,
                     active=False)  # fmt: skip
    db.session.add_all([hidden, closed])
    db.session.commit()
    add_booking(db, homestay, date(2024, 2, 10), guests=2)
    add_booking(db, tour, date(2024, 11, 1), guests=3, status="requested")
    add_booking(db, tour, date(2024, 3, 1), guests=4, status="cancelled")
    add_booking(db, homestay, date(2024, 4, 1), guests=5, status="declined")
    add_booking(db, tour, date(2023, 12, 31), guests=6, status="completed")

    figure = plan.community_tourism(2024, TODAY)

    assert (figure.listings, figure.bookings, figure.guests) == (2, 2, 5)
    assert figure.met
    assert plan.community_tourism(2023, TODAY).guests == 6


def test_no_open_listing_is_no_tourism_project(db):
    figure = plan.community_tourism(2024, TODAY)
    assert (figure.listings, figure.bookings, figure.guests) == (0, 0, 0)
    assert not figure.met


# --- 7. the site ---------------------------------------------------------------------------


def test_orders_and_revenue_per_district_and_month(db, make):
    east = make.district("TP Ngã Bảy", kind="city")
    west = make.district("TP Vị Thanh", kind="city")
    quiet = make.district("Huyện Vị Thủy")
    east_coop = make.cooperative(district=east)
    west_coop = make.cooperative(district=west)
    make.product(cooperative=east_coop)
    make.product(cooperative=west_coop, active=False)  # not listed
    make.product(cooperative=make.cooperative(district=quiet, approved=False))  # not listed

    add_order(db, east_coop, 100_000, datetime(2024, 1, 15, 3, 0))
    # 16:30 UTC on 31 Dec 2023 is 23:30 on 31 Dec in Hậu Giang: still 2023.
    add_order(db, east_coop, 999_000, datetime(2023, 12, 31, 16, 30))
    # 17:30 UTC on 31 Dec 2023 is 00:30 on 1 Jan 2024 in Hậu Giang: January 2024.
    add_order(db, east_coop, 30_000, datetime(2023, 12, 31, 17, 30))
    # 17:30 UTC on 31 March is 00:30 on 1 April in Hậu Giang: April.
    add_order(db, west_coop, 200_000, datetime(2024, 3, 31, 17, 30))
    add_order(db, west_coop, 500_000, datetime(2024, 2, 10, 3, 0), status="cancelled")
    add_order(db, west_coop, 50_000, datetime(2024, 12, 20, 3, 0), status="pending")
    # 17:30 UTC on 31 Dec 2024 is 1 Jan 2025 in Hậu Giang: not 2024.
    add_order(db, west_coop, 70_000, datetime(2024, 12, 31, 17, 30))

    site = plan.site(2024, TODAY)

    assert site.listed == 1
    assert (site.orders, site.revenue) == (4, 380_000)
    assert [(s.label, s.orders, s.revenue) for s in site.by_district] == [
        ("TP Ngã Bảy", 2, 130_000),
        ("TP Vị Thanh", 2, 250_000),
        ("Huyện Vị Thủy", 0, 0),
    ]
    months = {s.key: (s.orders, s.revenue) for s in site.by_month}
    assert len(site.by_month) == 12 and [s.key for s in site.by_month] == list(range(1, 13))
    assert months[1] == (2, 130_000)
    assert months[2] == (0, 0)  # the cancelled order
    assert months[3] == (0, 0)
    assert months[4] == (1, 200_000)
    assert months[12] == (1, 50_000)
    assert sum(n for n, _ in months.values()) == site.orders
    assert plan.site(2023, TODAY).revenue == 999_000


# --- charts --------------------------------------------------------------------------------


def test_bar_chart_bars_are_as_long_as_their_values():
    chart = charts.bar_chart("c", "Doanh thu", "Mô tả",
                             [("A", 200, "200"), ("B", 50, "50"), ("C", 0, "0")])  # fmt: skip
    assert [b.percent for b in chart.bars] == [100, 25, 0]
    assert [b.y for b in chart.bars] == [0, 44, 88] and chart.height == 132
    assert chart.bars[1].title == "B: 50"
    assert [b.percent for b in charts.bar_chart("z", "t", "d", [("A", 0, "0")]).bars] == [0]


def test_district_map_puts_hau_giang_where_it_lies_and_others_in_free_cells():
    names = ["TP Vị Thanh", "Huyện Thử", "Huyện Châu Thành A", "Thị trấn Mới Rất Dài Tên"]
    tile_map = charts.district_map("m", "t", "d", [(n, i, i >= 2) for i, n in enumerate(names)])
    cells = {t.full_name: (t.x, t.y) for t in tile_map.tiles}
    step_x, step_y = tile_map.tile_width + 9, tile_map.tile_height + 9
    assert cells["TP Vị Thanh"] == (0, step_y)  # west, middle row
    assert cells["Huyện Châu Thành A"] == (step_x, 0)  # north
    assert cells["Huyện Thử"] == (0, 0)  # first free cell
    assert cells["Thị trấn Mới Rất Dài Tên"] == (2 * step_x, 0)
    assert len(set(cells.values())) == len(names)
    tiles = {t.full_name: t for t in tile_map.tiles}
    assert (tiles["Huyện Châu Thành A"].kind, tiles["Huyện Châu Thành A"].name) == (
        "Huyện",
        "Châu Thành A",
    )
    assert tiles["Thị trấn Mới Rất Dài Tên"].squeeze
    assert tile_map.width == 360 and tile_map.height == 2 * tile_map.tile_height + 9


def test_all_eight_units_fill_the_grid_without_overlap():
    tile_map = charts.district_map("m", "t", "d", [(n, 0, False) for n in charts.HAU_GIANG_GRID])
    assert len({(t.x, t.y) for t in tile_map.tiles}) == 8
    assert tile_map.height == 3 * tile_map.tile_height + 2 * 9


# --- the page ------------------------------------------------------------------------------


def test_only_admins_see_the_plan(client, make):
    for url in ("/admin/plan", "/admin/plan.csv?table=summary"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    make.user(email="htx@example.vn", role="cooperative")
    login(client, "htx@example.vn")
    assert client.get("/admin/plan").status_code == 403
    assert client.get("/admin/plan.csv?table=districts").status_code == 403


def test_the_page_shows_every_figure(office, make, db, fixed_today):
    quiet = make.district("Huyện Không Có Sản Phẩm")
    busy = make.district("TP Vị Thanh", kind="city")
    cooperative = make.cooperative("HTX Khóm Cầu Đúc", district=busy)
    make.product(
        "Khóm Cầu Đúc", cooperative, flagship=True, rating=rated(FIVE_STARS, date(2023, 1, 5))
    )
    make.product("Mứt khóm", cooperative, rating=rated(THREE_STARS, date(2023, 1, 5)))
    make.product("Chanh không hạt", cooperative, flagship=True)
    add_fair(db, date(2024, 4, 20), name="Phiên chợ OCOP Ngã Bảy")
    add_order(db, cooperative, 123_000, datetime(2024, 5, 2, 3, 0))

    response = office.get("/admin/plan")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "năm 2024" in page
    assert quiet.name in page  # the district without products, in the table and on the map
    assert page.count(quiet.name) >= 2
    assert "Phiên chợ OCOP Ngã Bảy" in page
    assert "123.000" in page  # the revenue, in đồng
    assert "chưa có" in page  # the flagship never rated
    assert "✓" in page and "Chưa đạt" in page
    # Three charts, each an image with a title, and no inline style (the CSP forbids it).
    assert page.count('role="img"') == 3
    assert len(re.findall(r"<svg[^>]*>\s*<title", page)) == 3
    assert " style=" not in page
    assert page.count("<progress") == 7
    assert re.search(r'<progress[^>]*max="12"[^>]*value="2', page)  # 2 certified of 12
    for table in plan.CSV_TABLES:
        assert f"table={table}" in page
    assert 'href="/admin/plan" aria-current="page"' in page  # the nav link


def test_a_past_year_is_read_on_its_last_day(office, make, fixed_today):
    make.product(rating=rated(FOUR_STARS, date(2024, 3, 1)))
    this_year = office.get("/admin/plan").get_data(as_text=True)
    past = office.get("/admin/plan?year=2023").get_data(as_text=True)
    assert re.search(r'<progress[^>]*max="12"[^>]*value="1"', this_year)
    assert re.search(r'<progress[^>]*max="12"[^>]*value="0"', past)
    assert "Số liệu tính đến hôm nay" in this_year and "Số liệu tính đến ngày" in past
    assert '<option value="2023" selected>' in past


@pytest.mark.parametrize(
    ("query", "year"), [("year=abc", 2024), ("year=99999", 2024), ("year=1990", 2019),
                        ("year=", 2024), ("year=2022&year=x", 2022)],
)  # fmt: skip
def test_bad_years_give_a_normal_page(office, fixed_today, query, year):
    response = office.get(f"/admin/plan?{query}")
    assert response.status_code == 200
    assert f'<option value="{year}" selected>' in response.get_data(as_text=True)


# --- CSV -----------------------------------------------------------------------------------


def test_csv_of_districts_has_a_bom_a_header_and_every_district(office, make, fixed_today):
    make.district("Huyện Không")
    cooperative = make.cooperative(district=make.district("Huyện Có"))
    for _ in range(2):
        make.product(cooperative=cooperative, rating=rated(THREE_STARS, date(2024, 1, 2)))

    response = office.get("/admin/plan.csv?year=2024&table=districts")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "ke-hoach-603-2024-districts.csv" in response.headers["Content-Disposition"]
    rows = csv_table(response)
    assert rows[0] == ["Huyện, thị xã, thành phố", "Sản phẩm đạt OCOP", "Mục tiêu", "Đánh giá"]
    assert rows[1:] == [["Huyện Không", "0", "2-3", "Chưa đạt"], ["Huyện Có", "2", "2-3", "Đạt"]]


def test_csv_of_months_and_of_revenue_per_district(office, make, db, fixed_today):
    cooperative = make.cooperative(district=make.district("TP Ngã Bảy", kind="city"))
    add_order(db, cooperative, 150_000, datetime(2024, 2, 5, 3, 0))
    add_order(db, cooperative, 90_000, datetime(2024, 2, 6, 3, 0), status="cancelled")

    months = csv_table(office.get("/admin/plan.csv?year=2024&table=months"))
    assert months[0] == ["Tháng", "Số đơn", "Doanh thu (đồng)"]
    assert len(months) == 13
    assert months[2] == ["2024-02", "1", "150000"] and months[1] == ["2024-01", "0", "0"]

    districts = csv_table(office.get("/admin/plan.csv?year=2024&table=revenue_districts"))
    assert districts == [["Huyện, thị xã, thành phố", "Số đơn", "Doanh thu (đồng)"],
                         ["TP Ngã Bảy", "1", "150000"]]  # fmt: skip


def test_csv_of_flagships_and_summary(office, make, db, fixed_today):
    cooperative = make.cooperative("=HTX Công Thức")
    make.product(
        "Khóm Cầu Đúc", cooperative, flagship=True, rating=rated(FOUR_STARS, date(2023, 1, 5))
    )
    make.product("Cá thát lát", cooperative, flagship=True)
    add_fair(db, date(2024, 2, 1))

    flagships = csv_table(office.get("/admin/plan.csv?year=2024&table=flagships"))
    assert flagships[0] == ["Sản phẩm", "Hợp tác xã", "Số sao", "Hiệu lực đến", "Đánh giá"]
    assert flagships[1] == ["Khóm Cầu Đúc", "'=HTX Công Thức", "4", "2026-01-04", "Đạt"]
    assert flagships[2] == ["Cá thát lát", "'=HTX Công Thức", "", "", "Chưa đạt"]

    summary = csv_table(office.get("/admin/plan.csv?year=2024&table=summary"))
    assert summary[0] == ["Chỉ tiêu", "Kết quả", "Mục tiêu", "Đơn vị", "Đánh giá"]
    rows = {row[0]: row[1:] for row in summary[1:]}
    assert rows["Sản phẩm đạt chứng nhận OCOP (3 sao trở lên)"] == ["1", "12", "", "Chưa đạt"]
    assert rows["Tỷ lệ sản phẩm của tỉnh được chuẩn hóa"] == ["50", "25", "%", "Đạt"]
    assert rows["Chương trình xúc tiến thương mại"] == ["1", "2", "", "Chưa đạt"]
    assert rows["Sản phẩm của tỉnh (đang hoạt động)"][0] == "2"


@pytest.mark.parametrize(
    "query", ["table=nope", "table=", "table=summary%00", "year=2024&table=../x"]
)
def test_an_unknown_table_is_not_found(office, fixed_today, query):
    assert office.get(f"/admin/plan.csv?{query}").status_code == 404


def test_csv_with_a_bad_year_uses_the_current_year(office, fixed_today):
    response = office.get("/admin/plan.csv?year=abc&table=months")
    assert response.status_code == 200
    assert "ke-hoach-603-2024-months.csv" in response.headers["Content-Disposition"]
    assert csv_table(response)[1][0] == "2024-01"
    assert office.get("/admin/plan.csv?year=2021").status_code == 200  # summary by default
