"""Typing mistakes in the product search: the nearest products offered when nothing matches."""

import html
from urllib.parse import quote_plus

import pytest
from sqlalchemy import func, select, text

from core.text import phrase_similarity, trigram_similarity
from marketplace import catalogue
from marketplace.catalogue import nearest_products
from marketplace.models import Product

DID_YOU_MEAN = "Có phải bạn muốn tìm:"


@pytest.fixture()
def shelf(make):
    """Demo-like products: three pineapple ones whose texts all say "khóm Cầu Đúc", two
    featherback ones, and products a visitor may not see."""
    hoa_tien = make.cooperative("HTX Khóm Hỏa Tiến")
    ky_nhu = make.cooperative("HTX Kỳ Như")
    make.product(
        "Khóm Cầu Đúc",
        hoa_tien,
        description="Khóm Cầu Đúc loại 1, vỏ mỏng, thịt vàng, ngọt thanh.",
    )
    make.product(
        "Mứt khóm Cầu Đúc", hoa_tien, description="Mứt khóm dẻo làm từ khóm Cầu Đúc, ít đường."
    )
    make.product("Khóm sấy dẻo", hoa_tien, description="Khóm Cầu Đúc cắt lát sấy dẻo.")
    make.product(
        "Cá thát lát rút xương tẩm gia vị",
        ky_nhu,
        description="Cá thát lát Hậu Giang rút xương, ướp gia vị.",
    )
    make.product("Chả cá thát lát", ky_nhu, description="Chả cá thát lát quết tay.")
    make.product("Rượu gấc", ky_nhu, group="beverage")
    make.product("Giỏ lục bình", ky_nhu, group="handicraft", active=False)
    hidden_coop = make.cooperative("HTX Chưa Duyệt", approved=False)
    make.product("Bánh pía sầu riêng", hidden_coop)


def names(query, limit=3):
    return [p.name for p in nearest_products(query, limit)]


def suggested_links(body: str) -> list[str]:
    """The names of the suggestions on a page, in their order."""
    if DID_YOU_MEAN not in body and "Did you mean:" not in body:
        return []
    start = body.index('class="did-you-mean"')
    part = body[start : body.index("</p>", start)]
    return [
        html.unescape(chunk.split(">", 1)[1].split("</a>", 1)[0]) for chunk in part.split("<a ")[1:]
    ]


def test_a_misspelt_name_offers_the_product_first(shelf):
    suggested = names("khom cau duk")
    # The jam's text says "khóm Cầu Đúc" too: the product named so comes first.
    assert suggested[0] == "Khóm Cầu Đúc"
    assert set(suggested) <= {"Khóm Cầu Đúc", "Mứt khóm Cầu Đúc", "Khóm sấy dẻo"}


def test_a_misspelt_fish_offers_the_featherback_products(shelf):
    suggested = names("ca thac lat")
    assert "Cá thát lát rút xương tẩm gia vị" in suggested
    assert set(suggested) == {"Cá thát lát rút xương tẩm gia vị", "Chả cá thát lát"}


def test_accents_and_case_are_folded(shelf):
    assert names("KHÓM CẦU ĐÚK")[0] == "Khóm Cầu Đúc"


def test_limit(shelf):
    assert len(names("khom cau duk", limit=1)) == 1
    assert len(names("khom cau duk", limit=10)) == 3


def test_nonsense_and_too_little_offer_nothing(shelf):
    assert names("zzzzqqq") == []
    assert names("kh") == []
    assert names("k") == []
    assert names("!!! ??? ***") == []
    assert names("") == []


def test_products_a_visitor_may_not_see_are_never_offered(shelf):
    assert names("gio luc binn") == []  # inactive
    assert names("banh pia sau rieg") == []  # its cooperative is not approved
    assert names("ruou gak") == ["Rượu gấc"]


@pytest.mark.parametrize(
    "query",
    [
        'khom "cau" duk',
        "khom* cau^ duk",
        "khom NEAR cau duk",
        "(khom) {cau} [duk]",
        "khom' cau\" duk",
        "khom % cau _ duk \\",
        "khom:cau -duk",
    ],
)
def test_query_syntax_is_just_text(shelf, query):
    """FTS5's and SQL's special characters are punctuation: the words alone count."""
    assert names(query)[0] == "Khóm Cầu Đúc"


