"""Races and rate limits against the served app: the real gunicorn with several worker
processes, people talking HTTP with their own cookies (tests/served.py). On a fresh SQLite file,
or on PostgreSQL with TEST_DATABASE_URL.

Each person comes from a loopback address of its own, as different buyers do, except where a
test is about people behind one address (the 30 guests are all 127.0.0.1). So a race is not
decided by a per-address rate limit, and each test fails for its own reason only.

On failure the message ends with what gunicorn logged meanwhile (exceptions, first traceback).
"""

import http.client
import json
import re
import time
from datetime import time as clock_time
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update

from core import clock
from core.extensions import db
from core.models import User
from marketplace import lots
from marketplace.addresses import add_address
from marketplace.models import (
    CartItem,
    Checkout,
    Lot,
    Order,
    OrderLine,
    OrderLineLot,
    Product,
    SavedAddress,
)
from payments import feeds
from payments.models import BankTransaction
from payments.references import reference_for
from tests.conftest import TEST_PASSWORD, Factories
from tests.served import (
    REQUEST_TIMEOUT,
    TOO_MANY_REQUESTS,
    Person,
    at_once,
    fresh_address,
    in_parallel,
    not_available,
    serve,
)
from tests.test_webhooks import (
    as_sepay_sends,
    notice,
    notices_for,
    paced,
    place_orders,
    report,
)
from tourism.models import Booking, Listing, ListingImage


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = serve(tmp_path_factory.mktemp("served"))
    yield served
    served.stop()


@pytest.fixture()
def log_mark(server):
    """Where the server's log stood when the test began (see server.explain)."""
    return server.log_position()


@pytest.fixture()
def shared_limits(server):
    """The rate-limit tests need the counts every worker shares (Redis)."""
    if not server.rate_limits_shared:
        not_available(
            "No Redis on 127.0.0.1:6379: with memory storage each gunicorn worker counts "
            "for itself, so the served rate-limit tests cannot run."
        )


# --- what people do -----------------------------------------------------------------------


def buyers(make: Factories, count: int) -> list[str]:
    """The emails of count new buyers, all with TEST_PASSWORD (hashed once: scrypt is slow)."""
    first = make.user(name="Người mua 1")
    users = [first] + [
        User(email=f"buyer-{first.id}-{n}@example.vn", name=f"Người mua {n}", role="buyer")
        for n in range(2, count + 1)
    ]
    for user in users[1:]:
        user.password_hash = first.password_hash
    db.session.add_all(users[1:])
    db.session.commit()
    return [user.email for user in users]


def log_in(person: Person, email: str, password: str = TEST_PASSWORD):
    form = person.get("/login")
    return person.post(
        "/login", {"csrf_token": form.csrf_token(), "email": email, "password": password}
    )


def logged_in(server, email: str, lands_on: str = "/account") -> Person:
    person = Person(server.url, fresh_address(), label=email)
    page = log_in(person, email)
    assert page.status == 200 and page.path == lands_on, f"{email}: {page.describe()}"
    return person


def add_to_cart(person: Person, slug: str, product_id: int):
    here = f"/products/{slug}"
    page = person.get(here)
    assert page.status == 200, f"{person}: {page.describe()}"
    data = {"csrf_token": page.csrf_token(), "product_id": product_id, "quantity": 1, "next": here}
    return person.post("/cart/add", data)


def transfer_shop(make: Factories):
    """A cooperative with a bank account: its buyers may pay by VietQR, as checkout_form does."""
    return make.cooperative(
        bank_bin="970405", bank_account="7700205123456", bank_account_name="HTX THU"
    )


