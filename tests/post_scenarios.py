"""One valid request for every POST route, sent on starting data built from nothing; shared by
test_double_submit (two of them at once) and test_input_bounds (one field at a time out of
range).

SCENARIOS says, for each endpoint, who sends the request, how its starting data is made, and
what two of them must do:

- "once": the form is one intent (a checkout, a booking, a new product, a decision, a status
  move...): two submits, at once or one after the other, leave the database as one does;
- "each": every click counts (adding to the cart adds again): two at once leave it as two one
  after the other.

Everything in the starting data has a fixed name, so that building it again gives the same rows,
and the fingerprint of the database (stable columns only) can be compared between runs.
"""

import hashlib
import hmac
import io
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from functools import cache

from flask import current_app
from PIL import Image
from sqlalchemy import DateTime, select
from werkzeug.security import generate_password_hash

from core import clock
from core.accounts import password_reset_token
from core.clock import VIETNAM
from core.extensions import db
from core.models import Message, User, utcnow
from core.submissions import new_form_token
from fairs import booths as fairs
from fairs.models import Booth
from marketplace import addresses, orders
from marketplace import checkout as checkouts
from marketplace import reviews as shop_reviews
from marketplace.cart import SESSION_KEY
from marketplace.lots import record_lot
from marketplace.models import CartItem, OrderLineLot
from payments import feeds, matching, statements
from payments.matching import BankLine, take_in
from payments.references import reference_for
from payments.refunds import refunds_of
from programme import trainings
from programme.models import Training
from tests.conftest import TEST_PASSWORD, Factories, _empty_tables
from tests.test_routes import World, _where, client_for
from tests.tourism_fixtures import CONTACT
from tourism import bookings
from tourism import reviews as guest_reviews
from tourism.models import Listing, ListingImage

# --- the people -------------------------------------------------------------------------------

EMAILS = {
    "buyer": "buyer@race.example",
    "cooperative": "coop@race.example",
    "admin": "admin@race.example",
}
NAMES = {"buyer": "Người Mua Đua", "cooperative": "Chị Lan Đua", "admin": "Văn Phòng Đua"}


@cache
def _cheap_hash() -> str:
    # One round: these tests log in hundreds of times; scrypt's cost is not what they test.
    return generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1")


def login(app, role: str):
    """A test client logged in as role ("guest": not logged in), through the login form."""
    return client_for(app, World(emails=EMAILS, values={}), role)


# --- the starting data ------------------------------------------------------------------------


