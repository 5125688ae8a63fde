"""A walk over every route of the url map, as a guest, a buyer, an approved cooperative (which
owns the demo objects) and an admin:

1. no request answers 500: GET on every rule (also with junk query strings); POST on every
   rule that takes it, with an empty form, a junk form, and forms of "²" (a character that
   passes str.isdigit() but that int() refuses);
2. private areas turn the wrong role away: /admin and /dashboard send a guest to /login and
   answer 403 to the other roles; the right role gets 200 on every GET page;
3. malformed, hostile or huge values in the address give 404 (or the area's 302/403), never 500;
4. what belongs to one account (orders, bookings, products, listings, booth requests) is 404 to
   another.

The walk is complete: every rule is filled by `fill` or listed in SKIPPED with its reason, and
test_every_rule_is_walked fails when a new rule is neither.
"""

import re
import secrets
import traceback
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.security import generate_password_hash

from core.accounts import password_reset_token
from core.models import Message, User
from fairs import booths
from marketplace import addresses
from marketplace import checkout as checkouts
from marketplace.lots import record_lot
from marketplace.models import ProductReview
from payments import matching
from payments.matching import BankLine
from payments.models import Refund
from programme import trainings
from programme.models import Training
from tests.conftest import TEST_PASSWORD
from tests.tourism_fixtures import CONTACT
from tourism import bookings
from tourism.models import Listing, ListingImage, ListingReview

ROOT = Path(__file__).resolve().parents[1]

ROLES = ("guest", "buyer", "cooperative", "admin")

# Rules the walk does not call, each with its reason.
SKIPPED = {
    "static": "Flask's own static files, served by Werkzeug; no code of the app behind them",
}

# Under /dashboard but public: the pictures cooperatives upload are shown on public pages.
PUBLIC_UNDER_DASHBOARD = {"dashboard.upload"}
# Under /account but for anyone: a forgotten password is asked for and set without logging in.
PUBLIC_UNDER_ACCOUNT = {"core.forgot_password", "core.reset_password"}
# Rules whose argument is a signed link: a malformed one is the link's own page saying it does
# not work (and how to ask for a new one), with this status, rather than a bare 404.
SIGNED_LINK_STATUS = {"core.reset_password": 400}
# Rules whose argument names a secret feed (a bank feed's token in a webhook's address): a
# wrong one is refused like a wrong key, 401 in JSON, so a sender cannot tell which was wrong.
SECRET_ADDRESS_STATUS = {"payments_webhooks.sepay": 401, "payments_webhooks.signed": 401}
# Outside /dashboard but only for approved cooperatives (fairs.views).
COOPERATIVE_ONLY_ELSEWHERE = {"fairs.request_booth", "fairs.join_waitlist"}