def checkout_form(person: Person) -> dict:
    """The checkout form as the page gives it (tokens), filled in."""
    page = person.get("/checkout")
    assert page.status == 200 and page.path == "/checkout", f"{person}: {page.describe()}"
    hidden = page.hidden_fields()
    assert hidden.get("form_token"), f"{person}: no form_token on /checkout"
    return {
        "csrf_token": hidden["csrf_token"],
        "form_token": hidden["form_token"],
        "name": "Nguyễn Thị Lan",
        "phone": "0912 345 678",
        "email": "lan@example.vn",
        "province": "Cần Thơ",
        "ward": "Phường Vị Thanh",
        "street": "8 Ngô Quốc Trị",
        "note": "",
        "payment_method": "vietqr",
    }


def order_code(page) -> str | None:
    """The checkout code of an order page (/orders/HG-2026-000123?token=...), if it is one."""
    if page.status == 200 and page.path.startswith("/orders/"):
        return page.path.removeprefix("/orders/")
    return None


def problem(person: Person, outcome) -> str:
    if isinstance(outcome, Exception):
        return f"{person}: {type(outcome).__name__}: {outcome}"
    return f"{person}: {outcome.describe()}"


# --- checkout -----------------------------------------------------------------------------


def test_30_buyers_10_logged_in_race_for_the_last_5_units(server, log_mark):
    """30 buyers, 10 of them logged in, each with the product in the cart, all press "order" at
    once for the 5 in stock: 5 orders, each winner sees its order page, each of the others a
    page saying it sold out (not the 500 page, not 429)."""
    with server.data():
        make = Factories()
        product = make.product("Cá thát lát rút xương", transfer_shop(make), stock=5, price=185_000)
        slug, product_id, name = product.slug, product.id, product.name
        emails = buyers(make, 10)
    people = in_parallel(lambda email: logged_in(server, email), emails)
    guests = [Person(server.url, fresh_address(), label=f"guest {n}") for n in range(20)]

    def prepare(person):
        added = add_to_cart(person, slug, product_id)
        assert added.status == 200 and "Đã thêm vào giỏ" in added.text, (
            f"{person}: {added.describe()}{server.explain(log_mark)}"
        )
        return person, checkout_form(person)

    # What is raced here is the checkout, not the cart: the logged-in buyers fill their carts
    # (rows in the database) one after the other; the guests' carts are in their cookies.
    ready = [prepare(person) for person in people] + in_parallel(prepare, guests)
    people += guests
    outcomes = at_once(lambda pair: pair[0].post("/checkout", pair[1]), ready)

    winners, problems = {}, []
    sold_out = (f"{name} vừa hết hàng", "Giỏ hàng có sản phẩm hết hàng")
    for person, outcome in zip(people, outcomes, strict=True):
        if isinstance(outcome, Exception) or outcome.is_error_page():
            problems.append(problem(person, outcome))
        elif code := order_code(outcome):
            winners[code] = person
            if code not in outcome.text:
                problems.append(f"{person}: the order page does not show {code}")
        elif (
            outcome.status not in (200, 409, 422)
            or outcome.is_too_many_requests()
            or not any(message in outcome.text for message in sold_out)
        ):
            problems.append(problem(person, outcome))

    with server.data() as session:
        codes = set(
            session.scalars(
                select(Checkout.code)
                .join(Order, Order.checkout_id == Checkout.id)
                .join(OrderLine, OrderLine.order_id == Order.id)
                .where(OrderLine.product_id == product_id)
            )
        )
        orders = session.scalar(
            select(func.count(Order.id))
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(OrderLine.product_id == product_id)
        )
        stock = session.get(Product, product_id).stock
    assert not problems, "\n".join(problems) + server.explain(log_mark)
    assert (orders, stock) == (5, 0), server.explain(log_mark)
    assert set(winners) == codes, server.explain(log_mark)


