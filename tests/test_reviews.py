"""Reviews from real buyers and guests (core.reviews, marketplace.reviews, tourism.reviews):
none before delivery or receipt (three days after delivery they open), none from another
account, one per order line or booking (two at once make one), photos through the upload
pipeline (three at most, a bad file named), one reply, hiding leaves the average and showing
again returns it, cards and JSON-LD carry the average."""

import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import current_app
from PIL import Image
from sqlalchemy import func, select

from core import reviews
from core.audit import AuditEvent
from core.models import Message, utcnow
from marketplace import checkout as checkouts
from marketplace import orders
from marketplace import reviews as shop_reviews
from marketplace.models import Order, OrderEvent, Product, ProductReview
from programme import moderation
from tests.concurrency import at_once
from tests.conftest import TEST_PASSWORD
from tourism import bookings
from tourism import reviews as guest_reviews
from tourism.models import Listing, ListingReview

# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture()
def admin_user(make):
    return make.user(role="admin", name="Văn Phòng OCOP")


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, "login failed"


def text(response) -> str:
    return response.get_data(as_text=True)


def picture(fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 30)).save(buffer, fmt)
    return buffer.getvalue()


def place(product, buyer_id, name="Nguyễn Thị Lan"):
    return checkouts.place_order(
        {product.id: 1},
        checkouts.DeliveryDetails(
            name=name, phone="0912345678", email="lan@example.vn", province="Cần Thơ",
            ward="Phường Ninh Kiều", street="12 Mậu Thân", note="", payment_method="cod",
        ),
        buyer_id=buyer_id,
        form_token=checkouts.new_form_token(),
        fees=current_app.config["DELIVERY_FEES"],
        free_from=current_app.config["FREE_DELIVERY_FROM"],
    )  # fmt: skip


def move(order_id, *statuses):
    for status in statuses:
        orders.change_status(order_id, status, actor_id=None)


@pytest.fixture()
def shop(make):
    owner = make.user(role="cooperative", name="Lê Văn Thắng")
    cooperative = make.cooperative("HTX Khóm Cầu Đúc", owner=owner)
    product = make.product("Khóm Cầu Đúc", cooperative, stock=50, price=15_000)
    return owner, cooperative, product


@pytest.fixture()
def buyer(make):
    return make.user(name="Nguyễn Thị Lan")


@pytest.fixture()
def delivered(db, shop, buyer):
    """An order of the buyer's, delivered (not yet said received): its checkout and order."""
    _owner, _cooperative, product = shop
    placed = place(product, buyer.id)
    order = placed.orders[0]
    move(order.id, "confirmed", "shipping", "delivered")
    return placed, order


def write(
    line_id, user_id, stars=5, body="Khóm ngọt, giao nhanh, sẽ mua lại.", pictures=(), now=None
):
    return shop_reviews.write_review(
        line_id, user_id=user_id, stars=stars, body=body, language="vi", pictures=list(pictures),
        upload_folder=current_app.config["UPLOAD_FOLDER"], now=now or utcnow(),
    )  # fmt: skip


def refreshed(db, model, row_id):
    db.session.rollback()  # a new snapshot: what other threads committed too
    return db.session.get(model, row_id)


# --- when a review opens ---------------------------------------------------------------------


def test_no_review_before_delivery_then_receipt_opens_it(db, shop, buyer):
    _owner, _cooperative, product = shop
    placed = place(product, buyer.id)
    order = placed.orders[0]
    line = order.lines[0]
    with pytest.raises(reviews.ReviewClosed):
        write(line.id, buyer.id)
    move(order.id, "confirmed", "shipping")
    with pytest.raises(reviews.ReviewClosed):
        write(line.id, buyer.id)  # on its way: not yet
    orders.confirm_receipt(order.id, buyer.id)  # "Đã nhận hàng" while shipping: delivered
    order = refreshed(db, Order, order.id)
    assert order.status == "delivered" and order.received_at is not None
    event = db.session.scalar(select(OrderEvent).where(OrderEvent.to_status == "received"))
    assert event.from_status == "shipping" and event.actor_id == buyer.id
    told = db.session.scalars(select(Message).where(Message.event == "order.received")).all()
    assert [m.user_id for m in told] == [shop[0].id]  # the cooperative
    assert write(line.id, buyer.id).stars == 5
    with pytest.raises(orders.NotReceivable):
        orders.confirm_receipt(order.id, buyer.id)  # a second click moves nothing


