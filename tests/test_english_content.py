"""English content (issue 16): every public page read in English shows the seeded English
wherever there is one, and marks the Vietnamese where there is none; search finds a product
by its English words as by its Vietnamese ones; the editors save the English.

The pages are compared with what the demo data seeded (read back from the database), not with
a list written here: a new seeded text with an English version is checked as soon as it is
seeded."""

import html
import importlib.util
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from core.i18n import localized, localized_html
from core.models import Commune, District
from core.places import HAU_GIANG
from fairs.models import Fair
from marketplace.models import Cooperative, Product
from marketplace.products import product_search_text
from tests.conftest import TEST_PASSWORD
from tourism.models import Listing

# What an English-speaking tourist types (issue 16).
ENGLISH_WORDS = [
    "pineapple",
    "lime",
    "featherback",
    "pomelo",
    "honey",
    "rice",
    "mushroom",
    "basket",
]

# A Vietnamese text this long or longer is looked for by its beginning too: a card shows a
# long text shortened.
PREFIX = 50


def seed(app):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0


def page_text(response) -> str:
    assert response.status_code == 200, response.request.path
    return html.unescape(response.get_data(as_text=True))


def card_titles(response) -> list[str]:
    body = response.get_data(as_text=True)
    return [
        html.unescape(re.sub(r"<[^>]+>", "", title)).strip()
        for title in re.findall(r'class="card-title">(.*?)</h[23]>', body, re.S)
    ]


def pairs(db) -> list[tuple[str, str, str]]:
    """(what, Vietnamese, English) of every seeded text that has its English version."""
    fields = [
        (Product, ["name", "description"]),
        (Cooperative, ["story"]),
        (Fair, ["name", "description"]),
        (Listing, ["title", "description", "included", "meeting_point", "what_to_bring"]),
        (District, ["name"]),
        (Commune, ["name"]),
    ]
    found = []
    for model, names in fields:
        for row in db.session.scalars(select(model)):
            for name in names:
                vietnamese, english = getattr(row, name), getattr(row, f"{name}_en")
                if vietnamese and english and vietnamese != english:
                    found.append((f"{model.__name__}.{name} #{row.id}", vietnamese, english))
    return found


def proper_names(app, db) -> list[str]:
    """Texts with no English version a page rightly shows as they are: names of cooperatives,
    postal addresses (the office's in the footer), venues. Taken out of a page before it is
    searched for Vietnamese (a cooperative's name holds its product's: HTX Khóm Cầu Đúc Hỏa
    Tiến; an address its district's)."""
    names = [app.config["OFFICE_CONTACT"]["address"]]
    for cooperative in db.session.scalars(select(Cooperative)):
        names += [cooperative.name, cooperative.address, cooperative.pickup_address]
    for fair in db.session.scalars(select(Fair)):
        names += [fair.venue, fair.address]
    return sorted({n for n in names if n}, key=len, reverse=True)


def vietnamese_left(text: str, found, names) -> list[str]:
    for name in names:
        text = text.replace(name, " ")
    left = []
    for what, vietnamese, _english in found:
        needles = {vietnamese} | ({vietnamese[:PREFIX]} if len(vietnamese) > PREFIX else set())
        if any(needle in text for needle in needles):
            left.append(f"{what}: {vietnamese[:60]}")
    return left


def public_pages(db) -> list[str]:
    pages = ["/", "/products", "/products?page=2", "/products?q=khom", "/cooperatives"]
    pages += ["/tourism", "/fairs"]
    pages += [f"/products/{slug}" for slug in db.session.scalars(select(Product.slug))]
    pages += [f"/cooperatives/{slug}" for slug in db.session.scalars(select(Cooperative.slug))]
    pages += [f"/fairs/{slug}" for slug in db.session.scalars(select(Fair.slug))]
    pages += [f"/tourism/{slug}" for slug in db.session.scalars(select(Listing.slug))]
    return pages


# --- the demo data ---------------------------------------------------------------------------