def test_30_guests_race_for_two_lots_of_3_and_2(server, log_mark):
    """The units of two lots (3 expiring first, then 2), raced for by 30 guests: 5 orders,
    each line's units recorded from the lots first-expiring-first, no lot below zero."""
    with server.data():
        make = Factories()
        product = make.product("Cá thát lát tươi", transfer_shop(make), stock=0, price=185_000)
        day = clock.today()
        first = lots.record_lot(product, quantity=3, packed_on=day, expires_on=day + timedelta(3))
        second = lots.record_lot(product, quantity=2, packed_on=day, expires_on=day + timedelta(5))
        slug, product_id, lot_ids = product.slug, product.id, (first.id, second.id)
    guests = [Person(server.url, fresh_address(), label=f"guest {n}") for n in range(30)]
    ready = in_parallel(lambda person: (add_to_cart(person, slug, product_id), person)[1], guests)
    outcomes = at_once(lambda person: person.post("/checkout", checkout_form(person)), ready)
    problems = [
        problem(person, outcome)
        for person, outcome in zip(ready, outcomes, strict=True)
        if isinstance(outcome, Exception) or outcome.is_error_page()
    ]
    won = [
        code
        for outcome in outcomes
        if not isinstance(outcome, Exception) and (code := order_code(outcome))
    ]
    with server.data() as session:
        lines = session.scalars(select(OrderLine).where(OrderLine.product_id == product_id)).all()
        per_line = [sum(taken.quantity for taken in line.lots) for line in lines]
        left = [session.get(Lot, lot_id).units_left for lot_id in lot_ids]
        per_lot = dict(
            session.execute(
                select(OrderLineLot.lot_id, func.sum(OrderLineLot.quantity))
                .where(OrderLineLot.lot_id.in_(lot_ids))
                .group_by(OrderLineLot.lot_id)
            ).all()
        )
        stock = session.get(Product, product_id).stock
    assert not problems, "\n".join(problems) + server.explain(log_mark)
    assert (len(won), len(lines), per_line) == (5, 5, [1] * 5), server.explain(log_mark)
    assert (left, per_lot, stock) == ([0, 0], dict(zip(lot_ids, (3, 2), strict=True)), 0)


# --- the cart -----------------------------------------------------------------------------


def test_logged_in_double_click_on_add_to_cart(server, log_mark):
    """Two POST /cart/add at once with the same session, for a few products: no 500, and the
    cart has one line per product, of 1 or 2, as its page says."""
    with server.data():
        make = Factories()
        cooperative = make.cooperative()
        made = [make.product(cooperative=cooperative) for _ in range(3)]
        products = [(product.slug, product.id) for product in made]
        email = make.user(name="Người bấm hai lần").email
    person = logged_in(server, email)

    problems = []
    for slug, product_id in products:
        page = person.get(f"/products/{slug}")
        data = {"csrf_token": page.csrf_token(), "product_id": product_id, "quantity": 1}
        for outcome in at_once(lambda d: person.post("/cart/add", d), [data, data]):
            if isinstance(outcome, Exception) or outcome.is_error_page() or outcome.status != 200:
                problems.append(f"product {product_id}: {problem(person, outcome)}")

    cart = person.get("/cart")
    with server.data() as session:
        lines = session.execute(
            select(CartItem.product_id, CartItem.quantity)
            .join(User, User.id == CartItem.user_id)
            .where(User.email == email)
        ).all()
    assert not problems, "\n".join(problems) + server.explain(log_mark)
    assert sorted(product_id for product_id, _ in lines) == sorted(p for _, p in products)
    assert all(quantity in (1, 2) for _, quantity in lines), lines
    total = sum(quantity for _, quantity in lines)
    shown = re.search(r'id="cart-count"[^>]*>(\d+)</span>', cart.text)
    assert cart.status == 200 and shown and int(shown.group(1)) == total, cart.describe()


