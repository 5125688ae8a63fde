"""Parts of pages kept per page version for everyone (core.page_parts): a product's body and a
catalogue query's results are rendered once while nothing they show changes, serve logged-in
readers too, are never stale, and carry each reader's own CSRF token, never another's."""

import re
from datetime import timedelta

import pytest
from flask import g
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import update

from core import clock, page_parts
from marketplace import catalogue
from marketplace.models import Product
from tests.conftest import TEST_PASSWORD

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture()
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture()
def renders(monkeypatch):
    """How often the product body and the catalogue's results were worked out."""
    counts = {"product": 0, "results": 0}
    related, search = catalogue.related_products, catalogue.search_products

    def counted_related(*args, **kwargs):
        counts["product"] += 1
        return related(*args, **kwargs)

    def counted_search(*args, **kwargs):
        counts["results"] += 1
        return search(*args, **kwargs)

    monkeypatch.setattr(catalogue, "related_products", counted_related)
    monkeypatch.setattr(catalogue, "search_products", counted_search)
    return counts


def logged_in(app, make, email: str):
    reader = app.test_client()
    account = make.user(email=email)
    answer = reader.post(
        "/login", data={"email": account.email, "password": TEST_PASSWORD}, headers=SAME_SITE
    )
    assert answer.status_code in (302, 303)
    return reader


def tokens(page: str) -> tuple[set, set]:
    """The page's form tokens and its htmx header token."""
    fields = set(re.findall(r'name="csrf_token" value="([^"]*)"', page))
    headers = set(re.findall(r'"X-CSRFToken": "([^"]*)"', page))
    return fields, headers


def test_a_product_body_and_a_querys_results_are_rendered_once_for_everyone(app, make, db, renders):
    product = make.product("Khóm Cầu Đúc", price=15_000)
    buyer = logged_in(app, make, "lan@example.vn")
    other = logged_in(app, make, "minh@example.vn")
    for reader in (buyer, other, buyer):
        assert "15.000" in reader.get(f"/products/{product.slug}").text
        assert "Khóm Cầu Đúc" in reader.get("/products?q=khom").text
    assert renders == {"product": 1, "results": 1}
    # The htmx answer is the same results part, alone.
    part = buyer.get("/products?q=khom", headers={"HX-Request": "true"})
    assert "<html" not in part.text and "Khóm Cầu Đúc" in part.text
    assert renders == {"product": 1, "results": 1}
    # Another query, another page of results: their own parts.
    buyer.get("/products?q=chanh")
    assert renders["results"] == 2


def test_a_change_is_on_a_logged_in_readers_pages_at_once(app, make, db, renders):
    product = make.product("Khóm Cầu Đúc", price=15_000, stock=5)
    buyer = logged_in(app, make, "lan@example.vn")
    urls = (f"/products/{product.slug}", "/products", f"/cooperatives/{product.cooperative.slug}")
    url = urls[0]
    assert all("15.000" in buyer.get(address).text for address in urls)
    db.session.execute(update(Product).where(Product.id == product.id).values(price=18_000))
    db.session.commit()
    assert all("18.000" in buyer.get(address).text for address in urls)
    db.session.execute(update(Product).where(Product.id == product.id).values(listed=False))
    db.session.commit()
    assert buyer.get(url).status_code == 404
    assert "Khóm Cầu Đúc" not in buyer.get("/products").text


def test_each_reader_gets_their_own_token_in_a_shared_part(app, client, make, db, csrf_on):
    product = make.product("Khóm Cầu Đúc", stock=5)
    url = f"/products/{product.slug}"
    guest_page = client.get(url).text  # kept for guests first: no token in it at all
    assert tokens(guest_page) == (set(), set())
    lan, minh = logged_in(app, make, "lan@example.vn"), logged_in(app, make, "minh@example.vn")
    seen = []
    for reader in (lan, minh):
        for page in (reader.get(url).text, reader.get("/products").text):
            fields, headers = tokens(page)
            # The product's add form and the catalogue's cards carry the reader's header token.
            assert len(headers) == 1 and fields >= headers and len(fields) == 1, fields
            assert "reader-csrf-token" not in page
        seen.append(headers.pop())
        added = reader.post(
            "/cart/add",
            data={"product_id": product.id, "quantity": 1, "csrf_token": seen[-1]},
            headers=SAME_SITE,
        )
        assert added.status_code in (302, 303)
    assert seen[0] != seen[1]
    # Another's token is refused.
    stolen = lan.post(
        "/cart/add",
        data={"product_id": product.id, "quantity": 1, "csrf_token": seen[1]},
        headers=SAME_SITE,
    )
    assert stolen.status_code == 400


