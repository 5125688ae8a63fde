"""The catalogue's rules, called directly: search, each filter, sort, pagination."""

from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from marketplace.catalogue import CatalogueFilters, search_products


def names(filters, today, page_size=24):
    return [p.name for p in search_products(filters, today, page_size).products]


def f(**args) -> CatalogueFilters:
    return CatalogueFilters.from_args(MultiDict({k: str(v) for k, v in args.items()}))


@pytest.fixture()
def shelf(make, today):
    """A small catalogue in two districts, rated and unrated, in and out of stock."""
    vi_thanh = make.district("TP Vị Thanh", kind="city")
    phung_hiep = make.district("Huyện Phụng Hiệp")
    hoa_tien = make.cooperative("HTX Khóm Hỏa Tiến", district=vi_thanh)
    ky_nhu = make.cooperative("HTX Kỳ Như", district=phung_hiep)
    recent = today - timedelta(days=60)
    make.product(
        "Khóm Cầu Đúc",
        hoa_tien,
        price=15000,
        rating=("148", 35, 20, 30, recent),
        description="Đặc sản Hậu Giang.",
        unit="trái",
    )
    make.product("Mứt khóm", hoa_tien, price=65000, stock=0, rating=("148", 25, 15, 20, recent))
    make.product(
        "Cá thát lát rút xương",
        ky_nhu,
        price=185000,
        rating=("148", 38, 23, 32, recent),
        certifications="VietGAP, HACCP",
    )
    make.product("Chả cá thát lát", ky_nhu, price=220000, group="food")
    make.product(
        "Rượu gấc",
        ky_nhu,
        price=150000,
        group="beverage",
        rating=("1048", 30, 20, 35, date(2021, 1, 10)),
    )
    make.product("Giỏ lục bình", ky_nhu, price=120000, group="handicraft", active=False)
    hidden_coop = make.cooperative("HTX Chưa Duyệt", district=phung_hiep, approved=False)
    make.product("Khóm chưa duyệt", hidden_coop, price=10000)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("khom cau duc", ["Khóm Cầu Đúc"]),
        ("KHÓM", ["Khóm Cầu Đúc", "Mứt khóm"]),
        ("khóm", ["Khóm Cầu Đúc", "Mứt khóm"]),
        ("dac san", ["Khóm Cầu Đúc"]),
        ("đặc sản", ["Khóm Cầu Đúc"]),
        ("DAC SAN", ["Khóm Cầu Đúc"]),
        ("that lat", ["Cá thát lát rút xương", "Chả cá thát lát"]),
        ("ky nhu haccp", ["Cá thát lát rút xương"]),
        ("phung hiep ruou", ["Rượu gấc"]),
        ("100%_", []),
        ("xoài", []),
    ],
)
def test_search_is_accent_and_case_insensitive(shelf, today, query, expected):
    assert sorted(names(f(q=query), today)) == sorted(expected)


def test_d_and_đ_match_both_ways(make, today):
    make.product("Đường thốt nốt")
    make.product("Dưa kiệu")
    assert names(f(q="duong"), today) == ["Đường thốt nốt"]
    assert names(f(q="Đường"), today) == ["Đường thốt nốt"]
    assert names(f(q="đưa"), today) == ["Dưa kiệu"]


def test_inactive_and_unapproved_products_never_show(shelf, today):
    everything = names(f(), today)
    assert "Giỏ lục bình" not in everything
    assert "Khóm chưa duyệt" not in everything
    assert len(everything) == 5


def test_filter_by_group(shelf, today):
    assert names(f(group="beverage"), today) == ["Rượu gấc"]
    assert len(names(f(group="no-such-group"), today)) == 5  # an unknown group is ignored


def test_filter_by_district(shelf, today):
    assert sorted(names(f(district="tp-vi-thanh"), today)) == ["Khóm Cầu Đúc", "Mứt khóm"]
    assert names(f(district="nowhere"), today) == []


def test_filter_by_minimum_stars_counts_only_valid_ratings(shelf, today):
    assert names(f(stars=5), today) == ["Cá thát lát rút xương"]
    assert sorted(names(f(stars=4), today)) == ["Cá thát lát rút xương", "Khóm Cầu Đúc"]
    # Rượu gấc had 4 stars in 2021; the certificate has expired.
    assert "Rượu gấc" not in names(f(stars=3), today)


def test_filter_by_price_range(shelf, today):
    assert sorted(names(f(min_price=100000, max_price=190000), today)) == [
        "Cá thát lát rút xương",
        "Rượu gấc",
    ]
    assert names(f(max_price=15000), today) == ["Khóm Cầu Đúc"]


