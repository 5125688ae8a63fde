"""Search engines and sharing: robots.txt, sitemap.xml, canonical URLs, Open Graph and
schema.org JSON-LD, checked by parsing the pages."""

import json
import re
from datetime import time, timedelta
from xml.etree import ElementTree

import pytest

from fairs import booths
from tourism.models import Listing


def json_ld(body: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    return [json.loads(block) for block in blocks]


@pytest.fixture()
def world(db, make, today):
    cooperative = make.cooperative("HTX Kỳ Như", founded_year=2016, phone="0913456781")
    product = make.product("Cá thát lát <rút xương>", cooperative, price=185000, stock=3,
                           rating=("148", 38, 23, 32, today - timedelta(days=10)))  # fmt: skip
    tour = Listing(host=cooperative, kind="tour", slug="tour-ca", title="Thăm trại cá",
                   title_en="Fish farm visit", district_id=cooperative.district_id, price=100_000,
                   capacity=10, max_guests=5, start_time=time(9))  # fmt: skip
    stay = Listing(host=cooperative, kind="homestay", slug="homestay-ca", title="Homestay cá",
                   district_id=cooperative.district_id, price=500_000, capacity=2, max_guests=2)  # fmt: skip
    db.session.add_all([tour, stay])
    db.session.commit()
    fair = booths.create_fair(rows=1, cols=2, pattern="{row}{col}", zone="", size="", price=0,
                             name="Hội chợ OCOP", venue="Vị Thanh", address="Vị Thanh",
                             starts_on=today + timedelta(days=9), ends_on=today + timedelta(days=10),
                             registration_deadline=today + timedelta(days=2))  # fmt: skip
    db.session.commit()
    return cooperative, product, fair


def test_robots_and_sitemap(client, world):
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /admin" in robots and "Sitemap: http://localhost/sitemap.xml" in robots
    xml = client.get("/sitemap.xml")
    assert xml.mimetype == "application/xml"
    locs = {el.text for el in ElementTree.fromstring(xml.data).iter() if el.tag.endswith("loc")}
    cooperative, product, fair = world
    assert {
        f"http://localhost/products/{product.slug}",
        f"http://localhost/cooperatives/{cooperative.slug}",
        "http://localhost/tourism/tour-ca",
        "http://localhost/tourism/homestay-ca",
        f"http://localhost/fairs/{fair.slug}",
    } <= locs


def test_product_page_has_product_with_offer(client, world):
    _cooperative, product, _fair = world
    body = client.get(f"/products/{product.slug}").get_data(as_text=True)
    (data,) = json_ld(body)
    assert data["@type"] == "Product" and data["name"] == "Cá thát lát <rút xương>"
    assert data["offers"]["price"] == 185000 and data["offers"]["priceCurrency"] == "VND"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert "</script><" not in body.split("ld+json")[1].split("</script>")[0]
    assert f'<link rel="canonical" href="http://localhost/products/{product.slug}">' in body
    assert '<meta property="og:type" content="product">' in body
    assert '<meta name="description"' in body
    assert data["brand"] == {"@type": "Organization", "name": "HTX Kỳ Như"}


def test_a_registered_brand_is_the_products_brand(client, db, world):
    cooperative, product, _fair = world
    cooperative.brand = "Cá Kỳ Như"
    db.session.commit()
    (data,) = json_ld(client.get(f"/products/{product.slug}").get_data(as_text=True))
    assert data["brand"] == {"@type": "Brand", "name": "Cá Kỳ Như"}


def test_cooperative_listing_and_fair_types(client, world):
    cooperative, _product, fair = world
    assert (
        json_ld(client.get(f"/cooperatives/{cooperative.slug}").get_data(as_text=True))[0]["@type"]
        == "Organization"
    )
    tour = json_ld(client.get("/tourism/tour-ca?lang=en").get_data(as_text=True))[0]
    assert tour["@type"] == "TouristTrip" and tour["name"] == "Fish farm visit"
    stay = json_ld(client.get("/tourism/homestay-ca").get_data(as_text=True))[0]
    assert stay["@type"] == "LodgingBusiness"
    event = json_ld(client.get(f"/fairs/{fair.slug}").get_data(as_text=True))[0]
    assert event["@type"] == "Event" and event["startDate"] == fair.starts_on.isoformat()


def test_canonical_drops_the_language_switch(client, world):
    body = client.get("/products?q=khom&lang=en").get_data(as_text=True)
    assert '<link rel="canonical" href="http://localhost/products?q=khom">' in body


def test_canonical_keeps_the_address_s_own_argument(client, world):
    """?slug= on /products/<slug>: the page's own slug, not a 500."""
    _cooperative, product, _fair = world
    response = client.get(f"/products/{product.slug}?slug=other&q=khom")
    assert response.status_code == 200
    canonical = f'<link rel="canonical" href="http://localhost/products/{product.slug}?q=khom">'
    assert canonical in response.get_data(as_text=True)
