"""The marketplace's demo data: cooperatives, products, pictures and ratings."""

from datetime import timedelta

from sqlalchemy import select

from core.clock import today
from core.demo import fill_english, get_or_create, iso, seed_account, seed_places
from core.extensions import db
from core.models import Commune
from core.text import slugify
from marketplace.demo_data import (
    ACCOUNTS,
    COOPERATIVE_BRANDS,
    COOPERATIVE_STORIES_EN,
    COOPERATIVES,
    DEMO_GTINS,
    DEMO_PASSWORD,
    LOTS,
    PRODUCTS,
    PRODUCTS_EN,
)
from marketplace.demo_reviews import seed_product_reviews
from marketplace.gs1 import normalise_gtin
from marketplace.lots import add_lot
from marketplace.models import Cooperative, Product, ProductImage
from marketplace.products import add_product, product_search_text
from marketplace.profile import holder_name
from marketplace.ratings import build_rating


def has_products() -> bool:
    """The site has products already (`flask seed-demo --if-empty` then loads nothing)."""
    return db.session.query(Product.id).first() is not None


def seed_marketplace() -> None:
    districts = seed_places()
    communes = {(c.district_id, c.name): c for c in db.session.scalars(select(Commune)).all()}
    cooperatives = {}
    for key, (
        name,
        kind,
        district,
        commune,
        founded,
        phone,
        bank,
        account,
        story,
    ) in COOPERATIVES.items():
        place = districts[district]
        cooperatives[key], _ = get_or_create(
            Cooperative,
            {"slug": slugify(name)},
            name=name,
            kind=kind,
            district_id=place.id,
            commune_id=communes[(place.id, commune)].id,
            address=f"{commune}, {district}, Hậu Giang",
            phone=phone,
            founded_year=founded,
            approved=True,
            bank_bin=bank,
            bank_account=account,
            bank_account_name=holder_name(name),
            story=story,
            brand=COOPERATIVE_BRANDS.get(key),
        )
        fill_english(cooperatives[key], story_en=COOPERATIVE_STORIES_EN[key])
    for email, name, role, cooperative_key in ACCOUNTS:
        user = seed_account(email, name, role, DEMO_PASSWORD)
        if cooperative_key and cooperatives[cooperative_key].owner_id is None:
            cooperatives[cooperative_key].owner = user
    for row in PRODUCTS:
        _seed_product(cooperatives, *row)
    db.session.commit()
    seed_product_reviews()


def _seed_lots(product, shelf_days, area_code, standard, packings):
    for days_ago, units in packings:
        packed_on = today() - timedelta(days=days_ago)
        add_lot(
            product,
            quantity=units,
            packed_on=packed_on,
            expires_on=packed_on + timedelta(days=shelf_days) if shelf_days else None,
            area_code=area_code,
            standard=standard,
        )
    db.session.refresh(product)


def _seed_product(
    cooperatives,
    key,
    name,
    group,
    unit,
    price,
    _stock,  # its lots' (LOTS)
    picture,
    certs,
    flagship,
    description,
    ratings,
):
    slug = slugify(name)
    name_en, description_en = PRODUCTS_EN[name]
    seeded = db.session.scalar(select(Product).where(Product.slug == slug))
    if seeded is not None:
        # Seeded before it had English: given it, and indexed again to be found by it.
        fill_english(seeded, name_en=name_en, description_en=description_en)
        seeded.search_text = product_search_text(seeded)
        return
    product = add_product(
        cooperatives[key],
        name=name,
        slug=slug,
        group=group,
        unit=unit,
        price=price,
        certifications=certs,
        flagship=flagship,
        description=description,
        name_en=name_en,
        description_en=description_en,
        gtin=normalise_gtin(DEMO_GTINS.get(name, "")),
    )
    db.session.add(ProductImage(product=product, path=f"img/products/{picture}.svg", alt=name))
    if name in LOTS:
        _seed_lots(product, *LOTS[name])
    for criteria, a, b, c, level, decision, day in ratings:
        build_rating(
            product,
            criteria=criteria,
            points_a=a,
            points_b=b,
            points_c=c,
            council_level=level,
            decision_number=decision,
            recognised_on=iso(day),
        )