class Start:
    """The data every scenario starts from (three people, a cooperative with a product), and
    builders for what some of them need on top. Names are fixed: built twice, the same rows."""

    def __init__(self, today):
        self.today = today
        self.make = Factories()
        self.users = {}
        for role, email in EMAILS.items():
            user = User(email=email, name=NAMES[role], role=role, phone="0912345678")
            user.password_hash = _cheap_hash()
            db.session.add(user)
            self.users[role] = user
        db.session.commit()
        self.district = self.make.district("Huyện Đua Ghe")
        self.cooperative = self.make.cooperative(
            "HTX Đua Ghe", district=self.district, owner=self.users["cooperative"],
            phone="0912345678", bank_bin="970405", bank_account="7700205123456",
            bank_account_name="HTX DUA GHE",
        )  # fmt: skip
        self.product = self.make.product("Khóm Đua Ghe", self.cooperative, stock=50, price=50_000)

    def day(self, days: int) -> str:
        return (self.today + timedelta(days=days)).isoformat()

    def neighbour(self):
        """A second approved cooperative, with no account (nobody logs in as it)."""
        return self.make.cooperative("HTX Hàng Xóm Đua", district=self.district)

    def cart_line(self, quantity: int) -> None:
        db.session.add(
            CartItem(user_id=self.users["buyer"].id, product_id=self.product.id, quantity=quantity)
        )
        db.session.commit()

    def checkout(self, payment_method: str = "cod"):
        return checkouts.place_order(
            {self.product.id: 2},
            checkouts.DeliveryDetails(
                name="Nguyễn Thị Lan", phone="0912345678", email="lan@example.vn",
                province="Cần Thơ", ward="Phường Ninh Kiều", street="12 Mậu Thân", note="",
                payment_method=payment_method,
            ),
            buyer_id=self.users["buyer"].id,
            form_token=checkouts.new_form_token(),
            fees=current_app.config["DELIVERY_FEES"],
            free_from=current_app.config["FREE_DELIVERY_FROM"],
        )  # fmt: skip

    def received(self):
        """An order delivered and said received by the buyer: its reviews are open."""
        placed = self.checkout()
        order = placed.orders[0]
        for status in ("confirmed", "shipping", "delivered"):
            orders.change_status(order.id, status, actor_id=self.users["cooperative"].id)
        orders.confirm_receipt(order.id, self.users["buyer"].id)
        return placed, order

    def product_review(self):
        _placed, order = self.received()
        return shop_reviews.write_review(
            order.lines[0].id, user_id=self.users["buyer"].id, stars=4,
            body="Khóm ngọt, giao nhanh.", language="vi", pictures=[],
            upload_folder=current_app.config["UPLOAD_FOLDER"], now=utcnow(),
        )  # fmt: skip

    def completed_booking(self):
        booking = self.booking(self.tour())  # instant booking: confirmed at once
        bookings.change_booking_status(booking.id, "completed", actor_id=None, today=self.today)
        return booking

    def listing_review(self):
        return guest_reviews.write_review(
            self.completed_booking().id, user_id=self.users["buyer"].id, stars=5,
            body="Chuyến đi rất vui.", language="vi", pictures=[],
            upload_folder=current_app.config["UPLOAD_FOLDER"],
        )  # fmt: skip

    def saved_address(self, street: str = "8 Ngô Quốc Trị", *, default: bool = False):
        """An address of the buyer's address book (the first one saved is the default)."""
        return addresses.add_address(
            self.users["buyer"].id,
            {
                "name": "Nguyễn Thị Lan", "phone": "02933876543", "province": "Cần Thơ",
                "ward": "Phường Vị Thanh", "street": street,
            },
            make_default=default,
        )  # fmt: skip

    def lot(self):
        """A lot of the product, bought by the buyer's checkout (its units recorded as the
        lots' checkout records them); its trace code fixed, as every name here is."""
        lot = record_lot(self.product, quantity=5, packed_on=self.today, code="DUA-1")
        order = self.checkout().orders[0]
        lot.trace_code = "DUAGHE22"
        db.session.add(OrderLineLot(order_line_id=order.lines[0].id, lot_id=lot.id, quantity=2))
        db.session.commit()
        return lot

    def homestay(self) -> Listing:
        listing = Listing(
            host=self.cooperative, kind="homestay", slug="homestay-dua-ghe",
            title="Homestay Đua Ghe", district_id=self.district.id, price=300_000, capacity=2,
            max_guests=2, description="Nhà vườn bên kênh.",
        )  # fmt: skip
        db.session.add(listing)
        db.session.commit()
        return listing

    def tour(self) -> Listing:
        listing = Listing(
            host=self.cooperative, kind="tour", slug="tour-dua-ghe", title="Tour Đua Ghe",
            district_id=self.district.id, price=150_000, capacity=10, max_guests=6,
            meeting_point="Bến Vị Thanh", instant_booking=True, description="Đi ghe xem đua.",
        )  # fmt: skip
        db.session.add(listing)
        db.session.commit()
        return listing

    def refund_due(self):
        """A homestay with a 100,000 deposit, booked, paid by a bank notice (confirmed), then
        cancelled by the guest in the free period: 100,000 due back to the guest."""
        listing = self.homestay()
        listing.deposit_kind, listing.deposit_value = "fixed", 100_000
        db.session.commit()
        booking = self.booking(listing)
        take_in(
            self.cooperative.id,
            BankLine(
                source="sepay", external_id="dua-ghe-1", booked_at=utcnow(), amount=100_000,
                direction="in", text=reference_for(booking.code),
            ),
        )  # fmt: skip
        bookings.change_booking_status(
            booking.id, "cancelled", actor_id=None, today=self.today, note="Đổi kế hoạch"
        )
        (refund,) = refunds_of("booking", [booking.id])
        return booking, refund

    def booking(self, listing: Listing, user_role: str | None = "buyer"):
        return bookings.book(
            listing.id,
            check_in=self.today + timedelta(days=10),
            check_out=self.today + timedelta(days=11),
            guests=2,
            contact=CONTACT,
            user_id=self.users[user_role].id if user_role else None,
            form_token=bookings.new_form_token(),
            today=self.today,
        )

    def fair(self, rows: int = 2, cols: int = 2):
        fair = fairs.create_fair(
            rows=rows, cols=cols, pattern="{row}{col}", zone="Nông sản", size="3 × 3 m",
            price=1_000_000, name="Hội chợ Đua Ghe", venue="Quảng trường Đua",
            address="TP Vị Thanh", starts_on=self.today + timedelta(days=30),
            ends_on=self.today + timedelta(days=33),
            registration_deadline=self.today + timedelta(days=20), hold_hours=48,
        )  # fmt: skip
        db.session.commit()
        return fair

    def booth(self, fair, code: str) -> Booth:
        return db.session.scalar(select(Booth).where(Booth.fair_id == fair.id, Booth.code == code))

    def booth_request(self, fair, code: str = "A1", cooperative=None):
        cooperative = cooperative or self.cooperative
        return fairs.request_booth(
            fair.id, self.booth(fair, code).id, cooperative, product_ids=[self.product.id],
            contact_person="Chị Lan", contact_phone="0912345678", note="", today=self.today,
        )  # fmt: skip

    def training(self) -> Training:
        training = Training(
            topic="Bán hàng trực tuyến", trainer="Sở Công Thương", place="Vị Thanh",
            day=self.today + timedelta(days=14), seats=20,
        )  # fmt: skip
        db.session.add(training)
        db.session.commit()
        return training

    def registration(self):
        return trainings.register(self.training().id, self.cooperative.id, "Chị Lan", self.today)


# --- the requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file in a form: sent afresh (a new stream) with every copy of the request."""

    content: bytes
    filename: str

    def __str__(self) -> str:
        return self.filename


@dataclass(frozen=True)
class Request:
    values: dict  # the rule's arguments
    data: dict  # the form (or, with json, the JSON object sent as the body)
    session: dict | None = None  # put in the visitor's session first (a guest's cart)
    json: bool = False  # the data is a JSON body (a bank's webhook), not a form
    # Headers of every copy; a function of the body for a signature of it.
    headers: dict | Callable[[bytes], dict] | None = None


@dataclass(frozen=True)
class Scenario:
    role: str  # guest, buyer, cooperative, admin: who sends it (the same session twice)
    setup: Callable[[Start], Request]
    kind: str  # "once" or "each"
    why: str
    # Where the form's fields are stored, for values just longer than the column:
    # a table whose columns have the fields' names, and field -> "table.column" for the others.
    table: str | None = None
    columns: dict = field(default_factory=dict)


def _checkout_form(start: Start) -> dict:
    return {
        "form_token": checkouts.new_form_token(), "name": "Nguyễn Thị Lan",
        "phone": "0912 345 678", "email": "lan@example.vn", "province": "Cần Thơ",
        "ward": "Phường Vị Thanh", "street": "8 Ngô Quốc Trị", "note": "Giao giờ hành chính",
        "payment_method": "vietqr", "save_address": "y",
    }  # fmt: skip


def _address_form(**extra) -> dict:
    return {
        "name": "Nguyễn Thị Lan", "phone": "0293 3876 543", "province": "Cần Thơ",
        "ward": "Xã Hỏa Lựu", "street": "Ấp Thạnh Mỹ", **extra,
    }  # fmt: skip