def test_make_default_pressed_on_three_addresses_at_once_leaves_one_default(server, log_mark):
    """A buyer with three saved addresses presses "make default" on all three at once (three
    tabs), a few times: no error page, and every time exactly one default."""
    with server.data():
        make = Factories()
        email = make.user(name="Người có ba địa chỉ").email
    with server.data() as session:
        buyer_id = session.scalar(select(User.id).where(User.email == email))
        wards = ("Phường Ninh Kiều", "Phường Cái Khế", "Phường Tân An")
        for n, ward in enumerate(wards):
            add_address(
                buyer_id,
                {"name": "Lan", "phone": "0912345678", "province": "Cần Thơ", "ward": ward,
                 "street": f"{n + 1} Mậu Thân"},
            )  # fmt: skip
    with server.data() as session:
        ids = session.scalars(select(SavedAddress.id).where(SavedAddress.user_id == buyer_id)).all()
    person = logged_in(server, email)

    problems, defaults = [], []
    for _ in range(4):
        token = person.get("/account/addresses").csrf_token()
        outcomes = at_once(
            lambda address_id, token=token: person.post(
                f"/account/addresses/{address_id}/default", {"csrf_token": token}
            ),
            ids,
        )
        for outcome in outcomes:
            if isinstance(outcome, Exception) or outcome.is_error_page() or outcome.status != 200:
                problems.append(problem(person, outcome))
        with server.data() as session:
            defaults.append(
                session.scalar(
                    select(func.count())
                    .select_from(SavedAddress)
                    .where(SavedAddress.user_id == buyer_id, SavedAddress.is_default)
                )
            )
    assert not problems, "\n".join(problems) + server.explain(log_mark)
    assert defaults == [1, 1, 1, 1]


# --- tourism ------------------------------------------------------------------------------


def test_cover_pressed_on_three_photos_at_once_keeps_one_order(server, log_mark):
    """A host presses "make cover" on three photos at once (three tabs), a few times: no error
    page, and the photos' positions stay 0, 1, 2, 3, one cover each time."""
    with server.data():
        make = Factories()
        owner = make.user(role="cooperative", name="Chủ nhà có bốn ảnh")
        host = make.cooperative("HTX Homestay Bốn Ảnh", kind="household", owner=owner)
        email, host_id, district_id = owner.email, host.id, host.district_id
    with server.data() as session:
        listing = Listing(
            host_id=host_id, kind="homestay", slug=f"homestay-bon-anh-{host_id}",
            title="Homestay bốn ảnh", district_id=district_id, price=450_000,
            capacity=2, max_guests=3,
        )  # fmt: skip
        listing.images = [
            ListingImage(path=f"img/tourism/listings/dua-ghe-{n}.svg", alt=f"Ảnh {n}", position=n)
            for n in range(4)
        ]
        session.add(listing)
        session.commit()
        listing_id = listing.id
        photo_ids = [image.id for image in listing.images]
    person = logged_in(server, email, lands_on="/dashboard")
    page_url = f"/dashboard/tourism/{listing_id}/photos"

    problems, orders = [], []
    for _ in range(3):
        token = person.get(page_url).csrf_token()
        outcomes = at_once(
            lambda photo_id, token=token: person.post(
                f"{page_url}/{photo_id}/cover", {"csrf_token": token}
            ),
            photo_ids[1:],
        )
        for outcome in outcomes:
            if isinstance(outcome, Exception) or outcome.is_error_page() or outcome.status != 200:
                problems.append(problem(person, outcome))
        with server.data() as session:
            positions = session.scalars(
                select(ListingImage.position)
                .where(ListingImage.listing_id == listing_id)
                .order_by(ListingImage.position)
            ).all()
            orders.append(list(positions))
    assert not problems, "\n".join(problems) + server.explain(log_mark)
    assert orders == [[0, 1, 2, 3]] * 3