# Rules whose ids belong to someone: (who owns them, who else must get 404).
ORDER_INTRUDERS = ("guest", "other_buyer", "other_cooperative", "admin")
SHOP_INTRUDERS = ("other_cooperative",)
OWNED = {
    "marketplace.order": (("buyer",), ORDER_INTRUDERS),
    "marketplace.cancel_order": (("buyer",), ORDER_INTRUDERS),
    "marketplace.order_qr": (("buyer",), ORDER_INTRUDERS),
    # A saved address: the guest is sent to log in first (/account).
    "marketplace.edit_address": (("buyer",), ORDER_INTRUDERS[1:]),
    "marketplace.default_address": (("buyer",), ORDER_INTRUDERS[1:]),
    # The host of the listing sees its bookings too (tourism.views._visible_booking).
    "tourism.booking": (("buyer", "cooperative"), ORDER_INTRUDERS),
    "tourism.booking_calendar_file": (("buyer", "cooperative"), ORDER_INTRUDERS),
    "tourism.cancel_booking": (("buyer", "cooperative"), ORDER_INTRUDERS),
    "tourism.booking_deposit": (("buyer", "cooperative"), ORDER_INTRUDERS),
    "dashboard.order": (("cooperative",), SHOP_INTRUDERS),
    "dashboard.cancel_order": (("cooperative",), SHOP_INTRUDERS),
    "dashboard.order_paid": (("cooperative",), SHOP_INTRUDERS),
    "dashboard.order_status": (("cooperative",), SHOP_INTRUDERS),
    "dashboard.order_refund": (("cooperative",), SHOP_INTRUDERS),
    "dashboard.recall_lot": (("cooperative",), SHOP_INTRUDERS),
    "dashboard.edit_product": (("cooperative",), SHOP_INTRUDERS),
    "dashboard.lot_labels_pdf": (("cooperative",), SHOP_INTRUDERS),
    "dashboard.delete_image": (("cooperative",), SHOP_INTRUDERS),
    "dashboard.inline_product": (("cooperative",), SHOP_INTRUDERS),
    "dashboard.product_visibility": (("cooperative",), SHOP_INTRUDERS),
    "dashboard.assign_transaction": (("cooperative",), SHOP_INTRUDERS),
    "dashboard.dismiss_transaction": (("cooperative",), SHOP_INTRUDERS),
    "tourism_host.listing": (("cooperative",), SHOP_INTRUDERS),
    "tourism_host.set_capacity": (("cooperative",), SHOP_INTRUDERS),
    "tourism_host.set_closed": (("cooperative",), SHOP_INTRUDERS),
    "tourism_host.edit_listing": (("cooperative",), SHOP_INTRUDERS),
    "tourism_host.booking_status": (("cooperative",), SHOP_INTRUDERS),
    "tourism_host.booking": (("cooperative",), SHOP_INTRUDERS),
    "tourism_host.record_refund": (("cooperative",), SHOP_INTRUDERS),
    "tourism_host.photos_page": (("cooperative",), SHOP_INTRUDERS),
    "tourism_host.move_photo": (("cooperative",), SHOP_INTRUDERS),
    "tourism_host.cover_photo": (("cooperative",), SHOP_INTRUDERS),
    "tourism_host.delete_photo": (("cooperative",), SHOP_INTRUDERS),
    "tourism_host.photo_alt": (("cooperative",), SHOP_INTRUDERS),
    "fairs.cancel_booth_request": (("cooperative",), SHOP_INTRUDERS),
    "marketplace.order_received": (("buyer",), ORDER_INTRUDERS),
    "marketplace.review_line": (("buyer",), ORDER_INTRUDERS),
    "tourism.review_booking": (("buyer", "cooperative"), ORDER_INTRUDERS),
    "dashboard.reply_review": (("cooperative",), SHOP_INTRUDERS),
    "tourism_host.reply_review": (("cooperative",), SHOP_INTRUDERS),
}
# Rules with ids under /dashboard, /orders or /bookings that belong to no one in particular.
NOT_OWNED = {
    "dashboard.upload": "public pictures, found by their random name",
    "programme.register_training": "the office's trainings, open to every cooperative",
}

JUNK_FORM = {
    "to": "junk",
    "reason": "x" * 400,
    "note": "<script>alert(1)</script>",
    "product_id": "99999999999999999999",
    "quantity": "-3",
    "price": "1e309",
    "stock": "99999999999999999999",
    "stock_seen": "abc",
    "first": "2020-02-30",
    "last": "9999-12-31",
    "capacity": "-1",
    "action": "open",
    "check_in": "not-a-date",
    "check_out": "0000-00-00",
    "guests": "99999999999999999999",
    "month": "9999-99",
    "email": "not-an-email",
    "password": "x",
    "name": "Ω" * 200,
    "next": "//evil.example/",
    "token": "junk",
    "active": "1",
    "attended": "1",
    "closed": "1",
    "zone": "z" * 100,
    "size": "s" * 50,
    "products": "abc",
    "form_token": "junk",
    "province": "Atlantis",
    "criteria": "nope",
    "points_a": "-1",
    "day": "2020-01-01",
    "seats": "-1",
    "current": "x",
    "new": "y",
    "confirm": "z",
    "account_type": "cooperative",
    "district_id": "abc",
    "grid-rows": "99999",
    "grid-cols": "99999",
    "bank_reference": "b" * 100,
}
# Fields that let a form pass validation, so that junk in the others reaches the code behind.
VALID_FIELDS = {"name": "Khóm mật", "group": "food", "unit": "kg", "price": "25000", "stock": "5"}
FORMS = ("empty", "junk", "superscript", "superscript_behind_valid_fields")