def _booking_form(start: Start, **extra) -> dict:
    return {
        "form_token": bookings.new_form_token(), "check_in": start.day(10), "guests": "2",
        "name": "Anna Schmidt", "phone": "+4915123456789", "email": "anna@example.de",
        "country": "Germany", "note": "Ăn chay", **extra,
    }  # fmt: skip


def _product_form(name: str, stock: str, **extra) -> dict:
    return {
        "name": name, "group": "food", "description": "Trồng trên đất phèn.", "unit": "kg",
        "price": "55000", "stock": stock, "certifications": "VietGAP", **extra,
    }  # fmt: skip


def _listing_form(kind: str, title: str) -> dict:
    form = {
        "kind": kind, "title": title, "title_en": "Boat race tour", "description": "Đi ghe.",
        "description_en": "By boat.", "price": "150000", "capacity": "10", "max_guests": "6",
        "meeting_point": "Bến Vị Thanh", "included": "Nước uống", "included_en": "Water",
        "what_to_bring": "Nón", "what_to_bring_en": "A hat", "languages": "Tiếng Việt",
        "free_cancel_days": "2", "late_cancel_fee_percent": "100", "instant_booking": "y",
        "active": "y", "deposit_kind": "percent", "deposit_percent": "30", "deposit_hours": "24",
    }  # fmt: skip
    if kind != "homestay":
        form.update({"start_time": "07:30", "duration_minutes": "180"})
    return form


def _fair_form(start: Start, name: str) -> dict:
    return {
        "name": name, "venue": "Quảng trường Đua", "address": "TP Vị Thanh",
        "starts_on": start.day(30), "ends_on": start.day(33),
        "registration_deadline": start.day(20), "description": "Hội chợ nông sản.",
        "hold_hours": "48",
    }  # fmt: skip


def cart_add(s: Start) -> Request:
    return Request({}, {"product_id": str(s.product.id), "quantity": "1"})


def cart_update(s: Start) -> Request:
    s.cart_line(1)
    return Request({}, {"product_id": str(s.product.id), "quantity": "3"})


def checkout(s: Start) -> Request:
    s.cart_line(2)
    return Request({}, _checkout_form(s))


def new_address(s: Start) -> Request:
    return Request({}, _address_form(form_token=new_form_token(), is_default="y"))


def edit_address(s: Start) -> Request:
    s.saved_address()
    second = s.saved_address("12 Trần Hưng Đạo")
    return Request({"address_id": second.id}, _address_form(is_default="y"))


def delete_address(s: Start) -> Request:
    first = s.saved_address()
    s.saved_address("12 Trần Hưng Đạo")
    return Request({"address_id": first.id}, {})


def default_address(s: Start) -> Request:
    s.saved_address()
    second = s.saved_address("12 Trần Hưng Đạo")
    return Request({"address_id": second.id}, {})


def cancel_order_by_buyer(s: Start) -> Request:
    placed = s.checkout()
    values = {"code": placed.code, "order_id": placed.orders[0].id}
    return Request(values, {"token": placed.access_token, "reason": "Đặt nhầm"})


def order_received(s: Start) -> Request:
    placed = s.checkout()
    order = placed.orders[0]
    for status in ("confirmed", "shipping", "delivered"):
        orders.change_status(order.id, status, actor_id=s.users["cooperative"].id)
    return Request({"code": placed.code, "order_id": order.id}, {"token": placed.access_token})


def review_line(s: Start) -> Request:
    placed, order = s.received()
    values = {"code": placed.code, "line_id": order.lines[0].id}
    return Request(values, {"stars": "5", "body": "Khóm ngọt thanh, giao nhanh."})


def review_booking(s: Start) -> Request:
    booking = s.completed_booking()
    return Request({"code": booking.code}, {"stars": "4", "body": "Chủ nhà thân thiện, vui."})


def reply_product_review(s: Start) -> Request:
    return Request({"review_id": s.product_review().id}, {"reply": "Cảm ơn chị đã ủng hộ!"})


def reply_listing_review(s: Start) -> Request:
    return Request({"review_id": s.listing_review().id}, {"reply": "Hẹn gặp lại!"})


def hide_review(s: Start) -> Request:
    values = {"kind": "product", "review_id": s.product_review().id}
    return Request(values, {"reason": "Có số điện thoại cá nhân"})


def book_tour(s: Start) -> Request:
    return Request({"slug": s.tour().slug}, _booking_form(s))


def book_homestay(s: Start) -> Request:
    """Not in SCENARIOS (one scenario a route): the bounds test books a stay too."""
    return Request({"slug": s.homestay().slug}, _booking_form(s, check_out=s.day(12)))


def cancel_booking(s: Start) -> Request:
    booking = s.booking(s.homestay())
    return Request({"code": booking.code}, {"token": booking.access_token})


def log_in(s: Start) -> Request:
    form = {"email": EMAILS["buyer"], "password": TEST_PASSWORD}
    return Request({}, form, session={SESSION_KEY: {str(s.product.id): 2}})


def log_out(s: Start) -> Request:
    return Request({}, {})


def register(s: Start) -> Request:
    return Request(
        {},
        {
            "account_type": "cooperative", "name": "Trần Văn Ba", "email": "ba@race.example",
            "phone": "0987654321", "password": "mat-khau-moi-1", "password_confirm": "mat-khau-moi-1",
            "cooperative_name": "HTX Mới Đua", "cooperative_kind": "cooperative",
            "district_id": str(s.district.id),
        },
    )  # fmt: skip