def test_delivered_for_three_days_opens_reviews_without_receipt(db, delivered, buyer):
    _placed, order = delivered
    line = order.lines[0]
    now = utcnow()
    days = shop_reviews.DELIVERED_DAYS_BEFORE_REVIEWS
    with pytest.raises(reviews.ReviewClosed):
        write(line.id, buyer.id, now=now + timedelta(days=days) - timedelta(hours=1))
    assert write(line.id, buyer.id, now=now + timedelta(days=days, minutes=1)).id


def test_a_pending_order_cannot_be_said_received(db, shop, buyer):
    order = place(shop[2], buyer.id).orders[0]
    with pytest.raises(orders.NotReceivable):
        orders.confirm_receipt(order.id, buyer.id)
    assert refreshed(db, Order, order.id).received_at is None


# --- who may review --------------------------------------------------------------------------


def test_another_account_cannot_review(db, delivered, buyer, make):
    placed, order = delivered
    orders.confirm_receipt(order.id, buyer.id)
    other = make.user(name="Phạm Minh Hùng")
    with pytest.raises(reviews.NotYours):
        write(order.lines[0].id, other.id)
    with pytest.raises(reviews.NotYours):
        write(order.lines[0].id, None)  # the order's link alone, for an account's order
    assert db.session.scalar(select(func.count(ProductReview.id))) == 0


def test_another_account_sees_no_review_form(client, delivered, buyer, make):
    placed, order = delivered
    orders.confirm_receipt(order.id, buyer.id)
    other = make.user(name="Phạm Minh Hùng")
    login(client, other)
    url = f"/orders/{placed.code}/lines/{order.lines[0].id}/review"
    assert client.get(url).status_code == 404  # not their order, no link: not found
    # With the order's secret link, still not their account's order: told so, no form.
    response = client.post(url + f"?token={placed.access_token}", data={"stars": "5"})
    assert response.status_code == 302
    assert ProductReview.query.count() == 0


def test_a_guest_reviews_through_the_order_link(db, client, shop):
    placed = place(shop[2], None, name="Võ Anh Thư")
    order = placed.orders[0]
    move(order.id, "confirmed", "shipping", "delivered")
    page = client.get(f"/orders/{placed.code}?token={placed.access_token}")
    assert "Đã nhận hàng" in text(page)
    client.post(f"/orders/{placed.code}/{order.id}/received", data={"token": placed.access_token})
    url = f"/orders/{placed.code}/lines/{order.lines[0].id}/review?token={placed.access_token}"
    response = client.post(url, data={"stars": "4", "body": "Khóm tươi, đóng gói kỹ."})
    assert response.status_code == 302
    review = db.session.scalar(select(ProductReview))
    assert (review.stars, review.user_id, review.author_name) == (4, None, "Thư V.")


# --- one per line ----------------------------------------------------------------------------


def test_one_review_per_line_even_two_at_once(app, db, delivered, buyer, shop):
    _placed, order = delivered
    orders.confirm_receipt(order.id, buyer.id)
    line_id, buyer_id = order.lines[0].id, buyer.id
    results = at_once(app, *[lambda: write(line_id, buyer_id, stars=4)] * 2)
    assert sum(isinstance(r, ProductReview) for r in results) == 1
    assert sum(isinstance(r, reviews.AlreadyReviewed) for r in results) == 1
    product = refreshed(db, Product, shop[2].id)
    assert (product.review_count, product.review_stars_total) == (1, 4)
    with pytest.raises(reviews.AlreadyReviewed):
        write(line_id, buyer_id)