@pytest.mark.parametrize(
    "query",
    [
        "NEAR(khom duk)",
        "khom' OR 1=1 -- duk",
        "khom; DROP TABLE products; duk",
        "khom AND cau NOT duk",
        '"" OR "*" ^^ NEAR/2',
    ],
)
def test_query_operators_are_just_words(shelf, query):
    nearest_products(query)  # no error: NEAR, OR, AND are words like any other
    assert names("khom cau duk")[0] == "Khóm Cầu Đúc"  # and the table is still there


def test_a_very_long_query_is_bounded(shelf):
    assert names("khom cau duk " * 500)[0] == "Khóm Cầu Đúc"
    names("x" * 10_000)  # no error, whatever it finds


def test_the_search_page_offers_the_nearest_products(client, shelf):
    response = client.get("/products?q=khom+cau+duk")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Không tìm thấy sản phẩm nào" in body
    assert suggested_links(body)[0] == "Khóm Cầu Đúc"
    # Each suggestion runs the search for its product, which finds it.
    assert f'href="/products?q={quote_plus("Khóm Cầu Đúc")}"' in body
    found = client.get(f"/products?q={quote_plus('Khóm Cầu Đúc')}").get_data(as_text=True)
    assert 'href="/products/khom-cau-duc"' in found
    assert DID_YOU_MEAN not in found