QUERY_KEYS = (
    "page", "status", "month", "year", "table", "from", "to", "who", "what", "province",
    "token", "lang", "next", "guests", "max_price", "min_price", "price", "stars", "sort",
    "group", "q", "district", "in_stock", "kind", "date", "check_in", "check_out",
)  # fmt: skip
QUERIES = {
    "superscript": dict.fromkeys(QUERY_KEYS, "²"),
    "huge": dict.fromkeys(QUERY_KEYS, "99999999999999999999"),
    "hostile": dict.fromkeys(QUERY_KEYS, "\x00<script>'--"),
}

BAD_INTS = ("0", "2147483648", "99999999999999999999", "-1", "abc")
BAD_STRINGS = (
    "\x00",
    "HG-0000-000000",
    "BK-0000-000000",
    "<script>alert(1)</script>",
    "x'--",
    "a" * 300,
    "../app.py",
    "Ω",
)

_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


# --- the world: four people and what they own ------------------------------------------------


@dataclass(frozen=True)
class World:
    emails: dict  # role -> email
    values: dict  # what fills a rule's arguments


def form_data(form: str, world: World) -> dict:
    """The POST body of a form of the walk. "²" passes str.isdigit() but int() refuses it."""
    if form == "empty":
        return {}
    if form == "junk":
        return dict(JUNK_FORM)
    superscript = dict.fromkeys(JUNK_FORM, "²")
    if form == "superscript":
        return superscript
    return {**superscript, **VALID_FIELDS, "product_id": str(world.values["product_id"])}


@cache
def _password_hash() -> str:
    return generate_password_hash(TEST_PASSWORD, method="scrypt")