def test_booking_form_posted_twice_at_once_is_one_booking(server, log_mark):
    """The same booking form (same form_token, same session) sent twice at once, a few times:
    no 500, one booking each time, and both answers show it."""
    with server.data() as session:
        host = Factories().cooperative("HTX Du lịch Thử", kind="household")
        listing = Listing(
            host=host, kind="tour", slug=f"tour-thu-{host.id}", title="Tour thử",
            district_id=host.district_id, price=150_000, capacity=10, max_guests=6,
            start_time=clock_time(7, 30), duration_minutes=180, meeting_point="Bến đò",
            free_cancel_days=2, late_cancel_fee_percent=100, instant_booking=True,
        )  # fmt: skip
        session.add(listing)
        session.commit()
        slug = listing.slug
    person = Person(server.url, fresh_address(), label="guest booking twice")

    problems, tokens = [], []
    for days_ahead in (10, 11, 12):
        page = person.get(f"/tourism/{slug}")
        assert page.status == 200, page.describe()
        hidden = page.hidden_fields()
        data = {
            "csrf_token": hidden["csrf_token"],
            "form_token": hidden["form_token"],
            "check_in": (clock.today() + timedelta(days=days_ahead)).isoformat(),
            "guests": 2,
            "name": "Anna Schmidt",
            "phone": "+4915123456789",
            "email": "anna@example.de",
            "country": "Germany",
            "note": "",
        }
        tokens.append(data["form_token"])
        codes = set()
        for outcome in at_once(lambda d: person.post(f"/tourism/{slug}/book", d), [data, data]):
            if (
                isinstance(outcome, Exception)
                or outcome.is_error_page()
                or outcome.status != 200
                or not outcome.path.startswith("/bookings/")
            ):
                problems.append(problem(person, outcome))
            else:
                codes.add(outcome.path.removeprefix("/bookings/"))
        if len(codes) > 1:
            problems.append(f"one form, two bookings shown: {sorted(codes)}")

    with server.data() as session:
        made = session.execute(
            select(Booking.form_token, func.count(Booking.id))
            .where(Booking.form_token.in_(tokens))
            .group_by(Booking.form_token)
        ).all()
    assert not problems, "\n".join(problems) + server.explain(log_mark)
    assert sorted(made) == sorted((token, 1) for token in tokens), made


# --- the cooperative's dashboard ----------------------------------------------------------


def test_new_product_form_posted_several_times_at_once_is_one_product(server, log_mark):
    """A cooperative's "add product" form sent 4 times at once (an impatient click, a
    resubmit): no 500, and one product, since it is one form filled in once."""
    with server.data():
        make = Factories()
        owner = make.user(role="cooperative", name="Chủ HTX")
        cooperative = make.cooperative("HTX Mắm Thử", owner=owner)
        email, cooperative_id = owner.email, cooperative.id
    person = logged_in(server, email, lands_on="/dashboard")
    page = person.get("/dashboard/products/new")
    assert page.status == 200 and page.path == "/dashboard/products/new", page.describe()
    data = {
        **page.hidden_fields(),
        "name": "Mắm cá lóc đồng",
        "group": "food",
        "description": "Mắm cá lóc ủ chượp sáu tháng.",
        "unit": "kg",
        "price": "120.000",
        "stock": "20",
        "certifications": "",
    }

    outcomes = at_once(lambda d: person.post("/dashboard/products/new", d), [data] * 4)
    problems = [
        problem(person, outcome)
        for outcome in outcomes
        if isinstance(outcome, Exception) or outcome.is_error_page() or outcome.status != 200
    ]
    with server.data() as session:
        slugs = session.scalars(
            select(Product.slug).where(
                Product.cooperative_id == cooperative_id, Product.name == "Mắm cá lóc đồng"
            )
        ).all()
    assert not problems, "\n".join(problems) + server.explain(log_mark)
    assert len(slugs) == 1, f"one form made {len(slugs)} products: {slugs}"


