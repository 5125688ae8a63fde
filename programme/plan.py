"""Kế hoạch 603/KH-UBND (21 March 2019): the figures behind the plan's dashboard (/admin/plan).

Each figure is a plain function of the year and `today`. They are read on the reference day R
(`reference_day`): today in the current year, 31 December for a past year. A product is
certified on R when it has a rating with recognised_on <= R <= valid_until and at least
CERTIFIED_MIN_STARS stars; the ratings are read, not the cached Product.stars, so a past year
shows the certificates of that year.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from core.extensions import db
from core.models import District
from fairs.models import Fair
from marketplace import sales
from marketplace.models import Cooperative, OcopRating, Order, Product
from marketplace.ratings import CERTIFIED_MIN_STARS
from programme.models import Training, TrainingRegistration
from tourism.listings import visible_listings
from tourism.models import Booking

PLAN_FIRST_YEAR = 2019  # the plan's own year; the dashboard goes back no further

# The plan's targets.
TARGET_CERTIFIED = 12  # "about 12 products"
TARGET_SHARE = 25  # "at least 25 % of the province's products", percent
FLAGSHIP_COUNT = 3  # khóm Cầu Đúc, chanh không hạt, cá thát lát
FLAGSHIP_MIN_STARS = 4  # each reaches 4-5 stars
DISTRICT_MIN, DISTRICT_MAX = 2, 3  # each district-level unit develops 2-3 products
TARGET_TRAINED = 100  # percent of the leaders of the cooperatives
TARGET_FAIRS = 2  # trade-promotion programmes
TARGET_TOURISM = 1  # community tourism projects

# Orders and bookings that did not happen.
NOT_ORDERS = ("cancelled",)
NOT_BOOKINGS = ("cancelled", "declined", "expired")  # expired: the deposit never came


# --- the year ------------------------------------------------------------------------------


def parse_year(raw: str | None, today: date) -> int:
    """The year asked for in the query string: the current year when missing or not a
    number, otherwise kept between the plan's first year and the current year."""
    try:
        year = int(raw) if raw and len(raw) <= 6 else today.year
    except ValueError:
        year = today.year
    return min(max(year, PLAN_FIRST_YEAR), today.year)


def years(today: date) -> list[int]:
    """The years the dashboard can show, newest first."""
    return list(range(today.year, PLAN_FIRST_YEAR - 1, -1))


def reference_day(year: int, today: date) -> date:
    """R: today in the current year, 31 December of a past year."""
    return min(today, date(year, 12, 31))


def _year_start(year: int) -> date:
    return date(year, 1, 1)


def _percent(part: int, whole: int) -> float:
    return 100 * part / whole if whole else 0.0


# --- 1. certified products -----------------------------------------------------------------


def certified_ids(day: date):
    """The ids of the products certified on `day` (a subquery)."""
    return select(OcopRating.product_id).where(
        OcopRating.recognised_on <= day,
        OcopRating.valid_until >= day,
        OcopRating.stars >= CERTIFIED_MIN_STARS,
    )


@dataclass(frozen=True)
class Certified:
    certified: int  # active products certified on R
    products: int  # all active products

    @property
    def share(self) -> float:
        return _percent(self.certified, self.products)

    @property
    def share_met(self) -> bool:
        return self.products > 0 and self.certified * 100 >= TARGET_SHARE * self.products


@dataclass(frozen=True)
class ProductCounts:
    """Active products on R in one district: all, certified, listed on the site now."""

    district_id: int
    products: int
    certified: int
    listed: int


def product_counts(day: date) -> list[ProductCounts]:
    """One pass over the products for the figures that count them (1, 3 and the site's)."""
    rows = db.session.execute(
        select(
            Product.district_id,
            func.count(Product.id),
            func.count(case((Product.id.in_(certified_ids(day)), Product.id))),
            func.count(case((Product.listed.is_(True), Product.id))),
        )
        .where(Product.active.is_(True))
        .group_by(Product.district_id)
    ).all()
    return [ProductCounts(*row) for row in rows]


def _counts_or_read(counts, year: int, today: date) -> list[ProductCounts]:
    """The counts plan_figures read once for all its figures, or read them for one figure."""
    return product_counts(reference_day(year, today)) if counts is None else counts


def certified_products(
    year: int, today: date, counts: list[ProductCounts] | None = None
) -> Certified:
    counts = _counts_or_read(counts, year, today)
    return Certified(
        certified=sum(c.certified for c in counts), products=sum(c.products for c in counts)
    )