def _account(db, role: str, label: str) -> User:
    user = User(email=f"{label}@walk.example", name=f"Người {label}", role=role)
    user.password_hash = _password_hash()  # hashed once: scrypt is slow on purpose
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture()
def world(app, db, make, today):
    users = {
        "buyer": _account(db, "buyer", "buyer"),
        "other_buyer": _account(db, "buyer", "other-buyer"),
        "cooperative": _account(db, "cooperative", "cooperative"),
        "other_cooperative": _account(db, "cooperative", "other-cooperative"),
        "admin": _account(db, "admin", "admin"),
    }
    district = make.district()
    mine = make.cooperative(
        "HTX Đi Khắp", district=district, owner=users["cooperative"], bank_bin="970405",
        bank_account="7700205123456", bank_account_name="HTX DI KHAP",
    )  # fmt: skip
    theirs = make.cooperative("HTX Hàng Xóm", district=district, owner=users["other_cooperative"])
    # Not a demo GTIN: the browser walks load the demo data into this world too.
    product = make.product("Khóm Đi Khắp", mine, stock=50, gtin="08938602990011")
    lot = record_lot(product, quantity=10, packed_on=today, area_code="HG-VT-1")
    make.product("Cá Hàng Xóm", theirs)
    listing = Listing(
        host=mine, kind="homestay", slug="homestay-di-khap", title="Homestay Đi Khắp",
        district_id=district.id, price=300_000, capacity=2, max_guests=2,
    )  # fmt: skip
    their_listing = Listing(
        host=theirs, kind="tour", slug="tour-hang-xom", title="Tour Hàng Xóm",
        district_id=district.id, price=100_000, capacity=10, max_guests=4,
    )  # fmt: skip
    listing.images.append(ListingImage(path="img/tourism/homestay.svg", alt="Nhà", position=0))
    db.session.add_all([listing, their_listing])
    db.session.commit()

    checkout = checkouts.place_order(
        {product.id: 2},
        checkouts.DeliveryDetails(
            name="Nguyễn Thị Lan",
            phone="0912345678",
            email="lan@example.vn",
            province="Cần Thơ",
            ward="Phường Ninh Kiều",
            street="12 Mậu Thân",
            note="",
            payment_method="vietqr",  # by transfer: its QR picture is one of the routes
        ),
        buyer_id=users["buyer"].id,
        form_token=checkouts.new_form_token(),
        fees=app.config["DELIVERY_FEES"],
        free_from=app.config["FREE_DELIVERY_FROM"],
    )
    booking = bookings.book(
        listing.id,
        check_in=today + timedelta(days=10),
        check_out=today + timedelta(days=11),
        guests=2,
        contact=CONTACT,
        user_id=users["buyer"].id,
        form_token=bookings.new_form_token(),
        today=today,
    )
    fair = booths.create_fair(
        rows=2, cols=2, pattern="{row}{col}", zone="Nông sản", size="3 × 3 m", price=1_000_000,
        name="Hội chợ Đi Khắp", venue="Quảng trường", address="TP Vị Thanh",
        starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=33),
        registration_deadline=today + timedelta(days=20), hold_hours=48,
    )  # fmt: skip
    db.session.commit()
    booth = fair.booths[0]
    booth_request = booths.request_booth(
        fair.id, booth.id, mine, product_ids=[product.id], contact_person="Chị Lan",
        contact_phone="0912345678", note="", today=today,
    )  # fmt: skip
    training = Training(
        topic="Bán hàng trực tuyến", trainer="Sở Công Thương", place="Vị Thanh",
        day=today + timedelta(days=14), seats=20,
    )  # fmt: skip
    db.session.add(training)
    db.session.commit()
    registration = trainings.register(training.id, mine.id, "Chị Lan", today)
    message = Message(
        event="order.placed", channel="mail", user_id=users["buyer"].id, address="lan@example.vn",
        language="vi", subject="Đơn hàng", text="Cảm ơn", status="failed",
    )  # fmt: skip
    db.session.add(message)
    refund = Refund(
        payee_id=mine.id, payable_kind="order", payable_id=checkout.orders[0].id, amount=5_000,
        reason="overpaid",
    )  # fmt: skip
    db.session.add(refund)
    db.session.commit()
    address = addresses.add_address(
        users["buyer"].id,
        {
            "name": "Nguyễn Thị Lan", "phone": "02933876543", "province": "Cần Thơ",
            "ward": "Phường Ninh Kiều", "street": "12 Mậu Thân",
        },
    )  # fmt: skip
    credit = matching.take_in(
        mine.id, BankLine("sepay", "1", checkout.created_at, 12_345, "in", "chuyen tien")
    )
    # A review of the order's line and one of the booking (written as rows: the walk's order
    # is not delivered, its booking not completed), both first of their tables: id 1.
    line = checkout.orders[0].lines[0]
    product_review = ProductReview(
        order_line_id=line.id, product_id=line.product_id, user_id=users["buyer"].id,
        author_name="Lan N.", stars=5, body="Khóm ngọt, giao nhanh.",
    )  # fmt: skip
    listing_review = ListingReview(
        booking_id=booking.id, listing_id=listing.id, user_id=users["buyer"].id,
        author_name="Lan N.", stars=4,
    )  # fmt: skip
    db.session.add_all([product_review, listing_review])
    db.session.commit()
    assert product_review.id == listing_review.id
    upload = Path(app.config["UPLOAD_FOLDER"]) / f"{secrets.token_hex(16)}.webp"
    upload.write_bytes(b"RIFF0000WEBP")  # served as it is; no one decodes it

    values = {
        "product_slug": product.slug,
        "cooperative_slug": mine.slug,
        "listing_slug": listing.slug,
        "fair_slug": fair.slug,
        "checkout_code": checkout.code,
        "booking_code": booking.code,
        "booth_code": booth.code,
        "product_id": product.id,
        "order_id": checkout.orders[0].id,
        "order_code": checkout.orders[0].code,
        "refund_id": refund.id,
        "booking_id": booking.id,
        "listing_id": listing.id,
        "photo_id": listing.images[0].id,
        "request_id": booth_request.id,
        "registration_id": registration.id,
        "training_id": training.id,
        "cooperative_id": mine.id,
        "image_id": product.images[0].id,
        "booth_id": booth.id,
        "fair_id": fair.id,
        "message_id": message.id,
        "transaction_id": credit.id,
        "address_id": address.id,
        "lot_id": lot.id,
        "trace_code": lot.trace_code,
        # The GS1 Digital Link's path after /01/: the GTIN, then the lot (/10/).
        "rest": f"{product.gtin}/10/{lot.code}",
        "line_id": line.id,
        "review_id": product_review.id,
        "kind": "product",
        "action": "approve",
        "name": upload.name,
        "token": password_reset_token(users["buyer"]),  # the buyer's password reset link
    }
    yield World(emails={role: user.email for role, user in users.items()}, values=values)
    upload.unlink(missing_ok=True)


