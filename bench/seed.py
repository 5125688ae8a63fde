"""Fill a database with a large catalogue for the benchmark: N products, M cooperatives."""

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, update

from core.extensions import db
from core.models import Commune, District
from core.text import fold, slugify
from marketplace.demo import seed_marketplace
from marketplace.lots import new_trace_code
from marketplace.models import (
    Checkout,
    Cooperative,
    Lot,
    OcopRating,
    Order,
    OrderLine,
    OrderLineLot,
    Product,
    ProductImage,
)
from marketplace.ratings import council_for, stars_for_score, valid_until_for

KINDS = [
    ("Khóm Cầu Đúc", "food", "trái", 15000, "pineapple"),
    ("Chanh không hạt", "food", "kg", 22000, "lime-tray"),
    ("Cá thát lát rút xương", "food", "kg", 185000, "featherback-fillet"),
    ("Gạo sạch", "food", "túi", 120000, "rice-bag"),
    ("Nấm bào ngư tẩm gia vị", "food", "hộp", 45000, "mushroom-jar"),
    ("Lạp xưởng", "food", "gói", 110000, "sausage"),
    ("Khô cá sặc", "food", "kg", 250000, "dried-gourami"),
    ("Giỏ lục bình", "handicraft", "cái", 120000, "hyacinth-basket"),
    ("Trà mãng cầu", "beverage", "hộp", 70000, "soursop-tea"),
    ("Bưởi Năm Roi", "food", "kg", 35000, "pomelo-nam-roi"),
    ("Rượu gấc", "beverage", "chai", 150000, "gac-wine"),
    ("Mật ong tràm", "food", "chai", 160000, "honey"),
    ("Trà khổ qua", "herbal", "gói", 50000, "herbal-tea"),
    ("Lan Dendro", "ornamental", "chậu", 180000, "orchid"),
]
GRADES = ["loại 1", "đặc biệt", "hữu cơ", "gia đình", "quà tặng", "truyền thống", "sấy", "tươi"]

# Where the bench's orders go: real wards of their provinces (core.provinces).
DESTINATIONS = [
    ("Cần Thơ", "Phường Vị Thanh"),
    ("An Giang", "Phường Long Xuyên"),
    ("Hồ Chí Minh", "Phường Sài Gòn"),
]