# --- 2. flagships --------------------------------------------------------------------------


@dataclass(frozen=True)
class Flagship:
    product_id: int
    name: str
    cooperative: str
    stars: int | None  # the most stars of a rating valid on R; None without one
    valid_until: date | None  # of that rating
    expired: bool  # rated on or before R, but no rating valid on R

    @property
    def met(self) -> bool:
        return (self.stars or 0) >= FLAGSHIP_MIN_STARS


def flagships(year: int, today: date) -> list[Flagship]:
    """The products marked as the province's flagships, with their stars on R."""
    day = reference_day(year, today)
    products = db.session.scalars(
        select(Product)
        .where(Product.flagship.is_(True))
        .options(joinedload(Product.cooperative), selectinload(Product.ratings))
        .order_by(Product.id)
    ).all()
    found = []
    for product in products:
        valid = [r for r in product.ratings if r.is_valid_on(day)]
        best = max(valid, key=lambda r: (r.stars, r.valid_until), default=None)
        found.append(
            Flagship(
                product_id=product.id,
                name=product.name,
                cooperative=product.cooperative.name,
                stars=best.stars if best else None,
                valid_until=best.valid_until if best else None,
                expired=best is None and any(r.recognised_on <= day for r in product.ratings),
            )
        )
    return found


# --- 3. certified products per district ----------------------------------------------------


@dataclass(frozen=True)
class DistrictCount:
    district_id: int
    name: str
    certified: int

    @property
    def met(self) -> bool:
        return self.certified >= DISTRICT_MIN


def certified_by_district(
    year: int, today: date, counts: list[ProductCounts] | None = None
) -> list[DistrictCount]:
    """Every district-level unit, also those without a certified product, in their order."""
    counts = _counts_or_read(counts, year, today)
    certified = {c.district_id: c.certified for c in counts}
    districts = db.session.execute(select(District.id, District.name).order_by(District.id))
    return [
        DistrictCount(district_id=i, name=name, certified=certified.get(i, 0))
        for i, name in districts
    ]


# --- 4. trained leaders --------------------------------------------------------------------


@dataclass(frozen=True)
class Trained:
    cooperatives: int  # approved cooperatives
    trained: int  # of them, those whose leader attended a training in the year
    registered_only: int  # registered for a training in the year, attended none

    @property
    def share(self) -> float:
        return _percent(self.trained, self.cooperatives)

    @property
    def met(self) -> bool:
        return self.cooperatives > 0 and self.trained >= self.cooperatives


def trained_cooperatives(year: int, today: date) -> Trained:
    in_year = Training.day.between(_year_start(year), date(year, 12, 31))
    registered = (
        select(TrainingRegistration.cooperative_id)
        .join(Training, Training.id == TrainingRegistration.training_id)
        .where(in_year)
    )
    attended = registered.where(TrainingRegistration.attended.is_(True))
    cooperatives, trained, registered_only = db.session.execute(
        select(
            func.count(Cooperative.id),
            func.count(case((Cooperative.id.in_(attended), Cooperative.id))),
            func.count(
                case(
                    (
                        Cooperative.id.in_(registered) & Cooperative.id.not_in(attended),
                        Cooperative.id,
                    )
                )
            ),
        ).where(Cooperative.approved.is_(True))
    ).one()
    return Trained(cooperatives=cooperatives, trained=trained, registered_only=registered_only)


# --- 5. trade promotion --------------------------------------------------------------------


def fairs_held(year: int, today: date) -> list[Fair]:
    """Fairs that started in the year, on or before R."""
    return db.session.scalars(
        select(Fair)
        .where(Fair.starts_on.between(_year_start(year), reference_day(year, today)))
        .order_by(Fair.starts_on, Fair.id)
    ).all()


# --- 6. community tourism ------------------------------------------------------------------


@dataclass(frozen=True)
class Tourism:
    listings: int  # listings the public sees now (active, not hidden, host approved)
    bookings: int  # bookings with check-in in the year, not cancelled or declined
    guests: int  # guests of those bookings

    @property
    def met(self) -> bool:
        return self.listings >= TARGET_TOURISM


