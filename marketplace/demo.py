"""The marketplace's demo data: cooperatives, products, pictures and ratings."""

from sqlalchemy import select

from core.demo import get_or_create, iso, seed_account, seed_places
from core.extensions import db
from core.models import Commune
from core.text import slugify
from marketplace.demo_data import ACCOUNTS, COOPERATIVES, DEMO_PASSWORD, PRODUCTS
from marketplace.models import Cooperative, Product, ProductImage
from marketplace.products import add_product
from marketplace.ratings import build_rating


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
            bank_account_name=name.upper(),
            story=story,
        )
    for email, name, role, cooperative_key in ACCOUNTS:
        user = seed_account(email, name, role, DEMO_PASSWORD)
        if cooperative_key and cooperatives[cooperative_key].owner_id is None:
            cooperatives[cooperative_key].owner = user
    for row in PRODUCTS:
        _seed_product(cooperatives, *row)
    db.session.commit()


def _seed_product(
    cooperatives,
    key,
    name,
    group,
    unit,
    price,
    stock,
    picture,
    certs,
    flagship,
    description,
    ratings,
):
    slug = slugify(name)
    if db.session.scalar(select(Product.id).where(Product.slug == slug)):
        return
    product = add_product(
        cooperatives[key],
        name=name,
        slug=slug,
        group=group,
        unit=unit,
        price=price,
        stock=stock,
        certifications=certs,
        flagship=flagship,
        description=description,
    )
    db.session.add(ProductImage(product=product, path=f"img/products/{picture}.svg", alt=name))
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


def seed_fairs(today) -> None:
    """An upcoming fair with a few exhibitors, and a past one. Dates follow today, so the
    demo always has a fair ahead."""
    from datetime import timedelta

    from marketplace.fair_models import BoothRequest, Fair
    from marketplace.fairs import create_fair

    fairs = [
        ("Hội chợ OCOP Hậu Giang", "Quảng trường Bảy Ngàn", "Đường Trần Hưng Đạo, TP Vị Thanh",
         today + timedelta(days=40), 4, 6, "Trưng bày, bán và kết nối tiêu thụ sản phẩm OCOP của "
         "tám huyện, thị, thành phố; hội thảo về bao bì và truy xuất nguồn gốc."),
        ("Phiên chợ nông sản OCOP Ngã Bảy", "Chợ nổi Ngã Bảy", "Phường Ngã Bảy, TP Ngã Bảy",
         today - timedelta(days=120), 2, 5, "Phiên chợ cuối tuần giới thiệu trái cây và đặc sản "
         "OCOP bên chợ nổi."),
    ]  # fmt: skip
    for name, venue, address, starts, rows, cols, description in fairs:
        if db.session.scalar(select(Fair.id).where(Fair.name == name)):
            continue
        fair = create_fair(
            rows=rows, cols=cols, pattern="{row}{col}", zone="Nông sản và thực phẩm",
            size="3 × 3 m", price=1_500_000, name=name, venue=venue, address=address,
            starts_on=starts, ends_on=starts + timedelta(days=4),
            registration_deadline=starts - timedelta(days=10), description=description,
        )  # fmt: skip
        db.session.flush()
        exhibitors = ("htx-ky-nhu", "htx-khom-cau-duc-hoa-tien", "htx-chanh-khong-hat-dong-phuoc")
        for booth, slug in zip(fair.booths[:3], exhibitors, strict=True):
            cooperative = db.session.scalar(select(Cooperative).where(Cooperative.slug == slug))
            db.session.add(
                BoothRequest(
                    fair_id=fair.id,
                    booth_id=booth.id,
                    cooperative_id=cooperative.id,
                    status="approved",
                    contact_person=cooperative.name,
                    contact_phone=cooperative.phone,
                    products=cooperative.products[:3],
                )
            )
    db.session.commit()
