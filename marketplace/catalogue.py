"""The product catalogue: what a visitor asked for, and the query that answers it."""

import logging
import math
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import NamedTuple

from sqlalchemy import case, column, func, literal, or_, select, table, text, true
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import defer

from core.db import dialect_name
from core.extensions import db
from core.models import District
from core.text import (
    fold,
    phrase_similarity,
    search_terms,
    trigram_similarity,
    trigram_words,
    word_trigrams,
)
from marketplace.models import OCOP_GROUPS, Cooperative, Product, ProductImage

logger = logging.getLogger(__name__)

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

    @property
    def active_filters(self) -> int:
        """How many of the drawer's filters are on, for its summary ("Lọc (2)"): the group,
        the district, the stars, the price (both ends count as one) and "only in stock". The
        search is not counted: the header's search box and the result count show it."""
        return sum(
            (
                bool(self.group),
                bool(self.district),
                bool(self.min_stars),
                self.min_price is not None or self.max_price is not None,
                self.in_stock,
            )
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


class _Named(NamedTuple):
    name: str


class _Picture(NamedTuple):
    path: str


@dataclass(frozen=True, slots=True)
class CardProduct:
    """A product as its card and add-to-cart form read it (card.cooperative.name,
    card.cover.path, as of a Product), from a plain row: a page of ORM objects with their
    cooperatives and images cost three times the CPU of the same rows read so."""

    id: int
    slug: str
    name: str
    name_en: str | None
    price: int
    unit: str
    stock: int
    stars: int
    stars_valid_until: date | None
    review_count: int
    review_stars_total: int
    cooperative: _Named
    cover: _Picture | None


_COVER = (
    select(ProductImage.path)
    .where(ProductImage.product_id == Product.id)
    .order_by(ProductImage.position, ProductImage.id)
    .limit(1)
    .scalar_subquery()
)
CARD_COLUMNS = (
    Product.id,
    Product.slug,
    Product.name,
    Product.name_en,
    Product.price,
    Product.unit,
    Product.stock,
    Product.stars,
    Product.stars_valid_until,
    Product.review_count,
    Product.review_stars_total,
    Cooperative.name,
    _COVER,
)


def read_cards(query) -> list[CardProduct]:
    """The cards of a select(Product) query, in its order."""
    rows = db.session.execute(
        query.with_only_columns(*CARD_COLUMNS).join(
            Cooperative, Cooperative.id == Product.cooperative_id
        )
    )
    return [
        CardProduct(*row[:-2], _Named(row[-2]), _Picture(row[-1]) if row[-1] else None)
        for row in rows
    ]


# SQLite's trigram full-text index of products.search_text (see its migration). A quoted
# term of three letters or more matches as a substring, like LIKE '%term%' on the column.
PRODUCTS_FTS = table("products_fts", column("rowid"))
_RANKED_FTS = table("products_fts", column("rowid"), column("rank"))  # rank: FTS5's bm25


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
        # holds it (an English reader's "rice" before a description's "hot rice"). The English
        # name is compared unfolded: its English words match, its Vietnamese place names only
        # as typed with their accents.
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
    products = read_cards(
        query.order_by(*_ordering(filters)).limit(page_size).offset((page - 1) * page_size)
    )
    return CataloguePage(products=products, total=total, page=page, pages=pages)


def top_rated(today: date, limit: int) -> list[CardProduct]:
    query = visible_products().where(Product.stars > 0, Product.stars_valid_until >= today)
    return read_cards(query.order_by(*by_stars()).limit(limit))


def flagships() -> list[CardProduct]:
    return read_cards(visible_products().where(Product.flagship.is_(True)).order_by(Product.id))


def related_products(product: Product, limit: int = 4) -> list[CardProduct]:
    """Same group or same cooperative, best rated first."""
    query = visible_products().where(
        Product.id != product.id,
        (Product.group == product.group) | (Product.cooperative_id == product.cooperative_id),
    )
    return read_cards(query.order_by(*by_stars()).limit(limit))


# Typing mistakes: when a search finds nothing, the products nearest to what was typed
# ("Có phải bạn muốn tìm: Khóm Cầu Đúc?" for "khom cau duk"). Near means sharing most trigrams
# with a run of whole words of the product's search_text (pg_trgm's strict word similarity).
SUGGESTION_THRESHOLD = 0.5  # "khom cau duk" is 0.73 from "khom cau duc", "ruou gak" 0.64
NEAR_THE_NEAREST = 0.8  # the others offered are at least this share of the nearest's score
SUGGESTION_CANDIDATES = 40  # the closest by the database's own measure, ranked again here
MIN_SUGGESTION_LETTERS = 3  # fewer letters and digits than this match almost anything
SUGGESTION_ROWS_MEASURED = 200  # SQLite: the FTS index's best, measured in Python
MAX_QUERY_TRIGRAMS = 64  # a long query's first words are enough to find candidates


def did_you_mean(
    filters: CatalogueFilters, result: CataloguePage, today: date, limit: int = 3
) -> list:
    """The suggestions a results page shows: only for a search that found nothing, and not
    where the words alone find something (the filters emptied the page: the page says so)."""
    if result.total or not filters.q:
        return []
    if filters != CatalogueFilters(q=filters.q, sort=filters.sort, page=filters.page):
        words_alone = _filtered(CatalogueFilters(q=filters.q), today)
        if db.session.scalar(words_alone.with_only_columns(func.count(Product.id))):
            return []
    return nearest_products(filters.q, limit)


def nearest_products(query: str, limit: int = 3) -> list[Product]:
    """The visible products closest to query despite typing mistakes, closest first; none for
    too little to go on (a letter or two, punctuation) or nothing near enough."""
    folded = " ".join(search_terms(query[:MAX_QUERY_LENGTH]))
    if sum(len(word) for word in trigram_words(folded)) < MIN_SUGGESTION_LETTERS:
        return []
    if dialect_name() == "postgresql" and _has_pg_trgm():
        scored = _postgres_candidates(folded)
    else:
        scored = _scored_here(folded, _candidate_rows(folded))
    nearest = max((score for _id, _name, score in scored), default=0.0)
    enough = max(SUGGESTION_THRESHOLD, nearest * NEAR_THE_NEAREST)
    near = [row for row in scored if row[2] >= enough]
    # Equally near search texts (khóm Cầu Đúc is in the jam's text as well): the product
    # whose name as a whole is nearer first (Khóm Cầu Đúc before Mứt khóm Cầu Đúc).
    near.sort(
        key=lambda row: (-round(row[2], 3), -trigram_similarity(folded, fold(row[1])), row[1])
    )
    ids = [product_id for product_id, _name, _score in near[:limit]]
    if not ids:
        return []
    products = db.session.scalars(
        visible_products()
        .where(Product.id.in_(ids))
        .options(defer(Product.description), defer(Product.search_text))
    ).all()
    order = {product_id: n for n, product_id in enumerate(ids)}
    return sorted(products, key=lambda p: order[p.id])


def _has_pg_trgm() -> bool:
    """Whether pg_trgm is installed here (its migration leaves it out where it is not)."""
    return bool(db.session.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")))


def _postgres_candidates(folded: str) -> list[tuple]:
    """(id, name, similarity) of the nearest products by pg_trgm itself: `<<%` is its strict
    word similarity above the threshold (set for this transaction only), answered by the
    trigram index (c3e5a7b9d1f2).

    The planner prices the operator like `=`: on a catalogue of a few thousand products it
    reads every row instead, or the products by `listed`, measuring each text (about 50 µs a
    row, 100 ms for 2,000), where the index finds the few hundred sharing enough trigrams in
    15 ms. So the trigram match is a query of its own (a materialized CTE, where the trigram
    index is the only index that applies), with sequential scans off for it and back as they
    were after it; which of those products are visible is asked of its few rows.
    """
    near = (
        select(Product.id, func.strict_word_similarity(folded, Product.search_text).label("score"))
        .where(literal(folded).bool_op("<<%")(Product.search_text))
        .cte("near")
        .prefix_with("MATERIALIZED")
    )
    try:
        # In a savepoint: a suggestion that fails (a statement timeout) is no suggestion, and
        # leaves the page's transaction and its settings as they were.
        with db.session.begin_nested():
            seqscan = db.session.execute(
                text(
                    "SELECT current_setting('enable_seqscan'),"
                    " set_config('enable_seqscan', 'off', true),"
                    " set_config('pg_trgm.strict_word_similarity_threshold', :t, true)"
                ),
                {"t": str(SUGGESTION_THRESHOLD)},
            ).scalar_one()
            rows = db.session.execute(
                visible_products()
                .with_only_columns(Product.id, Product.name, near.c.score)
                .join(near, near.c.id == Product.id)
                .order_by(near.c.score.desc(), Product.id)
                .limit(SUGGESTION_CANDIDATES)
            ).all()
            db.session.execute(
                text("SELECT set_config('enable_seqscan', :v, true)"), {"v": seqscan}
            )
    except DBAPIError:
        logger.warning("Suggestions for %r failed; none shown", folded, exc_info=True)
        return []
    return [tuple(row) for row in rows]


def _query_trigrams(folded: str) -> list[str]:
    """The trigrams inside the query's words, as the FTS trigram index holds them (it knows
    no padding), at most MAX_QUERY_TRIGRAMS; letters and digits only, so nothing of the
    query (quotes, *, ^, NEAR) is FTS syntax."""
    grams: dict[str, None] = {}
    for word in trigram_words(folded):
        for gram in sorted(word_trigrams(word)):
            if " " not in gram:
                grams[gram] = None
    return list(grams)[:MAX_QUERY_TRIGRAMS]


def _candidate_rows(folded: str) -> list[tuple]:
    """(id, name, search_text) of products sharing trigrams with the query.

    SQLite has no similarity function: its FTS5 trigram table finds the products sharing any
    of the query's trigrams, best first by its bm25 rank, and Python measures them
    (phrase_similarity). Without that table (PostgreSQL lacking pg_trgm) LIKE on each trigram
    finds them, unranked, reading every product: a small catalogue's fallback.
    """
    grams = _query_trigrams(folded)
    if not grams:
        return []
    columns = visible_products().with_only_columns(Product.id, Product.name, Product.search_text)
    if dialect_name() == "sqlite":
        phrase = " OR ".join(f'"{gram}"' for gram in grams)
        query = (
            columns.join(_RANKED_FTS, _RANKED_FTS.c.rowid == Product.id)
            .where(text("products_fts MATCH :phrase").bindparams(phrase=phrase))
            .order_by(_RANKED_FTS.c.rank)
        )
    else:
        query = columns.where(or_(*(Product.search_text.contains(g) for g in grams)))
    return [tuple(row) for row in db.session.execute(query.limit(SUGGESTION_ROWS_MEASURED))]


def _scored_here(folded: str, rows: list[tuple]) -> list[tuple]:
    return [(pid, name, phrase_similarity(folded, search)) for pid, name, search in rows]