def community_tourism(year: int, today: date) -> Tourism:
    listings = db.session.scalar(select(func.count()).select_from(visible_listings().subquery()))
    bookings, guests = db.session.execute(
        select(func.count(Booking.id), func.coalesce(func.sum(Booking.guests), 0)).where(
            Booking.check_in.between(_year_start(year), date(year, 12, 31)),
            Booking.status.not_in(NOT_BOOKINGS),
        )
    ).one()
    return Tourism(listings=listings, bookings=bookings, guests=int(guests))


# --- 7. the site ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sales:
    key: int  # the district's id, or the month (1-12)
    label: str  # the district's name, or the month as 1-12
    orders: int
    revenue: int  # the goods (Order.subtotal), VND, without delivery


@dataclass(frozen=True)
class Site:
    listed: int  # products the public sees now
    orders: int
    revenue: int
    by_district: list[Sales] = field(default_factory=list)
    by_month: list[Sales] = field(default_factory=list)  # 12, January first


def _months_of(year: int) -> list[date]:
    return [date(year, month, 1) for month in range(1, 13)]


Revenue = dict[int, list[tuple[int, int]]]  # district id: (orders, goods value) per month


def _revenue(year: int) -> Revenue:
    """The year's orders that happened, by district and month (Hậu Giang time): one pass."""
    return sales.by_month_and_district(_months_of(year), Order.status.not_in(NOT_ORDERS))


def revenue_by_district(year: int, today: date, counted: Revenue | None = None) -> list[Sales]:
    """Orders of the year and their goods' value, by the district of the cooperative."""
    counted = _revenue(year) if counted is None else counted
    districts = db.session.execute(select(District.id, District.name).order_by(District.id))
    found = []
    for i, name in districts:
        months = counted.get(i, [])
        orders, revenue = sum(n for n, _ in months), sum(total for _, total in months)
        found.append(Sales(key=i, label=name, orders=orders, revenue=revenue))
    return found


def revenue_by_month(year: int, today: date, counted: Revenue | None = None) -> list[Sales]:
    """Orders of the year and their goods' value, by the month (Hậu Giang time) placed."""
    counted = _revenue(year) if counted is None else counted
    return [
        Sales(
            key=i + 1,
            label=str(i + 1),
            orders=sum(months[i][0] for months in counted.values()),
            revenue=sum(months[i][1] for months in counted.values()),
        )
        for i in range(12)
    ]


def site(year: int, today: date, counts: list[ProductCounts] | None = None) -> Site:
    counted = _revenue(year)
    by_district = revenue_by_district(year, today, counted)
    counts = _counts_or_read(counts, year, today)
    return Site(
        listed=sum(c.listed for c in counts),
        orders=sum(s.orders for s in by_district),
        revenue=sum(s.revenue for s in by_district),
        by_district=by_district,
        by_month=revenue_by_month(year, today, counted),
    )


# --- all of it -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """One target of the plan, as the dashboard's cards and the summary table show it."""

    key: str
    label: str
    value: float
    target: int
    percent: bool  # value and target are percentages
    met: bool

    @property
    def progress(self) -> float:
        """How far towards the target, for a progress bar from 0 to the target."""
        return min(self.value, self.target)


@dataclass(frozen=True)
class Plan:
    year: int
    today: date
    day: date  # R
    certified: Certified
    flagships: list[Flagship]
    districts: list[DistrictCount]
    trained: Trained
    fairs: list[Fair]
    tourism: Tourism
    site: Site

    @property
    def flagships_met(self) -> int:
        return sum(1 for f in self.flagships if f.met)

    @property
    def districts_met(self) -> int:
        return sum(1 for d in self.districts if d.met)

    @property
    def goals(self) -> list[Goal]:
        c, t = self.certified, self.trained
        return [
            Goal("certified", _l("Sản phẩm đạt chứng nhận OCOP (3 sao trở lên)"),
                 c.certified, TARGET_CERTIFIED, False, c.certified >= TARGET_CERTIFIED),
            Goal("share", _l("Tỷ lệ sản phẩm của tỉnh được chuẩn hóa"),
                 c.share, TARGET_SHARE, True, c.share_met),
            Goal("flagships", _l("Sản phẩm chủ lực đạt 4–5 sao"),
                 self.flagships_met, FLAGSHIP_COUNT, False, self.flagships_met >= FLAGSHIP_COUNT),
            Goal("districts", _l("Huyện, thị xã, thành phố có 2–3 sản phẩm OCOP"),
                 self.districts_met, len(self.districts), False,
                 bool(self.districts) and self.districts_met == len(self.districts)),
            Goal("trained", _l("Hợp tác xã có lãnh đạo được tập huấn"),
                 t.share, TARGET_TRAINED, True, t.met),
            Goal("fairs", _l("Chương trình xúc tiến thương mại"),
                 len(self.fairs), TARGET_FAIRS, False, len(self.fairs) >= TARGET_FAIRS),
            Goal("tourism", _l("Điểm du lịch cộng đồng đang hoạt động"),
                 self.tourism.listings, TARGET_TOURISM, False, self.tourism.met),
        ]  # fmt: skip