def test_a_new_price_is_on_every_workers_kept_page_at_once(server, log_mark):
    """Each gunicorn worker keeps its own pages and parts of pages (memory); a change
    committed anywhere is on the next page every worker answers, to guests (whole kept pages)
    and to logged-in buyers (kept parts) alike: the page version is read from the database."""
    with server.data():
        make = Factories()
        product = make.product("Khóm giá mới", price=15_000, stock=40)
        url, product_id = f"/products/{product.slug}", product.id
        emails = buyers(make, 3)
    readers = [Person(server.url, fresh_address(), label=f"guest {n}") for n in range(6)]
    readers += [logged_in(server, email) for email in emails]

    def read_four_times(reader):
        return [reader.get(url) for _ in range(4)]

    before = [page for pages in in_parallel(read_four_times, readers) for page in pages]
    assert all(p.status == 200 and "15.000" in p.text for p in before), server.explain(log_mark)
    assert sum(p.from_page_cache for p in before) >= 12  # the workers keep it
    with server.data() as session:
        session.execute(update(Product).where(Product.id == product_id).values(price=18_000))
    after = [page for pages in in_parallel(read_four_times, readers) for page in pages]
    stale = [p.describe() for p in after if "18.000" not in p.text or "15.000" in p.text]
    assert not stale, "\n".join(stale) + server.explain(log_mark)


# --- rate limits: many people behind one address ------------------------------------------


def test_30_guests_behind_one_address_all_check_out_within_a_minute(
    server, shared_limits, log_mark
):
    """A school, an office, a mobile carrier's NAT: 30 guests whom the app sees as one address
    (127.0.0.1), each checking out once within the minute, with the real rate limits. Every
    one of them gets an order."""
    with server.data():
        make = Factories()
        product = make.product(
            "Khóm Cầu Đúc", transfer_shop(make), stock=100, price=15_000, unit="trái"
        )
        slug, product_id = product.slug, product.id
    guests = [Person(server.url, label=f"guest {n} at 127.0.0.1") for n in range(30)]
    started = time.monotonic()

    def buy(person):
        add_to_cart(person, slug, product_id)
        return person.post("/checkout", checkout_form(person))

    outcomes = in_parallel(buy, guests, workers=6)
    elapsed = time.monotonic() - started
    problems = [
        problem(person, outcome)
        for person, outcome in zip(guests, outcomes, strict=True)
        if not order_code(outcome)
    ]
    with server.data() as session:
        orders = session.scalar(
            select(func.count(Order.id))
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(OrderLine.product_id == product_id)
        )
    assert elapsed < 60, f"the 30 checkouts took {elapsed:.0f} s: not within one minute"
    refused = sum(outcome.is_too_many_requests() for outcome in outcomes)
    assert not problems, (
        f"{len(problems)} of 30 got no order ({refused} were told {TOO_MANY_REQUESTS!r}):\n"
        + "\n".join(problems)
        + server.explain(log_mark)
    )
    assert orders == 30


# --- rate limits: logins ------------------------------------------------------------------


def wrong_logins(person: Person, email: str, attempts: int) -> list:
    form = person.get("/login")
    data = {"csrf_token": form.csrf_token(), "email": email, "password": "not-the-password"}
    return [person.post("/login", data) for _ in range(attempts)]


def test_100_wrong_logins_for_one_account_are_stopped(server, shared_limits, log_mark):
    with server.data():
        email = Factories().user(name="Người bị dò mật khẩu").email
    person = Person(server.url, fresh_address(), label="password guesser")
    outcomes = wrong_logins(person, email, 100)
    statuses = [outcome.status for outcome in outcomes]
    assert not any(outcome.is_error_page() for outcome in outcomes), (
        f"statuses: {statuses}" + server.explain(log_mark)
    )
    let_through = [n for n, outcome in enumerate(outcomes, 1) if not outcome.is_too_many_requests()]
    assert let_through, statuses
    assert all(outcomes[n - 1].status == 200 for n in let_through), statuses  # "wrong password"
    assert len(let_through) <= 20, f"{len(let_through)} of 100 guesses were tried: {statuses}"


