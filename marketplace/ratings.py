"""OCOP star rating: criteria sets, star bands, validity (DOMAIN.md)."""

import calendar
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import update

from core import clock
from core.extensions import db
from marketplace.models import OcopRating, Product

log = logging.getLogger(__name__)

CERTIFICATE_MONTHS = 36
CERTIFIED_MIN_STARS = 3
COUNCIL_LEVELS = ("district", "province", "central")


@dataclass(frozen=True)
class Criteria:
    """The maximum points of parts A, B and C in one criteria set."""

    a: int
    b: int
    c: int


CRITERIA = {
    "1048": Criteria(a=35, b=25, c=40),  # Decision 1048/QĐ-TTg, 2019
    "148": Criteria(a=40, b=25, c=35),  # Decision 148/QĐ-TTg, 2023
}

# (lowest total, stars), highest band first; the same bands in both criteria sets.
STAR_BANDS = ((90, 5), (70, 4), (50, 3), (30, 2), (0, 1))


class RatingError(ValueError):
    """Points or criteria that no council could have given."""


def stars_for_score(total: int) -> int:
    if not 0 <= total <= 100:
        raise RatingError(f"total {total} is outside 0-100")
    return next(stars for lowest, stars in STAR_BANDS if total >= lowest)


def is_certified(stars: int | None) -> bool:
    return (stars or 0) >= CERTIFIED_MIN_STARS


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until_for(recognised_on: date) -> date:
    """The last day a certificate is valid: 36 months from the decision."""
    return add_months(recognised_on, CERTIFICATE_MONTHS) - timedelta(days=1)


def check_points(criteria: str, a: int, b: int, c: int) -> None:
    if criteria not in CRITERIA:
        raise RatingError(f"unknown criteria set {criteria!r}")
    maxima = CRITERIA[criteria]
    for part, points, maximum in (("A", a, maxima.a), ("B", b, maxima.b), ("C", c, maxima.c)):
        if not 0 <= points <= maximum:
            raise RatingError(f"part {part}: {points} is outside 0-{maximum} for {criteria}")


def build_rating(
    product: Product,
    *,
    criteria: str,
    points_a: int,
    points_b: int,
    points_c: int,
    council_level: str,
    decision_number: str,
    recognised_on: date,
) -> OcopRating:
    """A rating with its total, stars and validity worked out; the product's cache updated."""
    check_points(criteria, points_a, points_b, points_c)
    if council_level not in COUNCIL_LEVELS:
        raise RatingError(f"unknown council level {council_level!r}")
    total = points_a + points_b + points_c
    rating = OcopRating(
        product=product,
        criteria=criteria,
        points_a=points_a,
        points_b=points_b,
        points_c=points_c,
        total=total,
        stars=stars_for_score(total),
        council_level=council_level,
        decision_number=decision_number.strip(),
        recognised_on=recognised_on,
        valid_until=valid_until_for(recognised_on),
    )
    db.session.add(rating)
    refresh_cached_stars(product)
    return rating


def newest_rating(product: Product) -> OcopRating | None:
    return max(product.ratings, key=lambda r: (r.recognised_on, r.id or 0), default=None)


def refresh_cached_stars(product: Product, today: date | None = None) -> None:
    """Copy the newest rating's stars and validity onto the product (see Product.stars).

    A newer decision always ends later, so the newest rating is the one that decides the
    product's stars; when it has expired the product has none.
    """
    today = today or clock.today()
    newest = newest_rating(product)
    product.stars = newest.stars if newest and newest.valid_until >= today else 0
    product.stars_valid_until = newest.valid_until if newest else None


def expire_ratings(today: date) -> int:
    """Clear the cached stars of products whose certificate ended before today."""
    result = db.session.execute(
        update(Product).where(Product.stars > 0, Product.stars_valid_until < today).values(stars=0)
    )
    return result.rowcount


def current_stars(product: Product, today: date) -> int | None:
    """The stars a product shows today: those of its newest rating while it is valid.

    Checks the date itself, so a product is right even before the night's expiry job has run
    (marketplace.jobs).
    """
    if product.stars_valid_until is None or product.stars_valid_until < today:
        return None
    return product.stars or None


def is_expired(product: Product, today: date) -> bool:
    return product.stars_valid_until is not None and product.stars_valid_until < today