# --- filling rules, and who may call them ------------------------------------------------------

SLUG_BY_PREFIX = {
    "/products/": "product_slug",
    "/cooperatives/": "cooperative_slug",
    "/tourism/": "listing_slug",
    "/fairs/": "fair_slug",
}
CODE_BY_PREFIX = {
    "/orders/": "checkout_code",
    "/bookings/": "booking_code",
    "/t/": "trace_code",
    "/fairs/": "booth_code",
}


def _by_prefix(table: dict, path: str) -> str | None:
    return next((key for prefix, key in table.items() if path.startswith(prefix)), None)


def argument(rule, name: str, world: World):
    """The value of one argument of a rule in this world, None if the walk cannot fill it."""
    if name == "slug":
        key = _by_prefix(SLUG_BY_PREFIX, rule.rule)
    elif name == "code":
        key = _by_prefix(CODE_BY_PREFIX, rule.rule)
    else:
        key = name
    return world.values.get(key) if key else None


def fill(rule, world: World) -> dict | None:
    values = {name: argument(rule, name, world) for name in rule.arguments}
    return None if any(value is None for value in values.values()) else values


def converters(rule) -> dict:
    """argument name -> converter name ("default", "int", ...), read from the rule's text."""
    return {m["name"]: m["converter"] or "default" for m in _ARGUMENT.finditer(rule.rule)}


def path_for(rule, values: dict, *, quoted: bool = True) -> str:
    def value(match):
        text = str(values[match["name"]])
        return quote(text, safe="") if quoted else text

    return _ARGUMENT.sub(value, rule.rule)


def walked_rules(app) -> list:
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED]
    return sorted(rules, key=lambda rule: (rule.rule, rule.endpoint))


def _under(rule, prefix: str) -> bool:
    return rule.rule == prefix or rule.rule.startswith(prefix + "/")


def area(rule) -> str | None:
    """Whose part of the site the rule is: "admin", "cooperative", "account", or None (public)."""
    if rule.endpoint in PUBLIC_UNDER_DASHBOARD | PUBLIC_UNDER_ACCOUNT:
        return None
    if _under(rule, "/admin"):
        return "admin"
    if _under(rule, "/dashboard") or rule.endpoint in COOPERATIVE_ONLY_ELSEWHERE:
        return "cooperative"
    if _under(rule, "/account"):
        return "account"
    return None


