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
        council_level="district",
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
