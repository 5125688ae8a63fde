from datetime import date, timedelta

import pytest

from marketplace.ratings import (
    CRITERIA,
    RatingError,
    add_months,
    build_rating,
    check_points,
    current_stars,
    is_certified,
    stars_for_score,
    valid_until_for,
)


@pytest.mark.parametrize(
    ("total", "stars"),
    [
        (0, 1),
        (29, 1),
        (30, 2),
        (49, 2),
        (50, 3),
        (69, 3),
        (70, 4),
        (89, 4),
        (90, 5),
        (100, 5),
    ],
)
def test_star_bands_at_every_boundary(total, stars):
    assert stars_for_score(total) == stars


@pytest.mark.parametrize("total", [-1, 101])
def test_total_outside_0_to_100_is_refused(total):
    with pytest.raises(RatingError):
        stars_for_score(total)


@pytest.mark.parametrize(
    ("criteria", "points", "stars"),
    [
        # Each boundary reached with points that only that criteria set allows.
        ("1048", (10, 10, 9), 1),
        ("1048", (10, 10, 10), 2),
        ("1048", (14, 10, 25), 2),
        ("1048", (15, 10, 25), 3),
        ("1048", (20, 10, 39), 3),
        ("1048", (20, 10, 40), 4),
        ("1048", (35, 15, 39), 4),
        ("1048", (35, 15, 40), 5),
        ("148", (19, 10, 0), 1),
        ("148", (20, 10, 0), 2),
        ("148", (24, 0, 25), 2),
        ("148", (25, 0, 25), 3),
        ("148", (39, 0, 30), 3),
        ("148", (40, 0, 30), 4),
        ("148", (40, 20, 29), 4),
        ("148", (40, 20, 30), 5),
    ],
)
def test_bands_under_both_criteria_sets(criteria, points, stars):
    check_points(criteria, *points)
    assert stars_for_score(sum(points)) == stars


def test_criteria_maxima_match_the_decisions():
    assert (CRITERIA["1048"].a, CRITERIA["1048"].b, CRITERIA["1048"].c) == (35, 25, 40)
    assert (CRITERIA["148"].a, CRITERIA["148"].b, CRITERIA["148"].c) == (40, 25, 35)
    for maxima in CRITERIA.values():
        assert maxima.a + maxima.b + maxima.c == 100


@pytest.mark.parametrize(
    ("criteria", "points"),
    [
        ("1048", (36, 0, 0)),
        ("1048", (0, 26, 0)),
        ("1048", (0, 0, 41)),
        ("148", (41, 0, 0)),
        ("148", (0, 26, 0)),
        ("148", (0, 0, 36)),
        ("148", (-1, 0, 0)),
        ("999", (1, 1, 1)),
    ],
)
def test_points_above_a_part_maximum_are_refused(criteria, points):
    with pytest.raises(RatingError):
        check_points(criteria, *points)


def test_part_c_40_allowed_under_1048_but_not_148():
    check_points("1048", 0, 0, 40)
    with pytest.raises(RatingError):
        check_points("148", 0, 0, 40)


def test_certified_from_three_stars():
    assert [is_certified(s) for s in (None, 1, 2, 3, 4, 5)] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]


@pytest.mark.parametrize(
    ("recognised", "last_valid"),
    [
        (date(2024, 3, 15), date(2027, 3, 14)),
        (date(2024, 1, 1), date(2026, 12, 31)),
        # 29 February has no twin 36 months later.
        (date(2024, 2, 29), date(2027, 2, 27)),
        (date(2023, 8, 31), date(2026, 8, 30)),
    ],
)
def test_valid_for_36_months(recognised, last_valid):
    assert valid_until_for(recognised) == last_valid


def test_add_months_clamps_to_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 12, 15), 1) == date(2025, 1, 15)


def test_product_shows_stars_while_valid_and_none_after_expiry(make, today):
    recognised = today - timedelta(days=100)
    product = make.product(rating=("148", 35, 20, 30, recognised))
    assert product.stars == 4
    assert current_stars(product, today) == 4
    last_day = valid_until_for(recognised)
    assert current_stars(product, last_day) == 4
    assert current_stars(product, last_day + timedelta(days=1)) is None


def test_newest_rating_decides_even_if_an_older_one_had_more_stars(make, db, today):
    product = make.product(rating=("148", 40, 25, 30, today - timedelta(days=400)))
    assert product.stars == 5
    build_rating(
        product,
        criteria="148",
        points_a=25,
        points_b=15,
        points_c=20,
        council_level="province",
        decision_number="9/QĐ-UBND",
        recognised_on=today - timedelta(days=10),
    )
    db.session.commit()
    assert product.stars == 3
    assert product.stars_valid_until == valid_until_for(today - timedelta(days=10))


def test_rating_totals_and_validity_are_worked_out(make, today):
    product = make.product(rating=("1048", 30, 20, 35, date(2021, 5, 4)))
    rating = product.ratings[0]
    assert (rating.total, rating.stars, rating.valid_until) == (85, 4, date(2024, 5, 3))
    assert current_stars(product, today) is None  # expired long ago