def test_every_seeded_text_has_its_english(app, db):
    seed(app)
    missing = []
    for model, names in [
        (Product, ["name", "description"]),
        (Cooperative, ["story"]),
        (Fair, ["name", "description"]),
        (Listing, ["title", "description", "included", "meeting_point"]),
        (District, ["name"]),
        (Commune, ["name"]),
    ]:
        for row in db.session.scalars(select(model)):
            for name in names:
                if getattr(row, name) and not getattr(row, f"{name}_en"):
                    missing.append(f"{model.__name__}.{name}: {getattr(row, name)}")
    assert missing == []
    # Place names keep the proper name's diacritics, as English guidebooks do.
    districts = {d.name: d.name_en for d in db.session.scalars(select(District))}
    assert districts["Huyện Phụng Hiệp"] == "Phụng Hiệp District"
    assert districts["TP Vị Thanh"] == "Vị Thanh City"
    communes = {c.name: c.name_en for c in db.session.scalars(select(Commune))}
    assert communes["Xã Hỏa Tiến"] == "Hỏa Tiến Commune"
    assert communes["Thị trấn Ngã Sáu"] == "Ngã Sáu Township"


def test_seeding_an_older_demo_database_gives_it_the_english(app, db):
    """A database seeded before the English existed: seed-demo fills it in and indexes it
    again; English someone wrote since is kept."""
    seed(app)
    pineapple = db.session.scalar(select(Product).where(Product.slug == "khom-cau-duc"))
    db.session.execute(update(Product).values(name_en="", description_en=""))
    db.session.execute(update(Cooperative).values(story_en=""))
    db.session.execute(update(District).values(name_en=""))
    db.session.execute(update(Listing).values(meeting_point_en=""))
    db.session.execute(update(Fair).values(name_en="", description_en=""))
    db.session.execute(
        update(Product).where(Product.id == pineapple.id).values(name_en="Our own pineapple")
    )
    for product in db.session.scalars(select(Product)):
        product.search_text = product_search_text(product)
    db.session.commit()
    assert (
        db.session.scalar(select(Product.id).where(Product.search_text.contains("honey"))) is None
    )

    seed(app)
    db.session.expire_all()
    assert db.session.get(Product, pineapple.id).name_en == "Our own pineapple"
    assert db.session.scalar(select(Product.id).where(Product.search_text.contains("honey")))
    assert all(d.name_en for d in db.session.scalars(select(District)))
    assert all(c.story_en for c in db.session.scalars(select(Cooperative)))
    assert all(f.name_en and f.description_en for f in db.session.scalars(select(Fair)))
    assert all(x.meeting_point_en for x in db.session.scalars(select(Listing)) if x.meeting_point)


# --- the pages ---------------------------------------------------------------------------------


def test_every_public_page_in_english_shows_the_english_not_the_vietnamese(app, db, client):
    seed(app)
    found, names = pairs(db), proper_names(app, db)
    assert len(found) > 100  # products, stories, fairs, listings and places, both fields
    problems, english_seen = {}, set()
    client.get("/?lang=en")
    for url in public_pages(db):
        text = page_text(client.get(url))
        assert 'class="vi-only"' not in text, url  # everything seeded has its English
        if left := vietnamese_left(text, found, names):
            problems[url] = left
        english_seen |= {english for _w, _v, english in found if english in text}
    assert problems == {}
    # The pages did show the English (a page showing neither language would pass above).
    for what, _vietnamese, english in found:
        if what.startswith(("Product.name", "Fair.name", "Listing.title", "District.name")):
            assert english in english_seen, what


def test_the_same_pages_in_vietnamese_show_the_vietnamese(app, db, client):
    seed(app)
    pineapple = db.session.scalar(select(Product).where(Product.slug == "khom-cau-duc"))
    text = page_text(client.get(f"/products/{pineapple.slug}?lang=vi"))
    assert pineapple.name in text and pineapple.description in text
    assert pineapple.name_en not in text and pineapple.description_en not in text
    assert pineapple.district.name in text and pineapple.district.name_en not in text