# --- what a review holds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stars", "body", "error"),
    [("0", "", reviews.BadStars), ("6", "", reviews.BadStars), ("x", "", reviews.BadStars),
     ("5", "ngon", reviews.TextTooShort)],
)  # fmt: skip
def test_stars_one_to_five_and_text_ten_characters_if_any(db, delivered, buyer, stars, body, error):
    _placed, order = delivered
    orders.confirm_receipt(order.id, buyer.id)
    with pytest.raises(error):
        write(order.lines[0].id, buyer.id, stars=stars, body=body)
    assert write(order.lines[0].id, buyer.id, stars=3, body="").body == ""  # stars alone do


def _form_url(placed, order):
    return f"/orders/{placed.code}/lines/{order.lines[0].id}/review"


def test_photos_up_to_three_through_the_pipeline(db, client, delivered, buyer):
    placed, order = delivered
    orders.confirm_receipt(order.id, buyer.id)
    login(client, buyer)
    four = [(io.BytesIO(picture()), f"anh{n}.png") for n in range(4)]
    response = client.post(
        _form_url(placed, order), data={"stars": "5", "body": "Trái to, ngọt.", "photos": four}
    )
    assert response.status_code == 200 and "Tối đa 3 ảnh" in text(response)
    assert "Trái to, ngọt." in text(response)  # what was typed stays
    bad = [(io.BytesIO(b"not a picture"), "hoadon.pdf")]
    response = client.post(_form_url(placed, order), data={"stars": "5", "photos": bad})
    assert response.status_code == 200 and "hoadon.pdf" in text(response)
    assert ProductReview.query.count() == 0
    two = [(io.BytesIO(picture()), "a.png"), (io.BytesIO(picture("JPEG")), "b.jpg")]
    response = client.post(_form_url(placed, order), data={"stars": "5", "photos": two})
    assert response.status_code == 302
    review = db.session.scalar(select(ProductReview))
    assert len(review.photos) == 2
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    for path in review.photos:
        assert (folder / path.removeprefix("uploads/")).exists()
    page = text(client.get(f"/products/{order.lines[0].product.slug}"))
    assert (
        'loading="lazy"' in page and review.photos[0].removeprefix("uploads/").split(".")[0] in page
    )


def test_a_request_too_large_gets_the_413_page(app, client, delivered, buyer, monkeypatch):
    placed, order = delivered
    orders.confirm_receipt(order.id, buyer.id)
    login(client, buyer)
    monkeypatch.setitem(app.config, "DASHBOARD_MAX_IMAGE_BYTES", 1000)
    big = [(io.BytesIO(b"\0" * 200_000), "to.png")]  # over 3 photos and the form's room
    response = client.post(_form_url(placed, order), data={"stars": "5", "photos": big})
    assert response.status_code == 413 and "Đánh giá chưa được gửi" in text(response)


def test_the_review_keeps_its_language_and_shows_a_short_name(db, client, delivered, buyer):
    placed, order = delivered
    orders.confirm_receipt(order.id, buyer.id)
    login(client, buyer)
    client.post(
        _form_url(placed, order) + "?lang=en", data={"stars": "4", "body": "Sweet and fresh."}
    )
    review = db.session.scalar(select(ProductReview))
    assert (review.language, review.author_name) == ("en", "Lan N.")
    client.get("/logout")
    page = text(client.get(f"/products/{order.lines[0].product.slug}?lang=vi"))
    assert '<p class="review-body" lang="en">Sweet and fresh.</p>' in page
    assert "Nguyễn Thị Lan" not in page and buyer.email not in page


# --- reply, hide, show -----------------------------------------------------------------------