def test_the_htmx_fragment_offers_them_too(client, shelf):
    fragment = client.get("/products?q=ca+thac+lat", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body
    assert "Cá thát lát rút xương tẩm gia vị" in suggested_links(body)


def test_an_exact_hit_offers_nothing(client, shelf, today):
    body = client.get("/products?q=khom+cau+duc").get_data(as_text=True)
    assert 'href="/products/khom-cau-duc"' in body
    assert DID_YOU_MEAN not in body
    exact = catalogue.CatalogueFilters(q="khom cau duc")
    assert catalogue.did_you_mean(exact, catalogue.search_products(exact, today, 24), today) == []
    # The rule behind it: the same words misspelt find nothing, and are offered the product.
    misspelt = catalogue.CatalogueFilters(q="khom cau duk")
    result = catalogue.search_products(misspelt, today, 24)
    assert result.total == 0
    assert catalogue.did_you_mean(misspelt, result, today)[0].name == "Khóm Cầu Đúc"


def test_words_that_find_something_are_not_corrected_when_a_filter_empties_the_page(client, shelf):
    body = client.get("/products?q=khom+cau+duc&group=ornamental").get_data(as_text=True)
    assert "Không tìm thấy sản phẩm nào" in body
    assert DID_YOU_MEAN not in body
    # Misspelt, the same filter still gets its suggestion.
    body = client.get("/products?q=khom+cau+duk&group=ornamental").get_data(as_text=True)
    assert "Khóm Cầu Đúc" in suggested_links(body)


def test_nonsense_offers_nothing(client, shelf):
    body = client.get("/products?q=zzzzqqq").get_data(as_text=True)
    assert "Không tìm thấy sản phẩm nào" in body
    assert DID_YOU_MEAN not in body


def test_no_search_no_suggestion(client, shelf):
    body = client.get("/products?group=ornamental").get_data(as_text=True)
    assert "Không tìm thấy sản phẩm nào" in body
    assert DID_YOU_MEAN not in body


def test_in_english_on_english_pages(client, shelf):
    body = client.get("/products?q=khom+cau+duk&lang=en").get_data(as_text=True)
    assert "Did you mean:" in body
    assert DID_YOU_MEAN not in body
    assert suggested_links(body)[0] == "Khóm Cầu Đúc"


@pytest.mark.parametrize(
    "query",
    [
        "a",
        "ab",
        "?",
        "!!!",
        "'",
        '"',
        '""',
        "*",
        "^",
        "^khom",
        "khom*",
        "NEAR",
        "NEAR(a b)",
        "a OR b",
        "-khom",
        "khom:cau",
        "(",
        "%",
        "_",
        "\\",
        "' OR '1'='1",
        "x" * 5000,
        "khom cau duk " * 300,
        "😀😀😀",
        "\u0301\u0301\u0301",
        "ĐĐĐ",
        "khom\x00cau duk",
        "khom\tcau\nduk\r",
    ],
)
def test_odd_input_answers_200(client, shelf, query):
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/products", query_string={"q": query}, headers=headers)
        assert response.status_code == 200


def test_the_python_measure_is_pg_trgms(db):
    """SQLite's ranking is pg_trgm's strict_word_similarity, worked out in Python."""
    if db.engine.dialect.name != "postgresql" or not catalogue._has_pg_trgm():
        pytest.skip("needs PostgreSQL with pg_trgm")
    pairs = [
        ("khom cau duk", "mut khom cau duc lam tu khom cau duc"),
        ("ca thac lat", "ca that lat rut xuong tam gia vi htx ky nhu"),
        ("thac", "ca that lat"),
        ("cau khom", "khom cau duc"),
        ("zzzzqqq", "khom cau duc"),
        ("ruou gak 100%", "ruou gac 100% nep than"),
    ]
    for query, searched in pairs:
        expected = db.session.scalar(
            text("SELECT strict_word_similarity(:q, :t)"), {"q": query, "t": searched}
        )
        assert phrase_similarity(query, searched) == pytest.approx(expected, abs=1e-6)
        whole = db.session.scalar(text("SELECT similarity(:q, :t)"), {"q": query, "t": searched})
        assert trigram_similarity(query, searched) == pytest.approx(whole, abs=1e-6)


def test_the_measure_of_a_phrase():
    # The values PostgreSQL gives (checked against it above when the tests run there).
    assert phrase_similarity("khom cau duk", "mut khom cau duc loai 1") == pytest.approx(11 / 15)
    assert phrase_similarity("cau khom", "khom cau duc") == 1.0
    assert phrase_similarity("zzzzqqq", "khom cau duc") == 0.0
    assert phrase_similarity("!!!", "khom cau duc") == 0.0
    assert trigram_similarity("khom cau duk", "khom cau duc") > trigram_similarity(
        "khom cau duk", "mut khom cau duc"
    )


def test_postgresql_without_pg_trgm_still_suggests(db, shelf, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's fallback")
    assert names("khom cau duk")[0] == "Khóm Cầu Đúc"
    # The index is forced for that one query only: the rest of the request plans as usual.
    assert db.session.scalar(text("SELECT current_setting('enable_seqscan')")) == "on"
    monkeypatch.setattr(catalogue, "_has_pg_trgm", lambda: False)
    assert names("khom cau duk")[0] == "Khóm Cầu Đúc"
    assert names("zzzzqqq") == []


@pytest.fixture()
def demo_shop(db):
    from marketplace.demo import seed_marketplace

    seed_marketplace()
    db.session.commit()


def test_the_demo_shop(client, demo_shop):
    """The issue's own examples, on the seeded Hậu Giang catalogue."""
    pineapple = client.get("/products?q=khom+cau+duk").get_data(as_text=True)
    assert suggested_links(pineapple)[0] == "Khóm Cầu Đúc"
    fish = suggested_links(client.get("/products?q=ca+thac+lat").get_data(as_text=True))
    assert fish and all("thát lát" in name for name in fish)
    assert suggested_links(client.get("/products?q=khom+cau+duc").get_data(as_text=True)) == []
    assert suggested_links(client.get("/products?q=zzzzqqq").get_data(as_text=True)) == []


def test_a_failed_suggestion_query_is_no_suggestion_and_leaves_the_page_working(
    db, shelf, monkeypatch
):
    if db.engine.dialect.name != "postgresql" or not catalogue._has_pg_trgm():
        pytest.skip("needs PostgreSQL with pg_trgm")
    # A LIMIT PostgreSQL refuses makes the suggestion's query fail after its settings.
    monkeypatch.setattr(catalogue, "SUGGESTION_CANDIDATES", -1)
    assert catalogue.nearest_products("khom cau duk") == []
    # The page's transaction goes on, with its settings as they were.
    assert db.session.scalar(text("SELECT current_setting('enable_seqscan')")) == "on"
    assert db.session.scalar(select(func.count(Product.id))) > 0
