"""OCOP star rating: criteria sets, star bands, validity (Decisions 1048/QĐ-TTg and
148/2023/QĐ-TTg)."""

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
DEFAULT_CRITERIA = "148"

# The 2025 amendment of Decision 148 moved 3★ from the district to the province. Its exact day
# is not in our sources: 1 July 2025, when the two-level local government began and the
# district level ended, is taken as the day (an approximation). Decisions dated from it on
# have no district council.
DISTRICT_LEVEL_ENDED = date(2025, 7, 1)


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


class CouncilError(RatingError):
    """A council recording a result it does not recognise (Decisions 1048 and 148).

    council: the council chosen; stars: the result's stars; recognised_by: the council that
    records them under that criteria set on that day (council_for); allowed: the stars the
    chosen council recognises then (empty when it did not exist that day).
    """

    def __init__(self, council: str, stars: int, recognised_by: str, allowed: tuple):
        super().__init__(f"{council} cannot recognise {stars} stars (that is {recognised_by})")
        self.council, self.stars = council, stars
        self.recognised_by, self.allowed = recognised_by, allowed


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


def councils_for(criteria: str, day: date) -> dict[str, tuple[int, ...]]:
    """The councils that recognise stars under a criteria set on a day, and the stars each
    recognises, lowest council first (Decisions 1048 and 148, and 148 since 2025):

    - 1048 (2019): the province 3★ and 4★, the central council 5★ (the province sent
      products scoring 90 and more to it as "potential 5★");
    - 148 (2023), before the 2025 amendment: the district 3★, the province 4★, the central
      council 5★;
    - 148 from the amendment (DISTRICT_LEVEL_ENDED): no district level; the province 3★ and
      4★, the central council 5★.
    """
    if criteria not in CRITERIA:
        raise RatingError(f"unknown criteria set {criteria!r}")
    if criteria == "148" and day < DISTRICT_LEVEL_ENDED:
        return {"district": (3,), "province": (4,), "central": (5,)}
    return {"province": (3, 4), "central": (5,)}


def council_for(criteria: str, stars: int, day: date) -> str:
    """The council that records a result of these stars: the one recognising them, or for
    a result below 3★ (recorded, never certified) the lowest council of the day."""
    councils = councils_for(criteria, day)
    return next((c for c, levels in councils.items() if stars in levels), next(iter(councils)))


def check_council(criteria: str, council: str, stars: int, day: date) -> None:
    """CouncilError unless the council may record a result of these stars on that day.

    A council records only the star levels it recognises; a result below 3★ is no
    recognition (not OCOP-certified), so any council of the day may record it.
    """
    if council not in COUNCIL_LEVELS:
        raise RatingError(f"unknown council level {council!r}")
    councils = councils_for(criteria, day)
    allowed = councils.get(council, ())
    if council in councils and (stars < CERTIFIED_MIN_STARS or stars in allowed):
        return
    raise CouncilError(council, stars, council_for(criteria, stars, day), allowed)


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
    total = points_a + points_b + points_c
    check_council(criteria, council_level, stars_for_score(total), recognised_on)
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


def certificate_of(product: Product) -> OcopRating | None:
    """The newest rating when it is an OCOP certificate (3★ and more), valid or ended; None
    when the product was never rated or its newest result is 1★ or 2★ (recorded, never
    certified: Decision 148)."""
    newest = newest_rating(product)
    return newest if newest is not None and is_certified(newest.stars) else None


def refresh_cached_stars(product: Product, today: date | None = None) -> None:
    """Copy the newest certificate's stars and validity onto the product (see Product.stars).

    A newer decision always ends later, so the newest rating is the one that decides the
    product's stars; when it has expired the product has none, and when it is a 1★ or 2★
    result (no certificate) the product has none and no certificate to end.
    """
    today = today or clock.today()
    certificate = certificate_of(product)
    product.stars = certificate.stars if certificate and certificate.valid_until >= today else 0
    product.stars_valid_until = certificate.valid_until if certificate else None


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
