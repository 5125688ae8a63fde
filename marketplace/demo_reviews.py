"""The demo's buyers' reviews: a few demo buyers, each with an order delivered (and received)
weeks ago, and their reviews of what they bought, so product pages and cards show reviews.

The orders are written as they stand after delivery (their stock was counted before the
demo's); the reviews go through core.reviews' counting like any other.
"""

import secrets
from datetime import timedelta

from sqlalchemy import select

from core.demo import seed_account
from core.extensions import db
from core.models import utcnow
from core.reviews import shown_name
from marketplace.demo_data import DEMO_PASSWORD
from marketplace.models import Checkout, Order, OrderEvent, OrderLine, Product, ProductReview

# (email, name, phone, province, ward, street): who bought; buyer@ocop.demo is seeded already.
BUYERS = [
    ("buyer@ocop.demo", "Trần Thị Mai", "0939112233", "Cần Thơ", "Phường Ninh Kiều", "45 Ba Tháng Hai"),
    ("khach.lan@ocop.demo", "Nguyễn Thị Lan", "0918223344", "Hậu Giang", "Phường Vị Thanh", "12 Trần Hưng Đạo"),
    ("khach.hung@ocop.demo", "Phạm Minh Hùng", "0907334455", "Hồ Chí Minh", "Phường Bến Thành", "88 Lê Lợi"),
    ("khach.thu@ocop.demo", "Võ Anh Thư", "0945445566", "Hậu Giang", "Phường Ngã Bảy", "7 Hùng Vương"),
]  # fmt: skip

# (buyer's email, product name, days ago, stars, text, the cooperative's reply)
REVIEWS = [
    ("buyer@ocop.demo", "Khóm Cầu Đúc", 24, 5,
     "Khóm ngọt thanh, mắt cạn, gọt rất dễ. Giao tới Cần Thơ trái nào cũng còn tươi, sẽ đặt thêm cho cả nhà.",
     "Cảm ơn chị Mai đã ủng hộ khóm Cầu Đúc! Mùa này khóm đang ngọt nhất, chị nhớ ghé lại nha."),
    ("khach.lan@ocop.demo", "Khóm Cầu Đúc", 15, 4,
     "Khóm thơm, nước nhiều. Có hai trái hơi nhỏ so với hình nhưng vẫn ngọt.", ""),
    ("khach.hung@ocop.demo", "Khóm Cầu Đúc", 6, 5,
     "Đặt về Sài Gòn, đóng thùng chắc chắn, không dập trái nào. Ép nước uống rất ngon.", ""),
    ("buyer@ocop.demo", "Cá thát lát rút xương tẩm gia vị", 24, 5,
     "Cá dai, thấm gia vị vừa ăn, chiên lên thơm cả bếp. Hút chân không kỹ, giao còn lạnh.",
     "Cảm ơn chị! Chị chiên lửa vừa để cá vàng đều và giữ được độ dai nhé."),
    ("khach.thu@ocop.demo", "Cá thát lát rút xương tẩm gia vị", 10, 4,
     "Ngon, tiện cho bữa cơm nhanh. Mong có thêm gói nhỏ 300 g cho nhà ít người.", ""),
    ("khach.lan@ocop.demo", "Mứt khóm Cầu Đúc", 15, 5,
     "Mứt dẻo, không quá ngọt, để pha trà hay ăn với bánh mì đều hợp. Hộp đẹp, mua làm quà rất được.", ""),
    ("khach.hung@ocop.demo", "Mật ong tràm Lung Ngọc Hoàng", 6, 5,
     "Mật sánh, thơm mùi tràm rõ, vị ngọt dịu. Chai thủy tinh đóng gói cẩn thận.", ""),
    ("khach.thu@ocop.demo", "Bưởi Năm Roi Hiệp Thành", 10, 3,
     "Bưởi mọng nước nhưng có trái hơi chua, chắc do đầu mùa.", ""),
]  # fmt: skip


def seed_product_reviews() -> None:
    """Once: the demo buyers, their delivered orders, their reviews (skipped when seeded)."""
    if db.session.scalar(select(ProductReview.id).limit(1)) is not None:
        return
    products = {p.name: p for p in db.session.scalars(select(Product)).all()}
    now = utcnow()
    for number, (email, product_name, days, stars, text, reply) in enumerate(REVIEWS, 1):
        product = products.get(product_name)
        if product is None:
            continue
        _, name, phone, province, ward, street = next(b for b in BUYERS if b[0] == email)
        buyer = seed_account(email, name, "buyer", DEMO_PASSWORD)
        placed = now - timedelta(days=days + 4)
        line = _delivered_order(number, buyer, product, placed, (phone, province, ward, street))
        written = now - timedelta(days=days)
        db.session.add(
            ProductReview(
                order_line_id=line.id, product_id=product.id, user_id=buyer.id,
                author_name=shown_name(name), stars=stars, body=text, language="vi",
                reply=reply, replied_at=written + timedelta(hours=5) if reply else None,
                created_at=written,
            )
        )  # fmt: skip
        product.review_count += 1
        product.review_stars_total += stars
    db.session.commit()


def _delivered_order(number: int, buyer, product: Product, placed, address) -> OrderLine:
    phone, province, ward, street = address
    code = f"DEMO{placed:%y%m%d}{number:02d}"
    checkout = Checkout(
        code=code, form_token=secrets.token_hex(16), access_token=secrets.token_urlsafe(24),
        buyer_id=buyer.id, name=buyer.name, phone=phone, email=buyer.email, province=province,
        ward=ward, street=street, payment_method="cod", created_at=placed,
    )  # fmt: skip
    db.session.add(checkout)
    quantity = 2
    subtotal = product.price * quantity
    order = Order(
        checkout=checkout, cooperative_id=product.cooperative_id, code=f"{code}-1",
        status="delivered", subtotal=subtotal, delivery_fee=0, total=subtotal,
        received_at=placed + timedelta(days=3), created_at=placed,
    )  # fmt: skip
    db.session.add(order)
    line = OrderLine(
        order=order, product_id=product.id, name=product.name, name_en=product.name_en,
        unit=product.unit, unit_price=product.price, quantity=quantity,
    )  # fmt: skip
    db.session.add(line)
    steps = [
        ("pending", 0),
        ("confirmed", 0.2),
        ("shipping", 1),
        ("delivered", 2.5),
        ("received", 3),
    ]
    previous = None
    for status, after in steps:
        db.session.add(
            OrderEvent(
                order=order, from_status=previous, to_status=status,
                actor_id=buyer.id if status in ("pending", "received") else None,
                created_at=placed + timedelta(days=after),
            )
        )  # fmt: skip
        previous = status
    db.session.flush()
    return line