def test_a_text_without_english_is_shown_in_vietnamese_and_marked(app, db, client, make, today):
    from datetime import time, timedelta

    from fairs.booths import create_fair

    district = make.district("Huyện Thử Nghiệm")
    cooperative = make.cooperative("HTX Chưa Dịch", district=district, story="Chuyện chưa dịch.")
    product = make.product("Khô cá chưa dịch", cooperative, description="Chưa có bản tiếng Anh.")
    fair = create_fair(
        rows=1, cols=2, pattern="{row}{col}", zone="", size="", price=0, name="Hội chợ chưa dịch",
        venue="Vị Thanh", address="TP Vị Thanh", starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=31), registration_deadline=today + timedelta(days=20),
        description="Giới thiệu chưa dịch.",
    )  # fmt: skip
    listing = Listing(
        host=cooperative, kind="tour", slug="tour-chua-dich", title="Tour chưa dịch",
        title_en="An untranslated tour", district_id=district.id, price=100_000, capacity=5,
        max_guests=2, start_time=time(7, 0), duration_minutes=60, meeting_point="Bến chưa dịch",
    )  # fmt: skip
    db.session.add(listing)
    db.session.commit()
    with app.test_request_context("/?lang=en"), force_locale("en"):
        marker = _("(chỉ có tiếng Việt)")
    for url, texts in [
        (f"/products/{product.slug}", [product.name, product.description, district.name]),
        (f"/cooperatives/{cooperative.slug}", [cooperative.story, product.name]),
        ("/products", [product.name]),
        (f"/products?q={product.slug.replace('-', '+')}", [product.name]),
        ("/cooperatives", [cooperative.story]),
        (f"/fairs/{fair.slug}", [fair.name, fair.description]),
        ("/fairs", [fair.name]),
        (f"/tourism/{listing.slug}", [listing.meeting_point, district.name]),
        ("/tourism", [district.name]),
    ]:
        body = client.get(f"{url}{'&' if '?' in url else '?'}lang=en").get_data(as_text=True)
        for vietnamese in texts:
            marked = f'<span lang="vi">{vietnamese}</span> <span class="vi-only">{marker}</span>'
            assert marked in body, (url, vietnamese)
    # The Vietnamese page marks nothing.
    body = client.get(f"/products/{product.slug}?lang=vi").get_data(as_text=True)
    assert 'class="vi-only"' not in body and product.name in body


def test_a_lazy_subject_names_the_fair_in_the_language_it_is_read_in(app):
    from types import SimpleNamespace

    from flask_babel import lazy_gettext

    from core.i18n import InReadersLanguage

    fair = SimpleNamespace(name="Hội chợ OCOP Hậu Giang", name_en="Hậu Giang OCOP Fair")
    subject = lazy_gettext("Có gian hàng trống tại %(fair)s", fair=InReadersLanguage(fair, "name"))
    with app.app_context():  # made once, read in each recipient's language
        with force_locale("en"):
            assert str(subject) == "A booth is available at Hậu Giang OCOP Fair"
        with force_locale("vi"):
            assert str(subject) == "Có gian hàng trống tại Hội chợ OCOP Hậu Giang"


def test_localized_prefers_english_only_for_english_readers(app, db, make):
    product = make.product("Khóm", name_en="Pineapple")
    bare = make.product("Khóm mật")
    with app.test_request_context("/?lang=en"), force_locale("en"):
        assert localized(product, "name") == "Pineapple"
        assert localized(bare, "name") == "Khóm mật"
        assert str(localized_html(product, "name")) == "Pineapple"
        assert 'lang="vi">Khóm mật</span>' in str(localized_html(bare, "name"))
        assert localized(None, "name") == ""
    with app.test_request_context("/?lang=vi"), force_locale("vi"):
        assert localized(product, "name") == "Khóm"
        assert str(localized_html(bare, "name")) == "Khóm mật"
    # Escaped like any text in a page.
    risky = make.product("Khóm <b>", name_en="")
    with app.test_request_context("/?lang=en"), force_locale("en"):
        assert "<b>" not in str(localized_html(risky, "name"))


# --- search ------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ENGLISH_WORDS)
def test_each_english_word_finds_its_products(app, db, client, word):
    seed(app)
    expected = {
        p.name_en for p in db.session.scalars(select(Product)) if word in p.name_en.casefold()
    }
    assert expected, f"no seeded product has {word!r} in its English name"
    found = card_titles(client.get(f"/products?q={word}&lang=en"))
    assert expected <= set(found), (word, found)
    # Those named so come first.
    assert set(found[: len(expected)]) == expected