def test_the_cooperative_replies_once_and_no_other_can(db, client, delivered, buyer, shop, make):
    _placed, order = delivered
    orders.confirm_receipt(order.id, buyer.id)
    review = write(order.lines[0].id, buyer.id)
    stranger = make.cooperative("HTX Hàng Xóm")
    with pytest.raises(LookupError):
        shop_reviews.REVIEWED.reply(stranger.id, review.id, "Cảm ơn")
    login(client, shop[0])
    response = client.post(f"/dashboard/reviews/{review.id}/reply", data={"reply": "Cảm ơn chị!"})
    assert response.status_code == 302
    client.post(f"/dashboard/reviews/{review.id}/reply", data={"reply": "Lần hai"})
    assert refreshed(db, ProductReview, review.id).reply == "Cảm ơn chị!"
    with pytest.raises(reviews.AlreadyReplied):
        shop_reviews.REVIEWED.reply(shop[1].id, review.id, "Lần ba")
    assert "Cảm ơn chị!" in text(client.get("/dashboard/reviews"))


def test_a_reply_that_cannot_be_sent_keeps_what_was_typed(db, client, delivered, buyer, shop):
    _placed, order = delivered
    orders.confirm_receipt(order.id, buyer.id)
    review = write(order.lines[0].id, buyer.id)
    login(client, shop[0])
    url = f"/dashboard/reviews/{review.id}/reply"
    too_long = "Cảm ơn anh chị đã tin dùng khóm Cầu Đúc. " * 30  # past REPLY_MAX
    response = client.post(url, data={"reply": too_long})
    page = text(response)
    assert response.status_code == 200
    assert too_long.strip() in page and 'aria-invalid="true"' in page
    assert "1000" in page or "1.000" in page  # the limit, said on the field
    response = client.post(url, data={"reply": "   "})
    assert response.status_code == 200 and f'id="reply-error-{review.id}"' in text(response)
    assert refreshed(db, ProductReview, review.id).reply == ""


def test_hiding_leaves_the_average_and_showing_returns_it(db, shop, make, admin_user):
    _owner, _cooperative, product = shop
    written = []
    for stars, name in ((5, "Trần Thị Mai"), (2, "Phạm Minh Hùng")):
        buyer = make.user(name=name)
        order = place(product, buyer.id, name=name).orders[0]
        move(order.id, "confirmed", "shipping")
        orders.confirm_receipt(order.id, buyer.id)
        written.append(write(order.lines[0].id, buyer.id, stars=stars))
    product = refreshed(db, Product, product.id)
    assert (product.review_count, product.review_stars_total) == (2, 7)
    with pytest.raises(moderation.ReasonRequired):
        moderation.hide_review("product", written[1].id, admin_user.id, " ")
    assert moderation.hide_review("product", written[1].id, admin_user.id, "Lời lẽ xúc phạm")
    assert not moderation.hide_review("product", written[1].id, admin_user.id, "Lần hai")
    product = refreshed(db, Product, product.id)
    assert (product.review_count, product.review_stars_total) == (1, 5)
    assert [r.id for r in shop_reviews.REVIEWED.visible(product).reviews] == [written[0].id]
    assert moderation.show_review("product", written[1].id, admin_user.id)
    assert not moderation.show_review("product", written[1].id, admin_user.id)
    product = refreshed(db, Product, product.id)
    assert (product.review_count, product.review_stars_total) == (2, 7)
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["review.hide", "review.unhide"]


def test_two_hides_at_once_take_the_review_out_once(app, db, delivered, buyer, shop, admin_user):
    _placed, order = delivered
    orders.confirm_receipt(order.id, buyer.id)
    review_id, admin_id = write(order.lines[0].id, buyer.id).id, admin_user.id
    results = at_once(
        app, *[lambda: moderation.hide_review("product", review_id, admin_id, "Quảng cáo")] * 2
    )
    assert sorted(results) == [False, True]
    product = refreshed(db, Product, shop[2].id)
    assert (product.review_count, product.review_stars_total) == (0, 0)


