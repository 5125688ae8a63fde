"""The tourism demo data: Hậu Giang's community tourism listings, linked to products, and a
few guests' reviews of them."""

import secrets
from datetime import time, timedelta

from sqlalchemy import select

from core.demo import fill_english
from core.extensions import db
from core.models import Commune, District, User, utcnow
from core.reviews import shown_name
from core.text import slugify
from marketplace.models import Cooperative, Product
from tourism.demo_data import LISTINGS, MEETING_POINTS_EN, PRACTICAL
from tourism.demo_drawings import DRAWINGS
from tourism.models import Booking, Listing, ListingImage, ListingReview


def seed_tourism() -> None:
    for row in LISTINGS:
        _seed_listing(*row)
    db.session.commit()
    _seed_reviews()


# Guests' reviews of stays and tours they completed: (listing title, guest, email, country,
# days ago, stars, text, the host's reply).
REVIEWS = [
    ("Tour cánh đồng khóm Cầu Đúc", "Trần Thị Mai", "buyer@ocop.demo", "Việt Nam", 20, 5,
     "Được tự tay hái khóm, nghe chú kể chuyện trồng khóm trên đất phèn. Bọn nhỏ rất thích, trưa ăn "
     "gỏi khóm tôm khô ngon tuyệt.",
     "Cảm ơn gia đình chị Mai! Mùa khóm sau nhớ ghé lại làng nha."),
    ("Homestay Mương Đình", "Lê Hoàng Nam", "nam.le@example.vn", "Việt Nam", 12, 4,
     "Nhà vườn yên tĩnh, sáng sớm chèo xuồng ra chợ nổi Ngã Bảy rất vui. Phòng sạch, muỗi hơi nhiều "
     "nên mang theo kem chống muỗi.", ""),
]  # fmt: skip


def _seed_reviews() -> None:
    """Once: a completed booking for each review, and the review, counted on its listing."""
    if db.session.scalar(select(ListingReview.id).limit(1)) is not None:
        return
    now = utcnow()
    for number, (title, name, email, country, days, stars, text, reply) in enumerate(REVIEWS, 1):
        listing = db.session.scalar(select(Listing).where(Listing.title == title))
        if listing is None:
            continue
        user = db.session.scalar(select(User).where(User.email == email))
        day = (now - timedelta(days=days + 1)).date()
        booking = Booking(
            code=f"DEMOBK{number:02d}", form_token=secrets.token_hex(16),
            access_token=secrets.token_urlsafe(24), listing_id=listing.id,
            user_id=user.id if user else None, check_in=day,
            check_out=day + timedelta(days=1), guests=2, units=1 if listing.is_stay else 2,
            total=listing.price * (1 if listing.is_stay else 2), status="completed", name=name,
            phone="0909123456", email=email, country=country, created_at=now - timedelta(days=days + 10),
        )  # fmt: skip
        db.session.add(booking)
        db.session.flush()
        written = now - timedelta(days=days)
        db.session.add(
            ListingReview(
                booking_id=booking.id, listing_id=listing.id, user_id=booking.user_id,
                author_name=shown_name(name), stars=stars, body=text, language="vi", reply=reply,
                replied_at=written + timedelta(hours=3) if reply else None, created_at=written,
            )
        )  # fmt: skip
        listing.review_count += 1
        listing.review_stars_total += stars
    db.session.commit()


def _seed_listing(
    host_slug, kind, title, title_en, district, commune, price, capacity, max_guests, start,
    minutes, meeting_point, description, description_en, included, included_en, languages,
    free_days, late_fee, instant, picture, product_slugs,
):  # fmt: skip
    slug = slugify(title)
    meeting_point_en = MEETING_POINTS_EN.get(meeting_point, "")
    seeded = db.session.scalar(select(Listing).where(Listing.slug == slug))
    if seeded is not None:
        fill_english(seeded, meeting_point_en=meeting_point_en)
        return
    host = db.session.scalar(select(Cooperative).where(Cooperative.slug == host_slug))
    place = db.session.scalar(select(District).where(District.name == district))
    listing = Listing(
        host=host,
        kind=kind,
        slug=slug,
        title=title,
        title_en=title_en,
        description=description,
        description_en=description_en,
        district_id=place.id,
        commune_id=db.session.scalar(
            select(Commune.id).where(Commune.district_id == place.id, Commune.name == commune)
        ),
        price=price,
        capacity=capacity,
        max_guests=max_guests,
        start_time=time.fromisoformat(start) if start else None,
        duration_minutes=minutes,
        meeting_point=meeting_point,
        meeting_point_en=meeting_point_en,
        included=included,
        included_en=included_en,
        languages=languages,
        free_cancel_days=free_days,
        late_cancel_fee_percent=late_fee,
        instant_booking=instant,
        products=db.session.scalars(select(Product).where(Product.slug.in_(product_slugs))).all(),
    )
    # Each listing its own drawings (tourism.demo_drawings), cover first; a listing without
    # any yet keeps the drawing of its kind of place.
    drawings = DRAWINGS.get(slug) or [(f"img/tourism/{picture}.svg", title, title_en)]
    for position, (path, alt, alt_en) in enumerate(drawings):
        listing.images.append(ListingImage(path=path, alt=alt, alt_en=alt_en, position=position))
    _practical(listing, PRACTICAL.get(title, {}))
    db.session.add(listing)


def _practical(listing: Listing, facts: dict) -> None:
    """The address, coordinates, directions, what to bring and a stay's times."""
    for name in ("address", "latitude", "longitude", "directions", "directions_en"):
        if name in facts:
            setattr(listing, name, facts[name])
    for name in ("what_to_bring", "what_to_bring_en"):
        if name in facts and not getattr(listing, name):
            setattr(listing, name, facts[name])
    if listing.is_stay:
        listing.check_in_time = time.fromisoformat(facts.get("check_in", "14:00"))
        listing.check_out_time = time.fromisoformat(facts.get("check_out", "12:00"))