def test_expire_ratings_clears_cached_stars_after_the_last_valid_day(make, db, today):
    from marketplace.ratings import expire_ratings

    recognised = today - timedelta(days=200)
    product = make.product(rating=("148", 35, 20, 30, recognised))
    last_day = valid_until_for(recognised)
    assert expire_ratings(last_day) == 0
    assert expire_ratings(last_day + timedelta(days=1)) == 1
    db.session.commit()
    db.session.refresh(product)
    assert product.stars == 0 and product.stars_valid_until == last_day


def test_approving_a_cooperative_lists_its_products(make, db):
    from programme.moderation import approve

    cooperative = make.cooperative("HTX Mới Duyệt", approved=False)
    product = make.product("Khóm mới", cooperative)
    assert product.listed is False
    approve(cooperative.id, actor_id=None)
    db.session.refresh(product)
    assert product.listed is True


def test_the_nightly_job_clears_the_stars_of_expired_certificates(app, db, make, today):
    """marketplace.jobs: expiry by the worker at night, not by the first page view."""
    from marketplace.jobs import expire_ratings_daily
    from marketplace.models import Product

    old = make.product(rating=("148", 38, 23, 32, today - timedelta(days=37 * 31)))
    fresh = make.product(rating=("148", 38, 23, 32, today - timedelta(days=10)))
    db.session.execute(db.update(Product).values(stars=4))  # as they were before expiry
    db.session.commit()
    assert expire_ratings_daily.call_local() == 1
    db.session.refresh(old)
    db.session.refresh(fresh)
    assert old.stars == 0 and fresh.stars == 4


# --- who recognises which stars (Decisions 1048 and 148, and 148 since 2025) ---------------

BEFORE_2025 = date(2024, 5, 8)
SINCE_2025 = date(2025, 7, 1)  # marketplace.ratings.DISTRICT_LEVEL_ENDED, the first day without


def test_councils_by_criteria_and_date():
    from marketplace.ratings import DISTRICT_LEVEL_ENDED, councils_for

    assert councils_for("1048", date(2021, 4, 22)) == {"province": (3, 4), "central": (5,)}
    assert councils_for("148", BEFORE_2025) == {"district": (3,), "province": (4,), "central": (5,)}
    last_district_day = DISTRICT_LEVEL_ENDED - timedelta(days=1)
    assert "district" in councils_for("148", last_district_day)
    assert councils_for("148", DISTRICT_LEVEL_ENDED) == {"province": (3, 4), "central": (5,)}
    assert DISTRICT_LEVEL_ENDED == SINCE_2025
    with pytest.raises(RatingError):
        councils_for("999", BEFORE_2025)


@pytest.mark.parametrize(
    ("criteria", "council", "stars", "day", "recognised_by"),
    [
        ("148", "district", 4, BEFORE_2025, "province"),  # the 4★ from a district
        ("148", "district", 5, BEFORE_2025, "central"),
        ("148", "province", 3, BEFORE_2025, "district"),
        ("148", "province", 5, BEFORE_2025, "central"),  # 90 and more: the central council's
        ("148", "central", 4, BEFORE_2025, "province"),
        ("148", "district", 3, SINCE_2025, "province"),  # no district level any more
        ("148", "district", 2, SINCE_2025, "province"),
        ("148", "province", 5, SINCE_2025, "central"),
        ("148", "central", 3, SINCE_2025, "province"),
        ("1048", "district", 3, date(2021, 4, 22), "province"),
        ("1048", "province", 5, date(2021, 10, 12), "central"),
    ],
)
def test_a_council_cannot_record_what_it_does_not_recognise(
    criteria, council, stars, day, recognised_by
):
    from marketplace.ratings import CouncilError, check_council, council_for

    with pytest.raises(CouncilError) as refused:
        check_council(criteria, council, stars, day)
    assert refused.value.recognised_by == recognised_by == council_for(criteria, stars, day)
    check_council(criteria, recognised_by, stars, day)  # the right council may


@pytest.mark.parametrize(
    ("criteria", "council", "stars", "day"),
    [
        ("148", "district", 3, BEFORE_2025),
        ("148", "province", 4, BEFORE_2025),
        ("148", "central", 5, BEFORE_2025),
        ("148", "province", 3, SINCE_2025),
        ("148", "province", 4, SINCE_2025),
        ("148", "central", 5, SINCE_2025),
        ("1048", "province", 3, date(2021, 4, 22)),
        ("1048", "province", 4, date(2021, 4, 22)),
        ("1048", "central", 5, date(2021, 4, 22)),
        # Below 3★ is no recognition: any council of the day records the result.
        ("148", "province", 2, BEFORE_2025),
        ("148", "central", 1, SINCE_2025),
    ],
)
def test_a_council_records_the_stars_it_recognises(criteria, council, stars, day):
    from marketplace.ratings import check_council

    check_council(criteria, council, stars, day)


def test_build_rating_refuses_a_4_star_result_from_a_district_council(make, db):
    from marketplace.ratings import CouncilError

    product = make.product()
    with pytest.raises(CouncilError):
        build_rating(
            product, criteria="148", points_a=35, points_b=20, points_c=20,
            council_level="district", decision_number="1/QĐ-UBND", recognised_on=BEFORE_2025,
        )  # fmt: skip