def plan_figures(year: int, today: date) -> Plan:
    day = reference_day(year, today)
    counts = product_counts(day)
    return Plan(
        year=year,
        today=today,
        day=day,
        certified=certified_products(year, today, counts),
        flagships=flagships(year, today),
        districts=certified_by_district(year, today, counts),
        trained=trained_cooperatives(year, today),
        fairs=fairs_held(year, today),
        tourism=community_tourism(year, today),
        site=site(year, today, counts),
    )


# --- CSV -----------------------------------------------------------------------------------

CSV_BOM = "\ufeff"  # so that Excel reads the file as UTF-8 and shows Vietnamese correctly
CSV_TABLES = ("summary", "flagships", "districts", "revenue_districts", "months")


def _cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _yes(met: bool) -> str:
    return str(_l("Đạt")) if met else str(_l("Chưa đạt"))


def csv_rows(table: str, plan: Plan) -> list[list]:
    """The header and rows of one of the page's tables (CSV_TABLES)."""
    if table == "summary":
        rows = [[_l("Chỉ tiêu"), _l("Kết quả"), _l("Mục tiêu"), _l("Đơn vị"), _l("Đánh giá")]]
        for goal in plan.goals:
            unit = "%" if goal.percent else ""
            rows.append([goal.label, _number(goal.value), goal.target, unit, _yes(goal.met)])
        facts = [
            (_l("Sản phẩm của tỉnh (đang hoạt động)"), plan.certified.products),
            (_l("Hợp tác xã đã duyệt"), plan.trained.cooperatives),
            (_l("Hợp tác xã có lãnh đạo dự tập huấn"), plan.trained.trained),
            (_l("Lượt đặt du lịch trong năm"), plan.tourism.bookings),
            (_l("Lượt khách du lịch trong năm"), plan.tourism.guests),
            (_l("Sản phẩm đang bán trên trang"), plan.site.listed),
            (_l("Đơn hàng trong năm"), plan.site.orders),
            (_l("Doanh thu trong năm (đồng)"), plan.site.revenue),
        ]
        rows += [[label, value, "", "", ""] for label, value in facts]
    elif table == "flagships":
        rows = [
            [_l("Sản phẩm"), _l("Hợp tác xã"), _l("Số sao"), _l("Hiệu lực đến"), _l("Đánh giá")]
        ]
        rows += [
            [f.name, f.cooperative, f.stars or "", f.valid_until.isoformat() if f.valid_until else "",
             _yes(f.met)]
            for f in plan.flagships
        ]  # fmt: skip
    elif table == "districts":
        rows = [[_l("Huyện, thị xã, thành phố"), _l("Sản phẩm đạt OCOP"), _l("Mục tiêu"),
                 _l("Đánh giá")]]  # fmt: skip
        target = f"{DISTRICT_MIN}-{DISTRICT_MAX}"
        rows += [[d.name, d.certified, target, _yes(d.met)] for d in plan.districts]
    elif table == "revenue_districts":
        rows = [[_l("Huyện, thị xã, thành phố"), _l("Số đơn"), _l("Doanh thu (đồng)")]]
        rows += [[s.label, s.orders, s.revenue] for s in plan.site.by_district]
    elif table == "months":
        rows = [[_l("Tháng"), _l("Số đơn"), _l("Doanh thu (đồng)")]]
        rows += [[f"{plan.year}-{s.key:02d}", s.orders, s.revenue] for s in plan.site.by_month]
    else:
        raise KeyError(table)
    return rows


def to_csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_cell(str(v)) if not isinstance(v, int) else v for v in row])
    return buffer.getvalue()


def csv_filename(table: str, year: int) -> str:
    return f"ke-hoach-603-{year}-{table.replace('_', '-')}.csv"