def test_the_author_and_the_cooperative_see_it_hidden_and_why(
    db, client, delivered, buyer, shop, admin_user
):
    placed, order = delivered
    orders.confirm_receipt(order.id, buyer.id)
    review = write(order.lines[0].id, buyer.id)
    login(client, admin_user)
    client.post(f"/admin/reviews/product/{review.id}/hide", data={"reason": "Có số điện thoại"})
    assert "Có số điện thoại" in text(client.get("/admin/reviews"))
    client.get("/logout")
    login(client, buyer)
    assert "Có số điện thoại" in text(client.get(f"/orders/{placed.code}"))
    client.get("/logout")
    login(client, shop[0])
    assert "Có số điện thoại" in text(client.get("/dashboard/reviews"))
    public = text(client.get(f"/products/{shop[2].slug}"))
    assert "Khóm ngọt, giao nhanh" not in public


# --- the pages: average, cards, JSON-LD, "Xem thêm" ------------------------------------------


def _reviewed(shop, make, stars_list):
    product = shop[2]
    for n, stars in enumerate(stars_list):
        buyer = make.user(name=f"Khách Số {n}")
        order = place(product, buyer.id, name=buyer.name).orders[0]
        move(order.id, "confirmed", "shipping")
        orders.confirm_receipt(order.id, buyer.id)
        write(order.lines[0].id, buyer.id, stars=stars, body=f"Nhận xét số {n} của tôi.")
    return product