def test_filter_in_stock(shelf, today):
    assert "Mứt khóm" not in names(f(in_stock=1), today)
    assert "Mứt khóm" in names(f(), today)


def test_filters_combine_with_search(shelf, today):
    assert names(f(q="khom", in_stock=1), today) == ["Khóm Cầu Đúc"]
    assert names(f(q="that lat", stars=5), today) == ["Cá thát lát rút xương"]
    assert names(f(q="khom", district="huyen-phung-hiep"), today) == []


def test_sorts(shelf, today):
    assert names(f(sort="price_asc"), today) == [
        "Khóm Cầu Đúc",
        "Mứt khóm",
        "Rượu gấc",
        "Cá thát lát rút xương",
        "Chả cá thát lát",
    ]
    assert names(f(sort="price_desc"), today)[0] == "Chả cá thát lát"
    # Stars: 5, 4, 3, then the expired and the unrated (alphabetical).
    assert names(f(sort="stars"), today)[:3] == [
        "Cá thát lát rút xương",
        "Khóm Cầu Đúc",
        "Mứt khóm",
    ]
    assert names(f(sort="newest"), today)[0] == "Rượu gấc"


def test_relevance_puts_names_starting_with_the_query_first(make, today):
    make.product("Siro khóm", rating=("148", 40, 25, 30, today - timedelta(days=5)))
    make.product("Khóm sấy dẻo")
    assert names(f(q="khom"), today) == ["Khóm sấy dẻo", "Siro khóm"]


def test_pagination_limits(make, today):
    for n in range(30):
        make.product(f"Sản phẩm {n:02d}", price=1000 + n)
    page = search_products(f(sort="price_asc"), today, page_size=24)
    assert (len(page.products), page.total, page.page, page.pages) == (24, 30, 1, 2)
    second = search_products(f(sort="price_asc", page=2), today, page_size=24)
    assert [p.name for p in second.products] == [f"Sản phẩm {n:02d}" for n in range(24, 30)]
    beyond = search_products(f(sort="price_asc", page=99), today, page_size=24)
    assert beyond.page == 2 and len(beyond.products) == 6


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"page": "abc"}, {"page": 1}),
        ({"page": "-3"}, {"page": 1}),
        ({"page": "0"}, {"page": 1}),
        ({"stars": "9"}, {"min_stars": 5}),
        ({"stars": "x"}, {"min_stars": None}),
        ({"stars": "0"}, {"min_stars": None}),
        ({"min_price": "x"}, {"min_price": None}),
        ({"min_price": "-5"}, {"min_price": 0}),
        ({"max_price": "1e9"}, {"max_price": None}),
        ({"sort": "drop table"}, {"sort": ""}),
        ({"q": "x" * 2000}, {"q": "x" * 100}),
        ({"in_stock": "yes please"}, {"in_stock": False}),
    ],
)
def test_bad_arguments_are_clamped_or_ignored(args, expected):
    filters = CatalogueFilters.from_args(MultiDict(args))
    for name, value in expected.items():
        assert getattr(filters, name) == value


def test_to_args_round_trips_for_links():
    filters = f(q="khom", stars=4, in_stock=1, page=3, min_price=0)
    args = filters.to_args(page=4)
    assert args == {"q": "khom", "stars": 4, "min_price": 0, "in_stock": "1", "page": 4}
    assert CatalogueFilters.from_args(MultiDict({k: str(v) for k, v in args.items()})) == (
        filters.__class__(**{**filters.__dict__, "page": 4})
    )


def test_search_follows_renamed_and_deleted_products(make, db, today):
    from marketplace.products import product_search_text

    # No stock, so no lot to delete with it (the site itself never deletes a product).
    product = make.product("Khóm Cầu Đúc", stock=0)
    product.name = "Xoài cát Hòa Lộc"
    product.search_text = product_search_text(product)
    db.session.commit()
    assert names(f(q="xoai cat"), today) == ["Xoài cát Hòa Lộc"]
    assert names(f(q="khom"), today) == []
    db.session.delete(product)
    db.session.commit()
    assert names(f(q="xoai"), today) == []


def test_search_has_an_index_on_either_database(app, db):
    """SQLite answers LIKE '%term%' from its FTS5 trigram table, PostgreSQL from a pg_trgm
    GIN index; without them every search reads every product (see the migrations)."""
    from sqlalchemy import text

    from core.db import dialect_name

    with app.app_context():
        if dialect_name() == "sqlite":
            found = db.session.scalar(
                text("SELECT name FROM sqlite_master WHERE name = 'products_fts'")
            )
        else:
            found = db.session.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_products_search_trgm'")
            )
            assert "gin_trgm_ops" in found
    assert found