def test_accent_free_vietnamese_still_finds_in_both_languages(app, db, client):
    seed(app)
    pineapple = db.session.scalar(select(Product).where(Product.slug == "khom-cau-duc"))
    assert pineapple.name_en in card_titles(client.get("/products?q=khom+cau+duc&lang=en"))
    assert card_titles(client.get("/products?q=khom+cau+duc&lang=vi"))[0] == pineapple.name
    assert pineapple.name in card_titles(client.get("/products?q=Kh%C3%B3m+C%E1%BA%A7u&lang=vi"))
    # The English name, typed in any case, on the Vietnamese page too.
    assert pineapple.name in card_titles(client.get("/products?q=PINEAPPLE&lang=vi"))


def test_a_place_typed_as_the_english_page_names_it_finds_what_grows_there(app, db, client):
    seed(app)
    pineapple = db.session.scalar(select(Product).where(Product.slug == "khom-cau-duc"))
    origin = pineapple.commune.name_en  # "Hỏa Tiến Commune", as the product's page says
    assert origin.endswith("Commune")
    assert pineapple.name_en in card_titles(client.get(f"/products?q={origin}&lang=en"))
    assert pineapple.name_en in card_titles(client.get("/products?q=hoa+tien+commune&lang=en"))


# --- the migration ----------------------------------------------------------------------------