def denial(rule, role: str) -> int | None:
    """The status that turns this role away from the rule, None if the role may come in."""
    place = area(rule)
    if place is None or role == place or (place == "account" and role != "guest"):
        return None
    return 302 if role == "guest" else 403


# --- calling and collecting failures -----------------------------------------------------------


def client_for(app, world: World, role: str):
    client = app.test_client()
    if role != "guest":
        response = client.post(
            "/login", data={"email": world.emails[role], "password": TEST_PASSWORD}
        )
        assert response.status_code == 302, f"{role} could not log in"
    return client


def _where(error: BaseException) -> str:
    """The exception and the deepest line of the app's own code it went through."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [
        f for f in frames
        if f.filename.startswith(str(ROOT)) and "/.venv/" not in f.filename
        and "/tests/" not in f.filename
    ]  # fmt: skip
    frame = (ours or frames)[-1]
    message = str(error).splitlines()[0][:160] if str(error) else ""
    place = Path(frame.filename)
    place = place.relative_to(ROOT) if place.is_relative_to(ROOT) else place
    return f"{type(error).__name__}: {message} at {place}:{frame.lineno} ({frame.line})"


class Walk:
    def __init__(self):
        self.failures: list[str] = []
        self.calls = 0

    def call(self, client, role, method, url, *, data=None, expect=None):
        """One request; a failure is noted when it raises, answers 5xx, or answers a status not
        in expect. A 302 that turns a guest away must lead to /login."""
        self.calls += 1
        shown = url if len(url) <= 100 else url[:97] + "..."
        try:
            response = client.open(url, method=method, data=data)
        except Exception as error:  # TESTING re-raises what would have been a 500
            self.failures.append(f"{method} {shown} as {role}: 500, {_where(error)}")
            return None
        status = response.status_code
        if status >= 500 or (expect is not None and status not in expect):
            wanted = f", expected {'/'.join(map(str, sorted(expect)))}" if expect else ""
            self.failures.append(f"{method} {shown} as {role}: {status}{wanted}")
        elif status == 302 and expect == {302} and role == "guest":
            target = urlsplit(response.location).path
            if target != "/login":
                self.failures.append(f"{method} {shown} as {role}: 302 to {target}, not /login")
        return response

    def check(self):
        assert not self.failures, f"{len(self.failures)} of {self.calls} requests failed:\n" + (
            "\n".join(self.failures)
        )


# --- the walk is complete ----------------------------------------------------------------------


def test_every_rule_is_walked(app, world):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unfilled = [
        f"{rule.rule} ({rule.endpoint}): fill it in test_routes.fill or add it to SKIPPED"
        for rule in walked_rules(app)
        if fill(rule, world) is None
    ]
    stale = [
        f"SKIPPED names {name}, which is no route" for name in SKIPPED if name not in endpoints
    ]
    assert not unfilled + stale, "\n".join(unfilled + stale)


def test_every_rule_with_someones_ids_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    loose = [
        f"{rule.rule} ({rule.endpoint}): add it to OWNED or NOT_OWNED"
        for rule in walked_rules(app)
        if rule.arguments
        and any(_under(rule, p) for p in ("/dashboard", "/orders", "/bookings"))
        and rule.endpoint not in OWNED
        and rule.endpoint not in NOT_OWNED
    ]
    stale = [f"{name} is no route" for name in [*OWNED, *NOT_OWNED] if name not in endpoints]
    assert not loose + stale, "\n".join(loose + stale)


# --- 1 and 2: every rule, every role -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_get_every_route(app, world, role):
    client = client_for(app, world, role)
    walk = Walk()
    for rule in walked_rules(app):
        url = path_for(rule, fill(rule, world))
        if "GET" not in rule.methods:
            expect = {405}
        elif (status := denial(rule, role)) is not None:
            expect = {status}
        elif area(rule) is not None:
            expect = {200}  # the right role on its own pages
        else:
            expect = None
        walk.call(client, role, "GET", url, expect=expect)
    walk.check()


@pytest.mark.parametrize("query", sorted(QUERIES))
@pytest.mark.parametrize("role", ROLES)
def test_get_every_route_with_a_junk_query(app, world, role, query):
    client = client_for(app, world, role)
    walk = Walk()
    for rule in walked_rules(app):
        if "GET" in rule.methods:
            url = path_for(rule, fill(rule, world)) + "?" + urlencode(QUERIES[query])
            status = denial(rule, role)
            walk.call(client, role, "GET", url, expect=None if status is None else {status})
    walk.check()


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("role", ROLES)
def test_post_every_route(app, world, role, form):
    client = client_for(app, world, role)
    walk = Walk()
    rules = [rule for rule in walked_rules(app) if "POST" in rule.methods]
    rules.sort(key=lambda rule: rule.endpoint == "core.logout")  # logging out comes last
    for rule in rules:
        status = denial(rule, role)
        walk.call(
            client,
            role,
            "POST",
            path_for(rule, fill(rule, world)),
            data=form_data(form, world),
            expect=None if status is None else {status},
        )
    walk.check()


# --- 3: malformed, hostile and huge values -----------------------------------------------------


def malformed_calls(app, world: World):
    """(rule, method, url, routed) for every argument of every rule, one bad value at a time;
    routed is False when the value already fails the converter (plain 404 from routing)."""
    adapter = app.url_map.bind("localhost")
    for rule in walked_rules(app):
        if not rule.arguments:
            continue
        good = fill(rule, world)
        method = "GET" if "GET" in rule.methods else "POST"
        for name, converter in converters(rule).items():
            for bad in BAD_INTS if converter == "int" else BAD_STRINGS:
                values = {**good, name: bad}
                try:
                    endpoint, _args = adapter.match(path_for(rule, values, quoted=False), method)
                except (NotFound, MethodNotAllowed):
                    yield rule, method, path_for(rule, values), False
                    continue
                if endpoint == rule.endpoint:  # else the value made it another route's address
                    yield rule, method, path_for(rule, values), True


@pytest.mark.parametrize("role", ROLES)
def test_malformed_values_are_404(app, world, role):
    client = client_for(app, world, role)
    walk = Walk()
    for rule, method, url, routed in malformed_calls(app, world):
        turned_away = denial(rule, role)
        expect = {turned_away} if routed and turned_away is not None else {404}
        if routed and rule.endpoint in SIGNED_LINK_STATUS:
            expect = {SIGNED_LINK_STATUS[rule.endpoint]}
        if routed and rule.endpoint in SECRET_ADDRESS_STATUS:
            expect = {SECRET_ADDRESS_STATUS[rule.endpoint]}
        if "%00" in url:
            expect = {404}  # a NUL byte in the address is refused before any route is chosen
        walk.call(client, role, method, url, data={}, expect=expect)
    walk.check()


# --- 4: someone else's ids ---------------------------------------------------------------------


def test_other_accounts_get_404(app, world):
    roles = {role for owners, intruders in OWNED.values() for role in (*owners, *intruders)}
    clients = {role: client_for(app, world, role) for role in sorted(roles)}
    walk = Walk()
    owned = [rule for rule in walked_rules(app) if rule.endpoint in OWNED]
    assert {rule.endpoint for rule in owned} == set(OWNED)
    for rule in owned:
        url = path_for(rule, fill(rule, world))
        _owners, intruders = OWNED[rule.endpoint]
        for method in sorted(rule.methods & {"GET", "POST"}):
            for intruder in intruders:
                walk.call(clients[intruder], intruder, method, url, data={}, expect={404})
    # The same addresses work for their owners: the 404s above are about who asks.
    for rule in owned:
        if "GET" in rule.methods:
            for owner in OWNED[rule.endpoint][0]:
                url = path_for(rule, fill(rule, world))
                walk.call(clients[owner], owner, "GET", url, expect={200})
    walk.check()