def test_languages_and_days_keep_their_own_parts(app, make, db, monkeypatch, renders):
    product = make.product("Khóm Cầu Đúc", name_en="Cầu Đúc pineapple")
    buyer = logged_in(app, make, "lan@example.vn")
    url = f"/products/{product.slug}"
    assert "Cầu Đúc pineapple" not in buyer.get(url).text
    assert "Cầu Đúc pineapple" not in app.test_client().get(url).text
    assert renders["product"] == 1  # the guest's miss took the buyer's part
    assert "Cầu Đúc pineapple" in buyer.get(url + "?lang=en").text
    assert "Cầu Đúc pineapple" in buyer.get(url).text  # English remembered for this reader
    assert "Cầu Đúc pineapple" not in app.test_client().get(url).text
    # English at ?lang=en and at the URL; the language chosen (an account's) renews nothing.
    assert renders["product"] == 3
    # A rating expires on a date: tomorrow's body is worked out again.
    tomorrow = clock.today() + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: tomorrow)
    buyer.get(url)
    assert renders["product"] == 4


def test_with_parts_off_every_answer_is_rendered(app, make, db, renders):
    app.config["PAGE_PARTS"] = False
    try:
        product = make.product("Khóm Cầu Đúc")
        buyer = logged_in(app, make, "lan@example.vn")
        for _ in range(2):
            buyer.get(f"/products/{product.slug}")
        assert renders["product"] == 2
    finally:
        app.config["PAGE_PARTS"] = True


def test_a_kept_part_cannot_hold_a_readers_token(app):
    with app.test_request_context("/"):
        csrf_token = app.jinja_env.globals["csrf_token"]
        assert csrf_token()  # outside a kept part, as always
        g.rendering_kept_part = True
        with pytest.raises(RuntimeError, match="everyone's"):
            csrf_token()


def test_the_layouts_links_mark_each_pages_section_in_its_language(client, make, db):
    cooperative = make.cooperative("HTX Khóm Cầu Đúc")
    sections = {
        "/products": "/products",
        f"/cooperatives/{cooperative.slug}": "/cooperatives",
        "/tourism": "/tourism",
        "/fairs": "/fairs",
        "/": None,
    }
    for url, current in sections.items():
        page = client.get(url).text
        marked = re.findall(r'<a href="([^"]+)" aria-current="page">', page)
        # The desktop's bar and the phone's menu each mark it, and nothing else.
        assert marked == ([current] * 2 if current else []), (url, marked)
    english = client.get("/tourism?lang=en").text
    assert ">Tourism</a>" in english and "Program Coordination Office" in english
    assert ">Du lịch</a>" in client.get("/tourism?lang=vi").text


@pytest.mark.parametrize("probe", ["{{ current_user.name }}", "{{ session.get('cart') }}"])
def test_a_kept_part_cannot_show_what_is_one_readers(app, monkeypatch, probe):
    loader = ChoiceLoader([DictLoader({"_probe.html": probe}), app.jinja_env.loader])
    monkeypatch.setattr(app.jinja_env, "loader", loader)
    app.jinja_env.cache.clear()
    with app.test_request_context("/"):
        with pytest.raises(RuntimeError, match="everyone's"):
            page_parts.kept_part("_probe.html", dict)
        with pytest.raises(RuntimeError, match="everyone's"):
            page_parts.layout_part("_probe.html")


def test_a_query_too_long_for_our_forms_is_answered_but_not_kept(app, make, db, renders):
    make.product("Khóm Cầu Đúc")
    buyer = logged_in(app, make, "lan@example.vn")
    url = "/products?q=khom&" + "&".join(f"utm_x{n}=1" for n in range(40))
    assert [buyer.get(url).status_code for _ in range(2)] == [200, 200]
    assert renders["results"] == 2


def test_a_kept_part_lasts_its_time_at_most(monkeypatch):
    """A change made without the version (a restore with its triggers off) ends with it."""
    now = [1000.0]
    monkeypatch.setattr(page_parts.time, "monotonic", lambda: now[0])
    store, made = page_parts.Rendered(10, max_age=600), []

    def render():
        made.append(len(made))
        return made[-1]

    assert [store.get(("a",), render) for _ in range(2)] == [0, 0]
    now[0] += 601
    assert store.get(("a",), render) == 1
