"""The whole-page cache of guests' public pages (core.page_cache): a guest who has done nothing
gets no cookie and a page kept for everyone; each change a page shows is on it at once; the
CSRF check of a guest's first POST from such a page."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from app import create_app
from core.models import utcnow
from core.page_cache import TABLES_NOT_ON_PAGES
from fairs import booths
from marketplace import orders, trace
from marketplace.models import Lot, Product
from marketplace.ratings import build_rating, council_for, stars_for_score
from programme import moderation
from tests.ci import not_available
from tests.conftest import TEST_PASSWORD
from tests.test_fairs import ask, booth, coop_user, fair  # noqa: F401 - fixtures
from tests.test_reviews import buyer, delivered, place, shop, write  # noqa: F401 - fixtures
from tourism.models import Listing

HIT = "hit"


def kept(client, url: str, **headers):
    """Read url twice as a guest: the second answer must come from the cache."""
    first = client.get(url, headers=headers)
    second = client.get(url, headers=headers)
    assert first.status_code == 200, (url, first.status_code)
    assert second.headers.get("X-Page-Cache") == HIT, url
    assert second.data == first.data
    return second


def fresh(client, url: str):
    """Read url as a guest at once after a change: rendered again, not the kept page."""
    page = client.get(url)
    assert page.status_code == 200 and page.headers.get("X-Page-Cache") != HIT, url
    return page.get_data(as_text=True)


@pytest.fixture()
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_a_guest_reading_the_public_pages_gets_no_cookie_and_pages_kept_for_everyone(
    client, make, db
):
    cooperative = make.cooperative("HTX Khóm Cầu Đúc")
    product = make.product("Khóm Cầu Đúc", cooperative, price=15_000)
    urls = (
        "/", "/products", f"/products/{product.slug}", "/products?q=khom", "/cooperatives",
        f"/cooperatives/{cooperative.slug}", "/tourism", "/fairs",
    )  # fmt: skip
    for url in urls:
        page = kept(client, url)
        body = page.get_data(as_text=True)
        assert "Set-Cookie" not in page.headers, url
        # Everyone's page: no visitor's CSRF token in it.
        assert "csrf_token" not in body and "X-CSRFToken" not in body, url
        assert page.headers["Cache-Control"] == "public, max-age=0, s-maxage=10"
        assert page.headers["Vary"] == (
            "Cookie, Accept-Encoding, HX-Request, HX-History-Restore-Request"
        )
        again = client.get(url, headers={"If-None-Match": page.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
    assert client.get_cookie("session") is None
    # A page that is not everyone's (the login form, with its token) is private.
    assert client.get("/login").headers["Cache-Control"] == "private"


def test_what_the_key_holds_and_what_a_hit_says(app, client, make, db):
    """Encodings as Flask-Compress reads them (a made-up header is not a new page), the
    request id nginx sent, and a page that sets a cookie is private, not kept."""
    make.product("Khóm Cầu Đúc")
    kept(client, "/products", **{"Accept-Encoding": "gzip"})
    assert (
        client.get("/products", headers={"Accept-Encoding": "gzip, x-made-up"}).headers[
            "X-Page-Cache"
        ]
        == HIT
    )
    hit = client.get("/products", headers={"Accept-Encoding": "gzip", "X-Request-ID": "abc123"})
    assert hit.headers["X-Request-ID"] == "abc123"
    english = app.test_client().get("/cooperatives?lang=en")  # remembers the language
    assert "Set-Cookie" in english.headers and english.headers["Cache-Control"] == "private"


def test_init_db_renews_the_version_so_no_page_kept_before_is_served(app, client, make, db):
    product = make.product("Khóm Cầu Đúc")
    url = f"/products/{product.slug}"
    kept(client, url)
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    assert client.get(url).headers.get("X-Page-Cache") != HIT


def test_a_very_long_query_is_answered_but_not_kept(client, make, db):
    make.product("Khóm Cầu Đúc")
    url = "/products?q=khom&" + "&".join(f"x{n}=1" for n in range(80))
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    assert client.get(url).headers.get("X-Page-Cache") != HIT


def test_htmx_answers_and_languages_are_kept_apart(app, client, make, db):
    make.product("Khóm Cầu Đúc", name_en="Cầu Đúc pineapple", price=15_000)
    part = kept(client, "/products?q=khom", **{"HX-Request": "true"}).get_data(as_text=True)
    whole = kept(client, "/products?q=khom").get_data(as_text=True)
    assert "<html" not in part and "<html" in whole

    english = app.test_client()
    chosen = english.get("/products?lang=en")  # remembered in the session: not a kept page
    assert "Set-Cookie" in chosen.headers and chosen.headers.get("X-Page-Cache") != HIT
    assert "Cầu Đúc pineapple" in kept(english, "/products").get_data(as_text=True)
    assert "Cầu Đúc pineapple" not in kept(client, "/products").get_data(as_text=True)


def test_a_guest_with_a_cart_and_a_logged_in_buyer_get_their_own_pages(client, make, db):
    product = make.product("Khóm Cầu Đúc", price=15_000)
    url = f"/products/{product.slug}"
    kept(client, url)
    added = client.post(
        "/cart/add", data={"product_id": product.id, "quantity": 2}, headers={"HX-Request": "true"}
    )
    assert added.status_code == 200 and client.get_cookie("session") is not None
    mine = client.get(url)
    assert mine.headers.get("X-Page-Cache") != HIT and mine.headers["Cache-Control"] == "private"
    assert 'id="cart-count"' in mine.text and ">2</span>" in mine.text

    account = make.user(email="lan@example.vn")
    other = client.application.test_client()
    other.post("/login", data={"email": account.email, "password": TEST_PASSWORD})
    page = other.get(url)
    assert page.headers.get("X-Page-Cache") != HIT and "X-CSRFToken" in page.text
    assert other.get(url).headers.get("X-Page-Cache") != HIT


def test_a_guests_post_without_a_token_is_accepted_only_from_this_site(client, make, csrf_on):
    product = make.product("Khóm Cầu Đúc")

    def add(data=None, **headers):
        data = {"product_id": product.id, "quantity": 1, **(data or {})}
        return client.post("/cart/add", data=data, headers=headers).status_code

    assert add() == 400  # neither header: a script, not a browser
    assert add(**{"Sec-Fetch-Site": "cross-site"}) == 400
    assert add(**{"Sec-Fetch-Site": "same-site"}) == 400
    assert add(Origin="https://evil.example") == 400
    assert add(Origin="null") == 400
    # A sent token is checked, from this site too.
    assert add({"csrf_token": "forged"}, **{"Sec-Fetch-Site": "same-origin"}) == 400
    assert add(**{"Sec-Fetch-Site": "same-origin"}) in (302, 303)
    assert add(Origin="http://localhost") in (302, 303)


def test_a_page_from_before_the_login_reloads_itself_on_a_click(client, make, csrf_on):
    """The guest's kept page has no token; once logged in, a click on it (htmx) is refused,
    and htmx is told to reload the page, which then has the token."""
    product = make.product("Khóm Cầu Đúc")
    user = make.user(email="lan@example.vn")
    same_site = {"Sec-Fetch-Site": "same-origin"}
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD}, headers=same_site)
    refused = client.post(
        "/cart/add",
        data={"product_id": product.id, "quantity": 1},
        headers={**same_site, "HX-Request": "true"},
    )
    assert refused.status_code == 400 and refused.headers["HX-Refresh"] == "true"
    assert "X-CSRFToken" in client.get(f"/products/{product.slug}").text


def test_a_logged_in_person_always_needs_the_token(client, make, csrf_on):
    user = make.user(email="lan@example.vn")
    same_site = {"Sec-Fetch-Site": "same-origin"}
    logged_in = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD}, headers=same_site
    )
    assert logged_in.status_code in (302, 303)
    assert client.post("/logout", headers=same_site).status_code == 400
    assert client.get("/account").status_code == 200  # still logged in


# --- never stale: each change a page shows, read at once ------------------------------------


def test_a_new_price_and_the_last_unit_sold_are_on_the_pages_at_once(client, db, make):
    product = make.product("Khóm Cầu Đúc", stock=50, price=15_000)
    url = f"/products/{product.slug}"
    kept(client, url)
    kept(client, "/products")
    db.session.execute(update(Product).where(Product.id == product.id).values(price=18_000))
    db.session.commit()
    assert "18.000" in fresh(client, url) and "18.000" in fresh(client, "/products")

    kept(client, url)
    db.session.execute(update(Product).where(Product.id == product.id).values(stock=1))
    db.session.execute(update(Lot).where(Lot.product_id == product.id).values(units_left=1))
    db.session.commit()
    assert "Còn hàng: 1" in fresh(client, url)
    kept(client, url)
    kept(client, "/products")
    place(db.session.get(Product, product.id), make.user().id)  # the last unit, by checkout
    assert "Hết hàng" in fresh(client, url) and "Hết hàng" in fresh(client, "/products")


def test_a_new_rating_is_on_the_product_page_at_once(client, db, make, today):
    product = make.product("Khóm Cầu Đúc")
    url = f"/products/{product.slug}"
    assert "4 sao OCOP" not in kept(client, url).get_data(as_text=True)
    build_rating(
        product, criteria="1048", points_a=20, points_b=10, points_c=40,
        council_level=council_for("1048", stars_for_score(70), today),
        decision_number="12/QĐ-UBND", recognised_on=today,
    )  # fmt: skip
    db.session.commit()
    assert "4 sao OCOP" in fresh(client, url)


def test_a_hidden_review_leaves_the_product_page_at_once(client, db, delivered, buyer, make):  # noqa: F811
    _placed, order = delivered
    orders.confirm_receipt(order.id, buyer.id)
    review = write(order.lines[0].id, buyer.id, body="Khóm ngọt lịm, giao rất nhanh.")
    url = f"/products/{order.lines[0].product.slug}"
    assert "Khóm ngọt lịm" in kept(client, url).get_data(as_text=True)
    officer = make.user(role="admin")
    assert moderation.hide_review("product", review.id, officer.id, "Quảng cáo")
    assert "Khóm ngọt lịm" not in fresh(client, url)


def test_a_listing_changed_or_hidden_is_on_the_tourism_page_at_once(client, db, homestay, make):
    assert "Homestay Mương Đình" in kept(client, "/tourism").get_data(as_text=True)
    db.session.execute(
        update(Listing).where(Listing.id == homestay.id).values(title="Homestay Vườn Khóm")
    )
    db.session.commit()
    assert "Homestay Vườn Khóm" in fresh(client, "/tourism")
    kept(client, "/tourism")
    moderation.hide_listing(homestay.id, make.user(role="admin").id, "Sai địa chỉ")
    assert "Homestay Vườn Khóm" not in fresh(client, "/tourism")


def test_a_booth_taken_is_on_the_fair_page_at_once(client, db, fair, coop_user, today):  # noqa: F811
    url = f"/fairs/{fair.slug}"
    cooperative = coop_user("pub")
    assert "HTX pub" not in kept(client, url).get_data(as_text=True)
    booths.decide(ask(fair, "A1", cooperative, today).id, "approved")
    assert "HTX pub" in fresh(client, url)


def test_a_hold_ending_by_the_clock_ends_the_kept_page(client, db, fair, coop_user, monkeypatch):  # noqa: F811
    """No write marks the end of a hold: the fair page is kept until the hold ends, no longer."""
    import cachelib.simple

    from fairs import views as fair_views

    held = booth(fair, "A1")
    held.held_for_id, held.held_until = coop_user("cho").id, utcnow() + timedelta(minutes=5)
    db.session.commit()
    url = f"/fairs/{fair.slug}"
    assert 'class="booth booth-held"' in kept(client, url).get_data(as_text=True)
    later, after_the_hold = time.time() + 301, utcnow() + timedelta(seconds=301)
    monkeypatch.setattr(cachelib.simple, "time", lambda: later)
    monkeypatch.setattr(fair_views, "utcnow", lambda: after_the_hold)
    assert 'class="booth booth-held"' not in fresh(client, url)


def test_what_no_page_shows_leaves_the_kept_pages_alone(client, db, shop):  # noqa: F811
    _owner, _cooperative, product = shop
    url = f"/products/{product.slug}"
    kept(client, url)
    lot = db.session.scalar(select(Lot).where(Lot.product_id == product.id))
    trace.count_scan(lot.id)  # a scan of a lot's label
    db.session.commit()
    assert client.get(url).headers.get("X-Page-Cache") == HIT


# --- the version and its triggers -----------------------------------------------------------


def page_version(db) -> int:
    db.session.rollback()  # a new snapshot
    return db.session.execute(text("SELECT version FROM page_version")).scalar_one()


def test_a_change_bumps_the_version_in_its_own_transaction(db, make):
    before = page_version(db)
    product = make.product("Khóm Cầu Đúc")
    after = page_version(db)
    assert after > before
    product.price = 1
    db.session.flush()
    db.session.rollback()
    assert page_version(db) == after  # rolled back with the change


def tables_with_version_triggers(db) -> set[str]:
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(
            text(
                "SELECT event_object_table, string_agg(DISTINCT event_manipulation, ',') "
                "FROM information_schema.triggers WHERE trigger_name LIKE 'page_version_%' "
                "GROUP BY event_object_table"
            )
        )
        return {table for table, events in rows if events == "DELETE,INSERT,UPDATE"}
    rows = db.session.execute(
        text(
            "SELECT tbl_name, count(*) FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'page_version_%' GROUP BY tbl_name"
        )
    )
    return {table for table, count in rows if count == 3}


def test_every_table_a_page_shows_bumps_the_version_and_no_other(db):
    """A new table gets the triggers in its migration (core.page_cache.version_trigger_sql),
    or is named in TABLES_NOT_ON_PAGES; an SQLite batch copy of a table drops them."""
    tables = set(db.metadata.tables)
    assert tables >= TABLES_NOT_ON_PAGES
    assert tables_with_version_triggers(db) == tables - TABLES_NOT_ON_PAGES


# --- where the pages are kept ---------------------------------------------------------------


def cache_app(app, **config):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            **config,
        }
    )


def test_with_redis_the_pages_are_kept_in_redis(app, db, make):
    import redis

    url = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        not_available("Redis is not running on 127.0.0.1:6379 (apt-get install redis-server)")
    redis.Redis.from_url(url).flushdb()
    product = make.product("Khóm Cầu Đúc")
    served = cache_app(app, REDIS_URL=url).test_client()
    kept(served, f"/products/{product.slug}")
    assert redis.Redis.from_url(url).keys("ocop-page:*")


def test_with_redis_away_the_pages_are_rendered_as_without_a_cache(app, db, make):
    product = make.product("Khóm Cầu Đúc")
    served = cache_app(app, REDIS_URL="redis://127.0.0.1:1/0").test_client()  # nothing there
    for _ in range(2):
        page = served.get(f"/products/{product.slug}")
        assert page.status_code == 200 and "Khóm Cầu Đúc" in page.text
        assert page.headers.get("X-Page-Cache") != HIT


def test_the_cache_can_be_turned_off(app, db, make):
    product = make.product("Khóm Cầu Đúc")
    served = cache_app(app, PAGE_CACHE=False).test_client()
    for _ in range(2):
        page = served.get(f"/products/{product.slug}")
        assert page.status_code == 200 and "X-Page-Cache" not in page.headers


def test_a_date_on_the_page_is_part_of_the_key(client, make, db, monkeypatch):
    """A rating expires on a date: tomorrow's page is rendered again."""
    product = make.product("Khóm Cầu Đúc")
    url = f"/products/{product.slug}"
    kept(client, url)
    from core import clock

    tomorrow = clock.today() + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: tomorrow)
    assert client.get(url).headers.get("X-Page-Cache") != HIT


def test_a_new_deploy_keys_its_pages_apart(tmp_path):
    """Redis keeps pages across a rolling restart: the code's fingerprint is in the key."""
    from core.page_cache import code_fingerprint

    (tmp_path / "app.py").write_text("app = 1\n")
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "home.html"
    page.write_text("<p>Khóm</p>")
    before = code_fingerprint(tmp_path)
    page.write_text("<p>Khóm Cầu Đúc</p>")
    assert code_fingerprint(tmp_path) != before