def _json_ld(page: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(block)
    graph = data.get("@graph", [data])
    return next(item for item in graph if item.get("@type") == "Product")


def test_product_page_average_json_ld_and_card(db, client, shop, make):
    empty = text(client.get(f"/products/{shop[2].slug}"))
    assert "aggregateRating" not in empty and "review-average" not in empty
    product = _reviewed(shop, make, [5, 5, 4])
    page = text(client.get(f"/products/{product.slug}"))
    assert "4,7" in page and "Đã mua hàng" in page
    ld = _json_ld(page)
    assert ld["aggregateRating"]["ratingValue"] == 4.7
    assert ld["aggregateRating"]["reviewCount"] == 3
    assert [r["reviewRating"]["ratingValue"] for r in ld["review"]] == [4, 5, 5]  # newest first
    assert ld["review"][0]["author"]["name"] == "2 K."
    assert ld["review"][0]["reviewBody"] == "Nhận xét số 2 của tôi."
    english = text(client.get(f"/products/{product.slug}?lang=en"))
    assert "4.7" in english
    listing_page = text(client.get("/products?lang=vi"))
    assert 'class="review-average"' in listing_page and "4,7" in listing_page


def test_more_reviews_with_and_without_htmx(db, client, shop, make):
    product = _reviewed(shop, make, [5] * (reviews.PER_PAGE + 2))
    page = text(client.get(f"/products/{product.slug}"))
    assert page.count('class="review"') == reviews.PER_PAGE
    more = f"/products/{product.slug}/reviews?page=2"
    assert f'href="{more}"' in page
    fragment = text(client.get(more, headers={"HX-Request": "true"}))
    assert fragment.count('class="review"') == 2 and "<html" not in fragment
    full = text(client.get(more))
    assert "<html" in full and full.count('class="review"') == 2


# --- listings --------------------------------------------------------------------------------


def _booked(tour, user_id=None):
    return bookings.book(
        tour.id, check_in=date.today() + timedelta(days=3), check_out=None, guests=2,
        contact=bookings.Contact(name="Anna Schmidt", phone="+4915123456789",
                                 email="anna@example.de", country="Germany"),
        user_id=user_id, form_token=bookings.new_form_token(), today=date.today(),
    )  # fmt: skip


def write_listing(booking_id, user_id, stars=5):
    return guest_reviews.write_review(
        booking_id, user_id=user_id, stars=stars, body="Chuyến đi rất vui, chủ nhà thân thiện.",
        language="vi", pictures=[], upload_folder=current_app.config["UPLOAD_FOLDER"],
    )  # fmt: skip


def test_listing_reviews_after_a_completed_booking_only(app, db, client, tour, make):
    guest = make.user(name="Anna Schmidt")
    booking = _booked(tour, guest.id)
    assert booking.status == "confirmed"
    with pytest.raises(reviews.ReviewClosed):
        write_listing(booking.id, guest.id)
    bookings.change_booking_status(booking.id, "completed", actor_id=None, today=date.today())
    other = make.user(name="Người Khác")
    with pytest.raises(reviews.NotYours):
        write_listing(booking.id, other.id)
    booking_id, guest_id = booking.id, guest.id
    results = at_once(app, *[lambda: write_listing(booking_id, guest_id, stars=4)] * 2)
    assert sum(isinstance(r, ListingReview) for r in results) == 1
    listing = refreshed(db, Listing, tour.id)
    assert (listing.review_count, listing.review_stars_total) == (1, 4)
    page = text(client.get(f"/tourism/{tour.slug}"))
    assert "Đã trải nghiệm" in page and "4,0" in page and "aggregateRating" in page
    assert "4,0" in text(client.get("/tourism"))  # the listing's card


def test_a_guest_reviews_a_completed_booking_from_its_link(db, client, tour):
    booking = _booked(tour)
    url = f"/bookings/{booking.code}/review?token={booking.access_token}"
    assert client.post(url, data={"stars": "5"}).status_code == 302
    assert ListingReview.query.count() == 0  # not completed yet
    bookings.change_booking_status(booking.id, "completed", actor_id=None, today=date.today())
    page = text(client.get(f"/bookings/{booking.code}?token={booking.access_token}"))
    assert f'href="{url.replace("&", "&amp;")}"' in page or "/review?token=" in page
    assert client.get(url).status_code == 200
    assert client.post(url, data={"stars": "5", "body": "Rất đáng đi!"}).status_code == 302
    review = db.session.scalar(select(ListingReview))
    assert (review.stars, review.author_name) == (5, "Schmidt A.")


def test_the_host_replies_once(db, client, tour, owner, make):
    tour.host.owner = owner
    db.session.commit()
    booking = _booked(tour)
    bookings.change_booking_status(booking.id, "completed", actor_id=None, today=date.today())
    review = write_listing(booking.id, None)
    login(client, owner)
    client.post(f"/dashboard/tourism/reviews/{review.id}/reply", data={"reply": "Hẹn gặp lại!"})
    client.post(f"/dashboard/tourism/reviews/{review.id}/reply", data={"reply": "Lần hai"})
    assert refreshed(db, ListingReview, review.id).reply == "Hẹn gặp lại!"
    assert "Hẹn gặp lại!" in text(client.get(f"/tourism/{tour.slug}"))


def test_shown_name():
    assert reviews.shown_name("Nguyễn Thị Lan") == "Lan N."
    assert reviews.shown_name("Mai") == "Mai"


def test_the_cooperative_is_told_of_a_new_review_in_its_language(app, db, delivered, buyer, shop):
    owner = shop[0]
    owner.language = "en"
    db.session.commit()
    _placed, order = delivered
    orders.confirm_receipt(order.id, buyer.id)
    with app.test_request_context():  # as the review form sends it: the link is absolute
        write(refreshed(db, Order, order.id).lines[0].id, buyer.id)
    [told] = db.session.scalars(select(Message).where(Message.event == "review.new")).all()
    assert told.user_id == owner.id and told.subject.startswith("New review 5★: ")
    # In English, around the buyer's own words (which stay as written).
    assert "rated" in told.text and "Khóm ngọt, giao nhanh" in told.text
    assert "Read and reply: http://localhost/dashboard/reviews" in told.text
    assert "đánh giá" not in told.text.lower()


def test_the_host_is_told_of_a_review_of_a_listing(app, db, tour, host, make):
    account = make.user(role="cooperative")
    host.owner_id = account.id
    db.session.commit()
    guest = make.user(name="Anna Schmidt")
    booking = _booked(tour, guest.id)
    bookings.change_booking_status(booking.id, "completed", actor_id=None, today=date.today())
    with app.test_request_context():
        write_listing(booking.id, guest.id, stars=4)
    [told] = db.session.scalars(select(Message).where(Message.event == "review.new")).all()
    assert told.user_id == account.id and told.subject.startswith("Đánh giá mới 4★: ")
    assert "/dashboard/tourism/reviews" in told.text