def _migration():
    path = next(Path("migrations/versions").glob("0559407459b3_*.py"))
    spec = importlib.util.spec_from_file_location("english_content_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_reindexes_products_as_the_code_does(app, db, make):
    """A real database upgraded: every product's search_text recomputed, in the composition
    product_search_text uses today (both languages)."""
    commune = make.commune(make.district("Huyện Phụng Hiệp"), "Xã Thạnh Hòa")
    cooperative = make.cooperative("HTX Kỳ Như", district=commune.district, commune=commune)
    product = make.product(
        "Cá thát lát", cooperative, name_en="Featherback fish", description="Rút xương.",
        description_en="Boneless.", certifications="HACCP", commune_id=commune.id,
    )  # fmt: skip
    db.session.execute(update(Product).values(search_text="stale"))
    db.session.commit()
    _migration().reindex(db.session.connection())
    db.session.commit()
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert product.search_text == product_search_text(product)
    assert "featherback" in product.search_text and "ca that lat" in product.search_text


def test_the_migration_names_the_places_as_core_places_does(app, db):
    migration = _migration()
    for name, name_en, _kind, communes in HAU_GIANG:
        assert migration.DISTRICTS_EN[name] == name_en
        for commune, commune_en in communes:
            assert migration._commune_en(commune) == commune_en


# --- the editors ------------------------------------------------------------------------------


def login(client, email, password=TEST_PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, "login failed"


def test_the_cooperative_writes_a_product_in_english(app, db, client, make):
    from core.submissions import new_form_token

    owner = make.user(email="htx@example.vn", role="cooperative")
    make.cooperative("HTX Khóm Mật", owner=owner)
    login(client, owner.email)
    form = {
        "form_token": new_form_token(), "name": "Khóm mật", "name_en": "Honey pineapple",
        "group": "food", "unit": "trái", "price": "25.000", "stock": "40",
        "description": "Khóm ngọt.", "description_en": "A sweet pineapple.", "certifications": "",
    }  # fmt: skip
    assert client.post("/dashboard/products/new", data=form).status_code == 302
    product = db.session.scalar(select(Product).where(Product.name == "Khóm mật"))
    assert (product.name_en, product.description_en) == ("Honey pineapple", "A sweet pineapple.")
    edit = page_text(client.get(f"/dashboard/products/{product.id}/edit"))
    assert 'value="Honey pineapple"' in edit and "A sweet pineapple." in edit
    assert "Honey pineapple" in card_titles(client.get("/products?q=honey&lang=en"))

    form.update(name_en="Honey-sweet pineapple", description_en="")
    assert client.post(f"/dashboard/products/{product.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert product.name_en == "Honey-sweet pineapple" and product.description_en == ""
    text = page_text(client.get(f"/products/{product.slug}?lang=en"))
    assert "Honey-sweet pineapple" in text and "Khóm ngọt." in text  # the description, marked
    too_long = client.post(
        f"/dashboard/products/{product.id}/edit", data={**form, "name_en": "x" * 161}
    )
    assert too_long.status_code == 200 and "x" * 161 in too_long.get_data(as_text=True)


def test_the_cooperative_writes_its_story_in_english(app, db, client, make):
    owner = make.user(email="htx@example.vn", role="cooperative")
    cooperative = make.cooperative("HTX Khóm Mật", owner=owner)
    login(client, owner.email)
    form = {
        "story": "Khóm trồng trên đất phèn.", "story_en": "Pineapple grown on acid soil.",
        "pickup_address": "", "phone": "0912345678", "zalo_phone": "", "bank_bin": "",
        "bank_account": "", "bank_account_name": "", "password": TEST_PASSWORD,
    }  # fmt: skip
    assert client.post("/dashboard/profile", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Cooperative, cooperative.id).story_en == "Pineapple grown on acid soil."
    assert "Pineapple grown on acid soil." in page_text(client.get("/dashboard/profile"))
    text = page_text(client.get(f"/cooperatives/{cooperative.slug}?lang=en"))
    assert "Pineapple grown on acid soil." in text and "Khóm trồng trên đất phèn." not in text


def test_the_office_writes_a_fair_in_english(app, db, client, make, today):
    from tests.test_fairs import _new_fair_form

    make.user(email="admin@example.vn", role="admin")
    login(client, "admin@example.vn")
    form = _new_fair_form(today) | {
        "name_en": "Spring Fair",
        "description": "Trưng bày sản phẩm.",
        "description_en": "Products on show.",
    }
    assert client.post("/admin/fairs/new", data=form).status_code == 302
    fair = db.session.scalar(select(Fair))
    assert (fair.name_en, fair.description_en) == ("Spring Fair", "Products on show.")
    form.update(name_en="The Spring Fair")
    assert client.post(f"/admin/fairs/{fair.id}/edit", data=form).status_code == 302
    assert 'value="The Spring Fair"' in page_text(client.get(f"/admin/fairs/{fair.id}/edit"))
    text = page_text(client.get(f"/fairs/{fair.slug}?lang=en"))
    assert "The Spring Fair" in text and "Products on show." in text
    assert "Hội chợ Xuân" not in text


def test_the_host_writes_the_meeting_point_in_english(app, db, client, make):
    owner = make.user(email="host@example.vn", role="cooperative")
    make.cooperative("HTX Du Lịch Hỏa Tiến", owner=owner, kind="household")
    login(client, owner.email)
    form = {
        "kind": "tour", "title": "Tour xuồng kênh Xà No", "title_en": "Xà No canal boat tour",
        "description": "Chèo xuồng dọc kênh.", "description_en": "Row along the canal.",
        "price": "200.000", "capacity": "8", "max_guests": "4", "start_time": "07:30",
        "duration_minutes": "150", "meeting_point": "Bến xuồng Vị Thanh",
        "meeting_point_en": "Vị Thanh boat landing", "languages": "Tiếng Việt, English",
        "free_cancel_days": "2", "late_cancel_fee_percent": "50", "active": "y",
    }  # fmt: skip
    assert client.post("/dashboard/tourism/new", data=form).status_code == 302
    listing = db.session.scalar(select(Listing))
    assert listing.meeting_point_en == "Vị Thanh boat landing"
    edit = page_text(client.get(f"/dashboard/tourism/{listing.id}/edit"))
    assert 'value="Vị Thanh boat landing"' in edit
    text = page_text(client.get(f"/tourism/{listing.slug}?lang=en"))
    assert "Vị Thanh boat landing" in text and "Bến xuồng Vị Thanh" not in text
    text = page_text(client.get(f"/tourism/{listing.slug}?lang=vi"))
    assert "Bến xuồng Vị Thanh" in text