def test_another_account_behind_the_same_address_can_still_log_in(server, shared_limits, log_mark):
    """The login limit is per account, with a higher ceiling per address: after someone behind
    an address has failed as often as one account may (today's limit, 10 a minute), another
    person behind that address logs in to their own account."""
    with server.data():
        make = Factories()
        forgetful, other = make.user(name="Người quên mật khẩu"), make.user(name="Người khác")
        forgetful_email, other_email, other_name = forgetful.email, other.email, other.name
    address = fresh_address()
    wrong_logins(Person(server.url, address, label="forgetful"), forgetful_email, 10)

    colleague = Person(server.url, address, label="colleague behind the same address")
    page = log_in(colleague, other_email)
    assert page.status == 200 and page.path == "/account" and other_name in page.text, (
        f"{colleague}: {page.describe()}" + server.explain(log_mark)
    )


# --- bank notices -------------------------------------------------------------------------


def post_notice(server, token: str, key: str, body: dict) -> int:
    """SePay's POST of one notice: JSON, the feed's key in the Authorization header."""
    connection = http.client.HTTPConnection(
        urlsplit(server.url).hostname, urlsplit(server.url).port, timeout=REQUEST_TIMEOUT
    )
    try:
        connection.request(
            "POST",
            f"/payments/webhooks/sepay/{token}",
            body=json.dumps(body).encode(),
            headers={"Authorization": f"Apikey {key}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def shop_with_orders(server, orders: int):
    with server.data():
        make = Factories()
        cooperative = make.cooperative(bank_bin="970418", bank_account="74010000123456")
        product = make.product(cooperative=cooperative, price=120_000, stock=1_000)
        feed = feeds.feed_of(cooperative.id)
        placed = place_orders(server.app, product, orders)
        snapshot = [(o.id, o.code, o.total) for o in placed]
        token, key = feed.token, feed.api_key
    return token, key, snapshot


def test_20_replays_of_one_notice_at_once_are_one_payment(server, log_mark):
    token, key, [(order_id, code, total)] = shop_with_orders(server, 1)
    body = notice(reference_for(code), total)
    statuses = at_once(lambda _n: post_notice(server, token, key, body), range(20))
    assert statuses == [200] * 20, f"{statuses}{server.explain(log_mark)}"
    with server.data() as session:
        assert session.get(Order, order_id).paid_amount == total
        assert session.scalar(select(func.count(BankTransaction.id))) >= 1
        lines = session.scalar(
            select(func.count(BankTransaction.id)).where(
                BankTransaction.external_id == str(body["id"])
            )
        )
        assert lines == 1


def test_200_notices_across_50_orders_over_10_seconds_pay_each_exactly(server, log_mark, capsys):
    """SePay telling 200 transfers, in random parts adding up to each order's total, to the
    real gunicorn (several workers, each a process of its own) over about ten seconds."""
    token, key, orders = shop_with_orders(server, 50)
    bodies = notices_for([SimpleNamespace(id=i, code=c, total=t) for i, c, t in orders], 200)
    began = time.monotonic()
    outcomes = paced(
        lambda body: as_sepay_sends(lambda b: post_notice(server, token, key, b), body),
        [body for _order, body in bodies],
        seconds=10,
        workers=16,
    )
    elapsed = time.monotonic() - began
    statuses = [status for (status, _busy), _seconds in outcomes]
    assert statuses == [200] * 200, f"{sorted(set(statuses))}{server.explain(log_mark)}"
    with server.data() as session:
        ids = [order_id for order_id, _code, _total in orders]
        paid = dict(
            session.execute(select(Order.id, Order.paid_amount).where(Order.id.in_(ids))).all()
        )
        assert paid == {order_id: total for order_id, _code, total in orders}
        unpaid = session.scalar(
            select(func.count(Order.id)).where(Order.id.in_(ids), Order.paid_at.is_(None))
        )
        assert unpaid == 0
        database = session.get_bind().dialect.name
    report(capsys, f"served ({database}, 3 gunicorn workers × 2 threads)", elapsed, outcomes)