def test_one_or_two_stars_are_recorded_but_not_certified(make, db, today):
    from marketplace.ratings import certificate_of

    product = make.product(rating=("148", 35, 20, 25, today - timedelta(days=400)))
    assert product.stars == 4
    rating = build_rating(
        product, criteria="148", points_a=20, points_b=10, points_c=10,
        council_level="province", decision_number="8/QĐ-UBND",
        recognised_on=today - timedelta(days=5),
    )  # fmt: skip
    db.session.commit()
    assert rating.stars == 2 and rating in product.ratings
    # The newest decision says 2★: no OCOP stars, and no certificate to end.
    assert product.stars == 0 and product.stars_valid_until is None
    assert certificate_of(product) is None and current_stars(product, today) is None


def test_every_demo_rating_comes_from_a_council_that_recognises_it():
    from marketplace.demo_data import PRODUCTS
    from marketplace.ratings import check_council

    checked = 0
    for *_, ratings in PRODUCTS:
        for criteria, a, b, c, council, _number, day in ratings:
            check_points(criteria, a, b, c)
            check_council(criteria, council, stars_for_score(a + b + c), date.fromisoformat(day))
            checked += 1
    assert checked > 20


# --- through the office's form ----------------------------------------------------------------


def _office(client, make):
    from tests.conftest import TEST_PASSWORD

    make.user(email="office@example.vn", role="admin")
    client.post("/login", data={"email": "office@example.vn", "password": TEST_PASSWORD})
    return client


def _rating_form(**changes):
    from core.submissions import new_form_token

    form = {"criteria": "148", "points_a": "35", "points_b": "20", "points_c": "20",
            "council_level": "province", "decision_number": "45/QĐ-UBND",
            "recognised_on": BEFORE_2025.isoformat(), "form_token": new_form_token()}  # fmt: skip
    return {**form, **changes}


def test_the_form_defaults_to_148_and_todays_council(client, make):
    import re

    page = _office(client, make).get(f"/admin/products/{make.product().id}/ratings")
    body = page.get_data(as_text=True)
    selected = dict(
        re.findall(r'<select[^>]*name="(\w+)".*?<option selected value="(\w+)"', body, re.S)
    )
    assert selected == {"criteria": "148", "council_level": "province"}


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("vi", ["Hội đồng cấp huyện chỉ công nhận 3★", "4★ do Hội đồng cấp tỉnh công nhận"]),
        ("en", ["District Evaluation Council", "4★"]),
    ],
)
def test_a_district_council_cannot_record_4_stars_through_the_form(client, make, db, lang, words):
    from marketplace.models import OcopRating

    office = _office(client, make)
    product = make.product("Khóm bốn sao")
    office.get(f"/admin?lang={lang}")
    typed = _rating_form(council_level="district", decision_number="452/QĐ-UBND")
    page = office.post(f"/admin/products/{product.id}/ratings", data=typed)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for word in words:
        assert word in body
    assert 'value="452/QĐ-UBND"' in body and 'value="35"' in body  # kept what was typed
    assert 'aria-invalid="true"' in body.split('name="council_level"')[0].rsplit("<select", 1)[1]
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(OcopRating.id))) == 0
    right = _rating_form(council_level="province")
    assert office.post(f"/admin/products/{product.id}/ratings", data=right).status_code == 302


def test_the_form_refuses_a_district_decision_after_the_district_level_ended(client, make, db):
    office = _office(client, make)
    product = make.product()
    late = _rating_form(points_a="30", points_b="15", points_c="15", council_level="district",
                        recognised_on=SINCE_2025.isoformat())  # fmt: skip
    body = office.post(f"/admin/products/{product.id}/ratings", data=late).get_data(as_text=True)
    assert "không còn Hội đồng cấp huyện" in body and "Hội đồng cấp tỉnh ghi nhận" in body
    before = _rating_form(points_a="30", points_b="15", points_c="15", council_level="district")
    assert office.post(f"/admin/products/{product.id}/ratings", data=before).status_code == 302


def test_a_2_star_result_is_recorded_and_marked_not_certified(client, make, db):
    office = _office(client, make)
    product = make.product("Khóm hai sao")
    low = _rating_form(points_a="20", points_b="10", points_c="10")
    assert office.post(f"/admin/products/{product.id}/ratings", data=low).status_code == 302
    page = office.get(f"/admin/products/{product.id}/ratings").get_data(as_text=True)
    assert "2★ · không được chứng nhận" in page
    assert "dưới 3 sao không được chứng nhận OCOP" in page  # the flash
    db.session.refresh(product)
    assert product.stars == 0


def test_a_province_cannot_record_90_points(client, make):
    office = _office(client, make)
    product = make.product()
    high = _rating_form(points_a="40", points_b="25", points_c="30")
    body = office.post(f"/admin/products/{product.id}/ratings", data=high).get_data(as_text=True)
    assert "5★ do Hội đồng cấp Trung ương công nhận" in body