def change_password(s: Start) -> Request:
    return Request(
        {}, {"current": TEST_PASSWORD, "new": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"}
    )


def forgot_password(s: Start) -> Request:
    return Request({}, {"email": EMAILS["buyer"]})


def reset_password(s: Start) -> Request:
    token = password_reset_token(s.users["buyer"])
    return Request({"token": token}, {"new": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"})


def new_product(s: Start) -> Request:
    # As the page gives it, the form carries its one-time token (fixed, as every name here is,
    # so that the token's row in form_submissions is the same in every build).
    form = _product_form("Mật ong Đua Ghe", "15", form_token="mat-ong-dua-ghe-form-token")
    return Request({}, form)


def new_lot(s: Start) -> Request:
    packed_on = clock.today()
    form = {
        "form_token": "khom-dua-ghe-lot-form-token",  # fixed: the same row in every build
        "product": str(s.product.id),
        "quantity": "120",
        "packed_on": packed_on.isoformat(),
        "expires_on": (packed_on + timedelta(days=12)).isoformat(),
        "area_code": "93-VTH-0012",
        "standard": "VietGAP",
        "note": "Thu hoạch sáng",
    }
    return Request({}, form)


def edit_product(s: Start) -> Request:
    form = _product_form("Khóm Đua Ghe loại 1", "40", stock_seen="50")
    return Request({"product_id": s.product.id}, form)


def inline_product(s: Start) -> Request:
    form = {"price": "52000", "stock": "45", "stock_seen": "50"}
    return Request({"product_id": s.product.id}, form)


def product_visibility(s: Start) -> Request:
    return Request({"product_id": s.product.id}, {"active": "0"})


def delete_image(s: Start) -> Request:
    values = {"product_id": s.product.id, "image_id": s.product.images[0].id}
    return Request(values, {})


def shop_profile(s: Start) -> Request:
    """The story and a new bank account (with the password): saved, audited and told once."""
    form = {
        "story": "Khóm trồng trên đất phèn.", "pickup_address": "Ấp 1, Hỏa Tiến",
        "phone": "0912345678", "zalo_phone": "0912345679", "bank_bin": "970436",
        "bank_account": "0071001234567", "bank_account_name": "Htx Đua Ghe",
        "password": TEST_PASSWORD,
    }  # fmt: skip
    return Request({}, form)


def order_status(s: Start) -> Request:
    order = s.checkout().orders[0]
    return Request({"order_id": order.id}, {"to": "confirmed", "note": "Đã gọi khách"})


def cancel_order_by_cooperative(s: Start) -> Request:
    order = s.checkout().orders[0]
    return Request({"order_id": order.id}, {"reason": "Hết hàng"})


def order_paid(s: Start) -> Request:
    order = s.checkout("vietqr").orders[0]
    return Request({"order_id": order.id}, {})


def order_refund(s: Start) -> Request:
    """A transfer order paid, then cancelled: what it received is a refund due."""
    order = s.checkout("vietqr").orders[0]
    actor = s.users["cooperative"].id
    orders.mark_paid(order.id, actor_id=actor)
    orders.cancel_order(order, "Hết hàng", actor_id=actor)
    (refund,) = refunds_of("order", [order.id])
    return Request({"order_id": order.id, "refund_id": refund.id}, {"bank_reference": "FT26001"})


def register_training(s: Start) -> Request:
    return Request({"training_id": s.training().id}, {})


def new_listing(s: Start) -> Request:
    # The form's one-time token (core.submissions), as the page gives it; a fixed one, since
    # form_submissions.token is in the fingerprint and the data is built again for each run.
    form = {**_listing_form("tour", "Tour Đua Ghe Mới"), "form_token": "new-listing-form-token"}
    return Request({}, form)


def edit_listing(s: Start) -> Request:
    return Request({"listing_id": s.homestay().id}, _listing_form("homestay", "Homestay Đua"))


def set_capacity(s: Start) -> Request:
    form = {"cap-first": s.day(5), "cap-last": s.day(7), "cap-capacity": "3"}
    return Request({"listing_id": s.homestay().id}, form)


def set_closed(s: Start) -> Request:
    form = {"close-first": s.day(5), "close-last": s.day(7), "close-action": "close"}
    return Request({"listing_id": s.homestay().id}, form)


def _homestay_with_photos(s: Start) -> Listing:
    """The homestay with three photos (drawings: no files to make or remove)."""
    listing = s.homestay()
    for n in range(3):
        listing.images.append(
            ListingImage(path=f"img/tourism/listings/dua-ghe-{n}.svg", alt=f"Ảnh {n}", position=n)
        )
    db.session.commit()
    return listing


def _picture_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def upload_photos(s: Start) -> Request:
    # A fixed one-time token, as for the new listing (form_submissions.token is fingerprinted).
    form = {
        "form_token": "listing-photos-form-token",
        "photos": Upload(_picture_bytes(), "phong.png"),
    }
    return Request({"listing_id": _homestay_with_photos(s).id}, form)


def move_photo(s: Start) -> Request:
    listing = _homestay_with_photos(s)
    form = {"direction": "down", "seen": "0"}
    return Request({"listing_id": listing.id, "photo_id": listing.images[0].id}, form)


def cover_photo(s: Start) -> Request:
    listing = _homestay_with_photos(s)
    return Request({"listing_id": listing.id, "photo_id": listing.images[2].id}, {})


def delete_photo(s: Start) -> Request:
    listing = _homestay_with_photos(s)
    return Request({"listing_id": listing.id, "photo_id": listing.images[0].id}, {})


def photo_alt(s: Start) -> Request:
    listing = _homestay_with_photos(s)
    form = {"alt": "Phòng ngủ có mùng, nhìn ra vườn", "alt_en": "A bedroom with a mosquito net"}
    return Request({"listing_id": listing.id, "photo_id": listing.images[1].id}, form)


def booking_status(s: Start) -> Request:
    booking = s.booking(s.homestay())  # not instant: waits for the host
    form = {"to": "confirmed", "note": "Hẹn gặp", "next": "/dashboard/tourism/bookings"}
    return Request({"booking_id": booking.id}, form)


def record_refund(s: Start) -> Request:
    booking, refund = s.refund_due()
    form = {"refund_id": str(refund.id), "bank_reference": "FT26336123456"}
    return Request({"booking_id": booking.id}, form)


def request_booth(s: Start) -> Request:
    fair = s.fair()
    form = {
        "products": [str(s.product.id)], "contact_person": "Chị Lan",
        "contact_phone": "0912345678", "note": "Cần điện",
    }  # fmt: skip
    return Request({"slug": fair.slug, "code": "A1"}, form)


def join_waitlist(s: Start) -> Request:
    fair = s.fair(rows=1, cols=1)
    s.booth_request(fair, "A1", cooperative=s.neighbour())  # the only booth: the fair is full
    return Request({"slug": fair.slug}, {})


def cancel_booth_request(s: Start) -> Request:
    return Request({"request_id": s.booth_request(s.fair()).id}, {})


def moderate_cooperative(s: Start) -> Request:
    values = {"cooperative_id": s.cooperative.id, "action": "suspend"}
    return Request(values, {"reason": "Nhãn sai quy định"})


def hide_product(s: Start) -> Request:
    return Request({"product_id": s.product.id}, {"reason": "Ảnh không đúng sản phẩm"})


def recall_lot(s: Start) -> Request:
    return Request({"lot_id": s.lot().id}, {"reason": "Bao bì bị hở"})


def send_message_again(s: Start) -> Request:
    message = Message(
        event="order.placed", channel="mail", user_id=s.users["buyer"].id,
        address="lan@example.vn", language="vi", subject="Đơn hàng", text="Cảm ơn",
        status="failed", last_error="SMTPServerDisconnected",
    )  # fmt: skip
    db.session.add(message)
    db.session.commit()
    return Request({"message_id": message.id}, {})


def hide_listing(s: Start) -> Request:
    return Request({"listing_id": s.homestay().id}, {"reason": "Giá không rõ ràng"})


def rate_product(s: Start) -> Request:
    form = {
        "criteria": "148", "points_a": "35", "points_b": "20", "points_c": "25",
        "council_level": "province", "decision_number": "12/QĐ-UBND",
        "recognised_on": s.day(-10), "form_token": new_form_token(),
    }  # fmt: skip
    return Request({"product_id": s.product.id}, form)


def new_training(s: Start) -> Request:
    form = {
        "topic": "Chụp ảnh sản phẩm", "trainer": "Sở Công Thương", "place": "Vị Thanh",
        "day": s.day(21), "seats": "30", "form_token": new_form_token(),
    }  # fmt: skip
    return Request({}, form)


def attendance(s: Start) -> Request:
    return Request({"registration_id": s.registration().id}, {"attended": "1"})


def new_fair(s: Start) -> Request:
    grid = {
        "grid-rows": "2", "grid-cols": "3", "grid-pattern": "{row}{col}", "grid-zone": "Nông sản",
        "grid-size": "3 × 3 m", "grid-price": "1000000", "form_token": new_form_token(),
    }  # fmt: skip
    return Request({}, {**_fair_form(s, "Hội chợ Xuân Đua"), **grid})


def edit_fair(s: Start) -> Request:
    return Request({"fair_id": s.fair().id}, _fair_form(s, "Hội chợ Đua Ghe mùa nước nổi"))


def edit_booth(s: Start) -> Request:
    fair = s.fair()
    values = {"fair_id": fair.id, "booth_id": s.booth(fair, "A2").id}
    return Request(
        values, {"zone": "Thủ công", "size": "3 × 6 m", "price": "2000000", "closed": "1"}
    )


def decide_request(s: Start) -> Request:
    request = s.booth_request(s.fair())
    return Request({"request_id": request.id}, {"to": "approved", "reason": "Đủ điều kiện"})


STATEMENT = "Ngày giao dịch;Số tiền ghi có;Mô tả;Số tham chiếu"
STATEMENT_COLUMNS = {
    "date": "Ngày giao dịch", "amount": "Số tiền ghi có", "text": "Mô tả",
    "reference": "Số tham chiếu",
}  # fmt: skip


def _in_vietnam(moment):
    """A stored moment (naive UTC) as the bank writes it: Vietnam's time, a minute later."""
    return (moment.replace(tzinfo=UTC) + timedelta(minutes=1)).astimezone(VIETNAM)


def _statement_of(order) -> bytes:
    """A bank's CSV statement (lines above the table) with the order's transfer in it."""
    lines = [
        "SAO KÊ TÀI KHOẢN;;;", "Số tài khoản: 7700205123456;;;", STATEMENT,
        f"{_in_vietnam(order.created_at):%d/%m/%Y};{order.total:,};CK {reference_for(order.code)};FT1",
        f"{_in_vietnam(order.created_at):%d/%m/%Y};25.000;tien ai gui;FT2",
    ]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _notice_of(order) -> dict:
    return {
        "id": 92704, "gateway": "Agribank", "transactionDate": f"{_in_vietnam(order.created_at):%Y-%m-%d %H:%M:%S}",
        "accountNumber": "7700205123456", "code": None, "content": f"CK {reference_for(order.code)}",
        "transferType": "in", "transferAmount": order.total, "accumulated": 1_000_000,
        "subAccount": None, "referenceCode": "FT26335000001", "description": "",
    }  # fmt: skip


def sepay_notice(s: Start) -> Request:
    order = s.checkout("vietqr").orders[0]
    feed = feeds.feed_of(s.cooperative.id)
    headers = {"Authorization": f"Apikey {feed.api_key}"}
    return Request({"token": feed.token}, _notice_of(order), json=True, headers=headers)


def signed_notice(s: Start) -> Request:
    order = s.checkout("vietqr").orders[0]
    feed = feeds.feed_of(s.cooperative.id)
    key = feed.api_key.encode()  # read here: the request threads share no session

    def signature(body: bytes) -> dict:
        digest = hmac.new(key, body, hashlib.sha256).hexdigest()
        return {"X-Signature": f"sha256={digest}"}

    return Request({"token": feed.token}, _notice_of(order), json=True, headers=signature)


def rotate_key(s: Start) -> Request:
    feed = feeds.feed_of(s.cooperative.id)
    return Request({}, {"seen": feeds.key_fingerprint(feed.api_key)})


def upload_statement(s: Start) -> Request:
    order = s.checkout("vietqr").orders[0]
    feeds.save_statement_columns(s.cooperative.id, STATEMENT_COLUMNS)
    return Request({}, {"statement": Upload(_statement_of(order), "sao-ke.csv")})


def statement_columns(s: Start) -> Request:
    order = s.checkout("vietqr").orders[0]
    token = statements.keep(s.cooperative.id, "sao-ke.csv", _statement_of(order))
    form = {"upload": token, "header": "3", "action": "import", **STATEMENT_COLUMNS}
    return Request({}, form)


def _waiting_credit(s: Start):
    s.checkout("vietqr")
    order = s.checkout("vietqr").orders[0]  # two owe the same: the credit waits for a person
    line = BankLine("sepay", "77", order.created_at, order.total, "in", "chuyen tien")
    return order, matching.take_in(s.cooperative.id, line)


def assign_transaction(s: Start) -> Request:
    order, credit = _waiting_credit(s)
    return Request({"transaction_id": credit.id}, {"code": order.code})


def dismiss_transaction(s: Start) -> Request:
    _order, credit = _waiting_credit(s)
    return Request({"transaction_id": credit.id}, {})


ONE_DECISION = "a decision: the second click finds it made and must change nothing more"
ONE_MOVE = "a status move: the second click finds it moved and must change nothing more"
SAME_VALUES = "saves values: saving the same values twice is saving them once"
ONE_NEW_ROW = "a filled-in form for one new row: a double click must not make two"

# endpoint -> scenario. Renaming an endpoint is a change of its key here.
SCENARIOS = {
    # the shop
    "marketplace.cart_add": Scenario("buyer", cart_add, "each", "every click adds one more"),
    "marketplace.cart_update": Scenario("buyer", cart_update, "once", "sets the quantity to 3: " + SAME_VALUES),
    "marketplace.checkout": Scenario("buyer", checkout, "once", "one checkout form (form_token): one order", table="checkouts"),
    "marketplace.cancel_order": Scenario("buyer", cancel_order_by_buyer, "once", "cancelling: " + ONE_MOVE, columns={"reason": "orders.cancel_reason"}),
    "marketplace.order_received": Scenario("buyer", order_received, "once", "“Đã nhận hàng”: " + ONE_MOVE),
    # reviews: one per order line or booking (a unique key), one reply, the office's hiding
    "marketplace.review_line": Scenario("buyer", review_line, "once", "a review of an order line: " + ONE_NEW_ROW, table="product_reviews"),
    "tourism.review_booking": Scenario("buyer", review_booking, "once", "a review of a booking: " + ONE_NEW_ROW, table="listing_reviews"),
    "dashboard.reply_review": Scenario("cooperative", reply_product_review, "once", "the one reply: " + ONE_DECISION, columns={"reply": "product_reviews.reply"}),
    "tourism_host.reply_review": Scenario("cooperative", reply_listing_review, "once", "the one reply: " + ONE_DECISION, columns={"reply": "listing_reviews.reply"}),
    "admin.hide_review": Scenario("admin", hide_review, "once", "hiding a review (logged): " + ONE_DECISION, columns={"reason": "product_reviews.hidden_reason"}),
    # the buyer's address book
    "marketplace.addresses_page": Scenario("buyer", new_address, "once", "a new address (form_token): " + ONE_NEW_ROW, table="saved_addresses"),
    "marketplace.edit_address": Scenario("buyer", edit_address, "once", "the address changed and made the default: " + SAME_VALUES, table="saved_addresses"),
    "marketplace.delete_address": Scenario("buyer", delete_address, "once", "deletes the default, the other becomes it; the second click finds it gone"),
    "marketplace.default_address": Scenario("buyer", default_address, "once", "one default moves to another: " + ONE_DECISION),
    # trade fairs, for cooperatives
    "fairs.request_booth": Scenario("cooperative", request_booth, "once", "one booth request: " + ONE_NEW_ROW, table="booth_requests"),
    "fairs.join_waitlist": Scenario("cooperative", join_waitlist, "once", "one place in the waiting list"),
    "fairs.cancel_booth_request": Scenario("cooperative", cancel_booth_request, "once", "cancelling: " + ONE_MOVE),
    # the cooperative's dashboard
    "dashboard.new_product": Scenario("cooperative", new_product, "once", "a new product: " + ONE_NEW_ROW, table="products"),
    "dashboard.new_lot": Scenario("cooperative", new_lot, "once", "a packed lot: " + ONE_NEW_ROW, table="lots"),
    "dashboard.edit_product": Scenario("cooperative", edit_product, "once", SAME_VALUES, table="products"),
    "dashboard.inline_product": Scenario("cooperative", inline_product, "once", SAME_VALUES, table="products"),
    "dashboard.product_visibility": Scenario("cooperative", product_visibility, "once", "hides the product: " + SAME_VALUES),
    "dashboard.delete_image": Scenario("cooperative", delete_image, "once", "deletes one picture; the second click finds it gone"),
    "dashboard.profile": Scenario("cooperative", shop_profile, "once", "a new bank account (audited, the owner told once): " + SAME_VALUES, table="cooperatives"),
    "dashboard.order_status": Scenario("cooperative", order_status, "once", ONE_MOVE, columns={"note": "order_events.note"}),
    "dashboard.cancel_order": Scenario("cooperative", cancel_order_by_cooperative, "once", "cancelling (stock back once): " + ONE_MOVE, columns={"reason": "orders.cancel_reason"}),
    "dashboard.order_paid": Scenario("cooperative", order_paid, "once", "a transfer arrives once: " + ONE_MOVE),
    "dashboard.recall_lot": Scenario("cooperative", recall_lot, "once", "recalling a lot (logged, the buyers told once): " + ONE_DECISION, columns={"reason": "lots.recall_reason"}),
    "dashboard.order_refund": Scenario("cooperative", order_refund, "once", "recording a refund (logged, the buyer told): " + ONE_DECISION, columns={"bank_reference": "refunds.bank_reference"}),
    "dashboard.rotate_key": Scenario("cooperative", rotate_key, "once", "one new key: the second click carries the mark of the key it replaced"),
    "dashboard.upload_statement": Scenario("cooperative", upload_statement, "once", "the same statement twice is the same transactions (fingerprints)"),
    "dashboard.statement_columns": Scenario("cooperative", statement_columns, "once", "the columns saved and the kept statement imported once", table="bank_feeds"),
    "dashboard.assign_transaction": Scenario("cooperative", assign_transaction, "once", "a credit given to an order: " + ONE_DECISION),
    "dashboard.dismiss_transaction": Scenario("cooperative", dismiss_transaction, "once", "not for the shop: " + ONE_DECISION),
    "programme.register_training": Scenario("cooperative", register_training, "once", "one seat for the cooperative"),
    # tourism
    "tourism.book": Scenario("guest", book_tour, "once", "one booking form (form_token): one booking", table="bookings"),
    "tourism.cancel_booking": Scenario("buyer", cancel_booking, "once", "cancelling (capacity back once): " + ONE_MOVE),
    "tourism_host.new_listing": Scenario("cooperative", new_listing, "once", "a new listing: " + ONE_NEW_ROW, table="listings"),
    "tourism_host.edit_listing": Scenario("cooperative", edit_listing, "once", SAME_VALUES, table="listings"),
    "tourism_host.set_capacity": Scenario("cooperative", set_capacity, "once", SAME_VALUES, columns={"cap-capacity": "slots.capacity"}),
    "tourism_host.set_closed": Scenario("cooperative", set_closed, "once", SAME_VALUES),
    "tourism_host.booking_status": Scenario("cooperative", booking_status, "once", ONE_MOVE, columns={"note": "booking_events.note"}),
    "tourism_host.record_refund": Scenario("cooperative", record_refund, "once", "a refund given back (the guest told once): " + ONE_DECISION, columns={"bank_reference": "refunds.bank_reference"}),
    "tourism_host.photos_page": Scenario("cooperative", upload_photos, "once", "photos uploaded with a one-time token: a double click adds them once", table="listing_images"),
    "tourism_host.move_photo": Scenario("cooperative", move_photo, "once", "a move from the position the page showed: the second click finds it moved"),
    "tourism_host.cover_photo": Scenario("cooperative", cover_photo, "once", "a photo put first: " + SAME_VALUES),
    "tourism_host.delete_photo": Scenario("cooperative", delete_photo, "once", "deletes one photo, the others close up; the second click finds it gone"),
    "tourism_host.photo_alt": Scenario("cooperative", photo_alt, "once", SAME_VALUES, columns={"alt": "listing_images.alt"}),
    # bank notices, from SePay's servers (no session; the feed's key in a header)
    "payments_webhooks.sepay": Scenario("guest", sepay_notice, "once", "SePay sending the same notice again: one transaction, one payment", table="bank_transactions"),
    "payments_webhooks.signed": Scenario("guest", signed_notice, "once", "the same signed notice again: one transaction, one payment", table="bank_transactions"),
    # accounts
    "core.login": Scenario("guest", log_in, "once", "one login: the guest's cart joins the account once", table="users"),
    "core.logout": Scenario("buyer", log_out, "once", "one logout"),
    "core.register": Scenario("guest", register, "once", "one sign-up: " + ONE_NEW_ROW, table="users", columns={"cooperative_name": "cooperatives.name"}),
    "core.change_password": Scenario("buyer", change_password, "once", "sets the password: " + SAME_VALUES),
    "core.forgot_password": Scenario("guest", forgot_password, "once", "one reset mail: asked again within a minute, none more", columns={"email": "users.email"}),
    "core.reset_password": Scenario("guest", reset_password, "once", "sets the password through the mailed link: " + SAME_VALUES),
    # the OCOP office
    "admin.moderate_cooperative": Scenario("admin", moderate_cooperative, "once", "suspending: " + ONE_DECISION, columns={"reason": "cooperatives.moderation_reason"}),
    "admin.hide_product": Scenario("admin", hide_product, "once", "hiding (logged, the owner told): " + ONE_DECISION, columns={"reason": "products.hidden_reason"}),
    "admin.recall": Scenario("admin", recall_lot, "once", "recalling a lot (logged, the buyers told once): " + ONE_DECISION, columns={"reason": "lots.recall_reason"}),
    "admin.send_message_again": Scenario("admin", send_message_again, "once", "sending a failed message again (logged, sent once): " + ONE_DECISION),
    "admin.hide_listing": Scenario("admin", hide_listing, "once", "hiding (logged): " + ONE_DECISION, columns={"reason": "listings.hidden_reason"}),
    "admin.product_ratings": Scenario("admin", rate_product, "once", "rating a product: " + ONE_NEW_ROW, table="ocop_ratings"),
    "admin.admin_trainings": Scenario("admin", new_training, "once", "a new training: " + ONE_NEW_ROW, table="trainings"),
    "admin.attendance": Scenario("admin", attendance, "once", "marking present (logged): " + ONE_DECISION),
    "admin.new_fair": Scenario("admin", new_fair, "once", "a new fair and its booths: " + ONE_NEW_ROW, table="fairs", columns={"grid-zone": "booths.zone", "grid-size": "booths.size", "grid-pattern": "booths.code"}),
    "admin.edit_fair": Scenario("admin", edit_fair, "once", SAME_VALUES, table="fairs"),
    "admin.edit_booth": Scenario("admin", edit_booth, "once", SAME_VALUES, table="booths"),
    "admin.decide_request": Scenario("admin", decide_request, "once", "approving: " + ONE_DECISION, columns={"reason": "booth_requests.reason"}),
}  # fmt: skip


# --- running a scenario -----------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A scenario's request, ready to send as often as wanted from the same session."""

    endpoint: str
    url: str
    data: dict
    cookie: str | None  # the session cookie once logged in (and the guest's cart put in)
    json: bool = False
    headers: dict | Callable[[bytes], dict] | None = None

    def client(self, app):
        """A new test client carrying the prepared session (a second tab of the same browser:
        what a double click sends twice)."""
        client = app.test_client()
        if self.cookie is not None:
            client.set_cookie(app.config["SESSION_COOKIE_NAME"], self.cookie)
        return client

    def send(self, client, data: dict | None = None):
        """POST the request (or these data instead of its own) as a browser or a bank would:
        a form, its files as new streams; or a JSON body with its headers."""
        data = self.data if data is None else data
        if self.json:
            body = json.dumps(data).encode()
            headers = self.headers(body) if callable(self.headers) else self.headers
            return client.post(
                self.url, data=body, content_type="application/json", headers=headers or {}
            )
        form = {
            name: (io.BytesIO(value.content), value.filename)
            if isinstance(value, Upload)
            else value
            for name, value in data.items()
        }
        return client.post(self.url, data=form, headers=self.headers or {})


def url_for_rule(app, endpoint: str, values: dict) -> str:
    return app.url_map.bind("localhost").build(endpoint, values)


def reset() -> None:
    """Empty every table, as the db fixture does before each test."""
    db.session.rollback()
    _empty_tables()
    db.session.expunge_all()


def prepare(app, endpoint: str, today, setup=None) -> Prepared:
    """Empty the database, build the scenario's starting data, log its person in."""
    scenario = SCENARIOS[endpoint]
    reset()
    request = (setup or scenario.setup)(Start(today))
    db.session.commit()
    client = login(app, scenario.role)
    if request.session:
        with client.session_transaction() as session:
            session.update(request.session)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return Prepared(
        endpoint=endpoint,
        url=url_for_rule(app, endpoint, request.values),
        data=request.data,
        cookie=cookie.value if cookie is not None else None,
        json=request.json,
        headers=request.headers,
    )


# --- the database's fingerprint ---------------------------------------------------------------

# Made at random or from ids: the same data built twice differs there.
VOLATILE_COLUMNS = {"password_hash", "session_token", "form_token", "access_token", "search_text"}
VOLATILE_IN = {
    ("checkouts", "code"),
    ("orders", "code"),
    ("bookings", "code"),
    ("form_submissions", "token"),  # core.submissions: made at random for each form shown
    ("bank_feeds", "token"),  # payments.feeds: the webhook's address and key, made at random
    ("bank_feeds", "api_key"),
    ("statement_uploads", "token"),
    ("listing_images", "path"),  # core.uploads: an uploaded photo's name is made at random
    ("lots", "trace_code"),  # marketplace.lots: a lot's short trace code is drawn at random
}
_ID_CODES = re.compile(r"\b(?:HG|BK)-\d{4}-\d{6}(?:-\d+)?\b")  # checkout, order, booking codes
_REFERENCES = re.compile(r"\b(?:HG|BK)\d{10,16}[A-Z]\b")  # the same codes as transfer references
# The private links in the messages' text: ?token=… and a password reset link's /reset/….
_TOKENS = re.compile(r"(token=|/account/reset/)[\w.-]+")
# The moment a message tells (a bank account changed at 14:03): two builds a minute apart.
_TIMES = re.compile(r"\b\d{1,2}:\d{2}\b")


def stable_columns(table, volatile: bool = False) -> list:
    """The columns two builds of the same data agree on (volatile: also tokens, codes...)."""
    return [
        column
        for column in table.columns
        if not column.primary_key
        and not column.foreign_keys
        and not column.name.endswith("_id")  # ids without a foreign key (audit subjects)
        and not isinstance(column.type, DateTime)
        and (
            volatile
            or (
                column.name not in VOLATILE_COLUMNS and (table.name, column.name) not in VOLATILE_IN
            )
        )
    ]


def _stable(value):
    if not isinstance(value, str):
        return value
    value = _REFERENCES.sub("<code>", _ID_CODES.sub("<code>", value))
    return _TIMES.sub("<time>", _TOKENS.sub(r"\1<token>", value))


def fingerprint(volatile: bool = False) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    """table -> (stable column names, sorted rows of them). volatile: also the columns made at
    random (to see whether a request changed anything at all)."""
    db.session.rollback()  # end the test's snapshot: read what the requests committed
    found = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            columns = stable_columns(table, volatile)
            rows = connection.execute(select(*columns) if columns else select(table)).all()
            if not columns:  # only ids and keys: what counts is how many rows
                rows = [() for _row in rows]
            stable = [tuple(value if volatile else _stable(value) for value in row) for row in rows]
            found[table.name] = (tuple(c.name for c in columns), sorted(stable, key=repr))
    return found


def fingerprint_diff(first: dict, second: dict, first_name: str, second_name: str) -> str:
    """What differs, table by table, row by row; "" when nothing does."""
    lines = []
    for name in first:
        columns, rows = first[name]
        extra = Counter(rows) - Counter(second[name][1])
        missing = Counter(second[name][1]) - Counter(rows)
        if not extra and not missing:
            continue
        lines.append(f"  {name} ({', '.join(columns)}):")
        for row in sorted(extra.elements(), key=repr):
            lines.append(f"    only {first_name}: {_show(row)}")
        for row in sorted(missing.elements(), key=repr):
            lines.append(f"    only {second_name}: {_show(row)}")
    return "\n".join(lines)


def describe(error: BaseException) -> str:
    """An exception as the report needs it: the database's own message (not SQLAlchemy's
    "raised as a result of autoflush" preamble) and the deepest line of the app's code."""
    where = _where(error)  # "Type: message at place:line (code)"
    original = getattr(error, "orig", None)
    if original is None:
        return where
    message = str(original).splitlines()[0][:160] if str(original) else ""
    place = where[where.rfind(" at ") + 4 :] if " at " in where else ""
    return f"{type(error).__name__} ({type(original).__name__}: {message}) at {place}"


def _show(row: tuple) -> str:
    text = repr(row)
    return text if len(text) <= 300 else text[:297] + "..."