def seed_large_catalogue(products: int, cooperatives: int, seed: int = 603) -> None:
    rng = random.Random(seed)
    seed_marketplace()
    districts = db.session.scalars(select(District)).all()
    communes = db.session.scalars(select(Commune)).all()
    coop_rows = []
    for n in range(cooperatives):
        commune = rng.choice(communes)
        name = f"HTX Thử nghiệm {n + 1:04d}"
        coop_rows.append(
            {
                "name": name,
                "slug": slugify(name),
                "kind": "cooperative",
                "district_id": commune.district_id,
                "commune_id": commune.id,
                "address": commune.name,
                "phone": "0912345678",
                "story": "Hợp tác xã dùng cho phép đo tốc độ.",
                "approved": True,
            }
        )
    db.session.execute(insert(Cooperative), coop_rows)
    coops = db.session.execute(
        select(Cooperative.id, Cooperative.name, Cooperative.district_id).where(
            Cooperative.slug.like("htx-thu-nghiem-%")
        )
    ).all()
    district_names = {d.id: d.name for d in districts}
    today = date.today()
    product_rows, rated = [], []
    for n in range(products):
        kind, group, unit, price, picture = KINDS[n % len(KINDS)]
        coop = coops[n % len(coops)]
        name = f"{kind} {rng.choice(GRADES)} {n + 1:05d}"
        points = rng.randint(45, 98) if rng.random() < 0.7 else None
        recognised = today - timedelta(days=rng.randint(10, 1500))
        product_rows.append(
            {
                "cooperative_id": coop.id,
                "name": name,
                "slug": slugify(name),
                "group": group,
                "description": f"{kind} đặc sản Hậu Giang, sản phẩm thử nghiệm số {n + 1}.",
                "unit": unit,
                "price": price + rng.randint(0, 20) * 1000,
                "stock": rng.choice([0, 5, 20, 100, 400]),
                "district_id": coop.district_id,
                "search_text": fold(f"{name} {coop.name} {district_names[coop.district_id]}"),
                "listed": True,
                "stars": stars_for_score(points)
                if points and valid_until_for(recognised) >= today
                else 0,
                "stars_valid_until": valid_until_for(recognised) if points else None,
            }
        )
        rated.append((points, recognised, picture))
    db.session.execute(insert(Product), product_rows)
    ids = db.session.scalars(
        select(Product.id).where(Product.description.like("%thử nghiệm số%")).order_by(Product.id)
    ).all()
    images, ratings = [], []
    for product_id, (points, recognised, picture) in zip(ids, rated, strict=True):
        images.append({"product_id": product_id, "path": f"img/products/{picture}.svg"})
        if points:
            a = min(40, points * 40 // 100)
            b = min(25, points * 25 // 100)
            ratings.append(
                {
                    "product_id": product_id,
                    "criteria": "148",
                    "points_a": a,
                    "points_b": b,
                    "points_c": points - a - b,
                    "total": points,
                    "stars": stars_for_score(points),
                    "council_level": council_for("148", stars_for_score(points), recognised),
                    "decision_number": f"{product_id}/QĐ-UBND",
                    "recognised_on": recognised,
                    "valid_until": valid_until_for(recognised),
                }
            )
    db.session.execute(insert(ProductImage), images)
    db.session.execute(insert(OcopRating), ratings)
    db.session.execute(insert(Lot), _bench_lots(ids, product_rows, today))
    db.session.commit()


# A bench product's one lot: its stock left, out of units enough for the orders' history.
BENCH_LOT_UNITS = 10_000


def _bench_lots(product_ids, product_rows, today: date) -> list[dict]:
    """One lot per bench product, holding its stock (Product.stock == its lot's units left)."""
    return [
        {
            "product_id": product_id,
            "code": "BENCH-1",
            "trace_code": new_trace_code(),
            "quantity": row["stock"] + BENCH_LOT_UNITS,
            "units_left": row["stock"],
            "packed_on": today - timedelta(days=730),
        }
        for product_id, row in zip(product_ids, product_rows, strict=True)
    ]


BUSY_COOPERATIVE = "htx-ky-nhu"  # the bench logs in as its owner; it gets BUSY_SHARE of orders
BUSY_SHARE = 0.1
BATCH = 5000


def seed_orders(count: int, seed: int = 603) -> None:
    """`count` orders of the last two years, one checkout each, with one to three lines, each
    line's units taken from its product's lot (order_line_lots, as a recall reads them)."""
    rng = random.Random(seed)
    products = db.session.execute(
        select(Product.id, Product.cooperative_id, Product.name, Product.unit, Product.price)
    ).all()
    by_cooperative: dict[int, list] = {}
    for product in products:
        by_cooperative.setdefault(product.cooperative_id, []).append(product)
    # The first lot of each product (the bench's own, or the demo's first packing).
    lot_of = dict(
        db.session.execute(select(Lot.product_id, func.min(Lot.id)).group_by(Lot.product_id)).all()
    )
    busy = db.session.scalar(select(Cooperative.id).where(Cooperative.slug == BUSY_COOPERATIVE))
    cooperatives = list(by_cooperative)
    now = datetime.now(UTC).replace(tzinfo=None)
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        moments = [now - timedelta(minutes=rng.randint(5, 730 * 24 * 60)) for _ in range(size)]
        checkout_ids = db.session.scalars(
            insert(Checkout).returning(Checkout.id, sort_by_parameter_order=True),
            [
                {
                    "form_token": f"bench-{start + n}",
                    "access_token": f"bench-{start + n}",
                    "name": "Khách thử nghiệm",
                    "phone": "0912345678",
                    **dict(zip(("province", "ward"), rng.choice(DESTINATIONS), strict=True)),
                    "street": "1 Trần Hưng Đạo",
                    "payment_method": rng.choice(["cod", "cod", "vietqr"]),
                    "created_at": moment,
                }
                for n, moment in enumerate(moments)
            ],
        ).all()
        codes = [f"HG-{m.year}-{i:06d}" for i, m in zip(checkout_ids, moments, strict=True)]
        db.session.execute(
            update(Checkout),
            [{"id": i, "code": c} for i, c in zip(checkout_ids, codes, strict=True)],
        )
        orders, lines = [], []
        for checkout_id, code, moment in zip(checkout_ids, codes, moments, strict=True):
            cooperative = busy if rng.random() < BUSY_SHARE else rng.choice(cooperatives)
            offer = by_cooperative[cooperative]
            chosen = rng.sample(offer, min(rng.randint(1, 3), len(offer)))
            quantities = [rng.randint(1, 5) for _ in chosen]
            subtotal = sum(p.price * q for p, q in zip(chosen, quantities, strict=True))
            fee = 0 if subtotal >= 500_000 else 30_000
            age = now - moment
            status = (
                rng.choice(["delivered"] * 9 + ["cancelled"])
                if age > timedelta(days=14)
                else rng.choice(["pending", "confirmed", "shipping", "delivered"])
            )
            orders.append(
                {
                    "checkout_id": checkout_id,
                    "cooperative_id": cooperative,
                    "code": f"{code}-1",
                    "status": status,
                    "subtotal": subtotal,
                    "delivery_fee": fee,
                    "total": subtotal + fee,
                    "paid_at": moment if status == "delivered" else None,
                    "created_at": moment,
                }
            )
            lines.append(
                [
                    {
                        "name": p.name,
                        "unit": p.unit,
                        "unit_price": p.price,
                        "quantity": q,
                        "product_id": p.id,
                    }
                    for p, q in zip(chosen, quantities, strict=True)
                ]
            )
        order_ids = db.session.scalars(
            insert(Order).returning(Order.id, sort_by_parameter_order=True), orders
        ).all()
        written = db.session.execute(
            insert(OrderLine).returning(OrderLine.id, OrderLine.product_id, OrderLine.quantity),
            [
                {**line, "order_id": order_id}
                for order_id, order_lines in zip(order_ids, lines, strict=True)
                for line in order_lines
            ],
        ).all()
        # Each line took its units from its product's lot (a recall finds its buyers so).
        taken = [
            {"order_line_id": line_id, "lot_id": lot_of[product_id], "quantity": quantity}
            for line_id, product_id, quantity in written
            if product_id in lot_of
        ]
        if taken:
            db.session.execute(insert(OrderLineLot), taken)
        db.session.commit()
