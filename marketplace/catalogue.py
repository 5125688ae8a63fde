"""The product catalogue: what a visitor asked for, and the query that answers it."""

import math
from dataclasses import dataclass, fields, replace
from datetime import date

from sqlalchemy import case, column, func, or_, select, table, text, true
from sqlalchemy.orm import defer, joinedload, selectinload

from core.db import dialect_name
from core.extensions import db
from core.models import District
from core.text import search_terms
from marketplace.models import OCOP_GROUPS, Product

SORTS = ("relevance", "stars", "price_asc", "price_desc", "newest")
MAX_QUERY_LENGTH = 100
MAX_PRICE = 1_000_000_000


def _int_or_none(value, lowest: int, highest: int) -> int | None:
    """A whole number within bounds (clamped), or None for anything that is not one."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return min(max(number, lowest), highest)


@dataclass(frozen=True)
class CatalogueFilters:
    """What a visitor asked the catalogue for, cleaned from the query string."""

    q: str = ""
    group: str = ""
    district: str = ""
    min_stars: int | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool = False
    sort: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "CatalogueFilters":
        group = args.get("group", "")
        stars = _int_or_none(args.get("stars"), 0, 5)
        sort = args.get("sort", "")
        return cls(
            q=" ".join(args.get("q", "").split())[:MAX_QUERY_LENGTH],
            group=group if group in OCOP_GROUPS else "",
            district=args.get("district", "")[:80],
            min_stars=stars or None,
            min_price=_int_or_none(args.get("min_price"), 0, MAX_PRICE),
            max_price=_int_or_none(args.get("max_price"), 0, MAX_PRICE),
            in_stock=args.get("in_stock") in ("1", "on", "true"),
            sort=sort if sort in SORTS else "",
            page=_int_or_none(args.get("page"), 1, 100_000) or 1,
        )

    @property
    def effective_sort(self) -> str:
        if self.sort == "relevance" and not self.q:
            return "stars"
        return self.sort or ("relevance" if self.q else "stars")

    @property
    def narrows(self) -> bool:
        """True when anything beyond sort and page limits the results."""
        return bool(
            self.q
            or self.group
            or self.district
            or self.min_stars
            or self.min_price is not None
            or self.max_price is not None
            or self.in_stock
        )

    def to_args(self, **changes) -> dict:
        """Query-string arguments for a link to this view with some changes (page=2, ...)."""
        changed = replace(self, **changes)
        args = {}
        for field in fields(changed):
            value = getattr(changed, field.name)
            if value is None or value is False or value == "":
                continue
            if field.name == "page" and value == 1:
                continue
            name = "stars" if field.name == "min_stars" else field.name
            args[name] = "1" if value is True else value
        return args


@dataclass(frozen=True)
class CataloguePage:
    products: list
    total: int
    page: int
    pages: int


def visible_products():
    """Products a visitor may see (see Product.listed)."""
    return select(Product).where(Product.listed == true())


def by_stars() -> list:
    """Best rated first; expired and unrated (stars 0) last."""
    return [Product.stars.desc(), Product.name, Product.id]


# What a product card needs, and nothing wide: reading a deferred column raises, not queries.
CARD_OPTIONS = (
    joinedload(Product.cooperative, innerjoin=True),
    selectinload(Product.images),
    defer(Product.description, raiseload=True),
    defer(Product.description_en, raiseload=True),
    defer(Product.search_text, raiseload=True),
)


# SQLite's trigram full-text index of products.search_text (see its migration). A quoted
# term of three letters or more matches as a substring, like LIKE '%term%' on the column.
PRODUCTS_FTS = table("products_fts", column("rowid"))


def _matching_search(query, terms: list[str]):
    indexed = [t for t in terms if len(t) >= 3] if dialect_name() == "sqlite" else []
    if indexed:
        phrase = " ".join('"' + t.replace('"', '""') + '"' for t in indexed)
        matches = select(PRODUCTS_FTS.c.rowid).where(
            text("products_fts MATCH :phrase").bindparams(phrase=phrase)
        )
        query = query.where(Product.id.in_(matches))
    # Trigrams cannot index shorter terms (and SQLite 3.40 crashes on them): those, and every
    # term on PostgreSQL, are matched on the column itself.
    short = [t for t in terms if t not in indexed]
    return query.where(*(Product.search_text.contains(t, autoescape=True) for t in short))


def _filtered(filters: CatalogueFilters, today: date):
    query = _matching_search(visible_products(), search_terms(filters.q))
    if filters.group:
        query = query.where(Product.group == filters.group)
    if filters.district:
        query = query.join(Product.district).where(District.slug == filters.district)
    if filters.min_stars:
        query = query.where(Product.stars >= filters.min_stars, Product.stars_valid_until >= today)
    if filters.min_price is not None:
        query = query.where(Product.price >= filters.min_price)
    if filters.max_price is not None:
        query = query.where(Product.price <= filters.max_price)
    if filters.in_stock:
        query = query.where(Product.stock > 0)
    return query


def _ordering(filters: CatalogueFilters) -> list:
    if filters.effective_sort == "relevance":
        # Products whose name starts with the query come first, and those whose English name
        # holds it (an English reader's "rice" before a description's "hot rice").
        folded = " ".join(search_terms(filters.q))
        named = or_(
            Product.search_text.startswith(folded, autoescape=True),
            func.lower(Product.name_en).contains(folded, autoescape=True),
        )
        name_first = case((named, 0), else_=1)
        return [name_first, *by_stars()]
    return {
        "stars": by_stars(),
        "price_asc": [Product.price, Product.name, Product.id],
        "price_desc": [Product.price.desc(), Product.name, Product.id],
        "newest": [Product.created_at.desc(), Product.id.desc()],
    }[filters.effective_sort]


def search_products(filters: CatalogueFilters, today: date, page_size: int) -> CataloguePage:
    query = _filtered(filters, today)
    total = db.session.scalar(query.with_only_columns(func.count(Product.id)))
    pages = max(1, math.ceil(total / page_size))
    page = min(filters.page, pages)
    products = db.session.scalars(
        query.options(*CARD_OPTIONS)
        .order_by(*_ordering(filters))
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return CataloguePage(products=list(products), total=total, page=page, pages=pages)


def top_rated(today: date, limit: int) -> list[Product]:
    query = visible_products().where(Product.stars > 0, Product.stars_valid_until >= today)
    return db.session.scalars(query.options(*CARD_OPTIONS).order_by(*by_stars()).limit(limit)).all()


def flagships() -> list[Product]:
    return db.session.scalars(
        visible_products()
        .where(Product.flagship.is_(True))
        .options(*CARD_OPTIONS)
        .order_by(Product.id)
    ).all()


def related_products(product: Product, limit: int = 4) -> list[Product]:
    """Same group or same cooperative, best rated first."""
    query = visible_products().where(
        Product.id != product.id,
        (Product.group == product.group) | (Product.cooperative_id == product.cooperative_id),
    )
    return db.session.scalars(query.options(*CARD_OPTIONS).order_by(*by_stars()).limit(limit)).all()
