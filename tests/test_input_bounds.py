"""Out-of-range values in every form and every filter: a refusal is a normal page (2xx, 3xx or
4xx), never a 500 nor an exception.

- POST: every route's valid form (tests/post_scenarios.SCENARIOS), then one field at a time
  replaced by a value out of range; the starting data is built again after a request that
  wrote to the database, so that each value meets the route as the valid form would.
- GET: every query filter (GET_FILTERS), one at a time, on top of what the page normally carries.

The values: dates far out (9999-12-31, 0001-01-01, 1900-01-01, today + 50 years), integers past
PostgreSQL's INTEGER (2147483648, -2147483649, 10**20), strings of 10,000 characters in every
field, strings just longer than the column the field is stored in (its String(length) read from
the models' metadata), and a form_token of 500 characters. A form that is taken must not store
what its column cannot hold on PostgreSQL either (a string longer than String(length), an
integer past INTEGER): PostgreSQL answers that with a 500, SQLite keeps it.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy import BigInteger, Integer, SmallInteger, String, event, func, or_, select

from core.extensions import db as _db
from marketplace.lots import record_lot
from tests.post_scenarios import (
    EMAILS,
    SCENARIOS,
    Start,
    book_homestay,
    describe,
    login,
    prepare,
)
from tests.test_routes import World, fill, path_for

LONG = "ơ" * 10_000
BIG_INTEGERS = ("2147483648", "-2147483649", str(10**20))
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"-?\d+")


def far_dates(today: date) -> tuple[str, ...]:
    in_fifty_years = today.replace(year=today.year + 50, day=min(today.day, 28))
    return ("9999-12-31", "0001-01-01", "1900-01-01", in_fifty_years.isoformat())


def far_months(today: date) -> tuple[str, ...]:
    return tuple(day[:7] for day in far_dates(today)) + ("2147483648-01", "2147483648")


# --- POST: one field at a time ----------------------------------------------------------------

# Buttons without fields: all they take is in the address, whose ids test_routes puts out of
# range (test_malformed_values_are_404). test_buttons_have_no_fields checks they have none.
BUTTONS = {
    "core.logout",
    "dashboard.delete_image",
    "dashboard.order_paid",
    "dashboard.dismiss_transaction",
    "programme.register_training",
    "fairs.cancel_booth_request",
    "fairs.join_waitlist",
    "admin.send_message_again",
    "marketplace.delete_address",
    "marketplace.default_address",
    "tourism_host.cover_photo",
    "tourism_host.delete_photo",
}
# case id -> (endpoint, another setup than the scenario's, or None). A stay is booked with a
# check-out date; the scenario books a tour (which has none).
POST_CASES = {endpoint: (endpoint, None) for endpoint in SCENARIOS if endpoint not in BUTTONS}
POST_CASES["tourism.book-homestay"] = ("tourism.book", book_homestay)


def column_length(reference: str | None) -> int | None:
    """The length of a String column named "table.column", None if it has none."""
    if not reference:
        return None
    table_name, column_name = reference.split(".")
    table = _db.metadata.tables.get(table_name)
    column = table.c.get(column_name) if table is not None else None
    if column is None or not isinstance(column.type, String):
        return None
    return column.type.length


def stored_in(scenario, name: str) -> str | None:
    """The column a form field is stored in: named in the scenario, or the column of the same
    name (without a form prefix such as "cap-") in the scenario's table."""
    if name in scenario.columns:
        return scenario.columns[name]
    bare = name.split("-", 1)[-1]
    table = _db.metadata.tables.get(scenario.table or "")
    if table is not None and bare in table.c:
        return f"{scenario.table}.{bare}"
    return None


def just_longer(valid: str, length: int) -> str:
    """A value like the valid one, one character longer than the column."""
    if "@" in valid:  # still an address: a longer domain, in labels of at most 60 letters
        local = valid.split("@")[0]
        labels = []
        while len(local) + 1 + len(".".join([*labels, "vn"])) <= length:
            labels.append("a" * 60)
        domain = ".".join([*labels, "vn"])
        text = f"{local}@{domain}"
        return text if len(text) > length else text + "a"
    return valid + "ơ" * max(length + 1 - len(valid), 1)


def bad_values(scenario, name: str, valid, today: date) -> list[tuple[str, object]]:
    """(label, value) to put in the field instead of the valid value."""
    sample = valid[0] if isinstance(valid, list) else valid
    sample = str(sample)
    values = []
    if _DATE.fullmatch(sample):
        values += [(value, value) for value in far_dates(today)]
    elif _INTEGER.fullmatch(sample):
        values += [(value, value) for value in BIG_INTEGERS]
    values.append(("<10,000 characters>", LONG))
    reference = stored_in(scenario, name)
    if (length := column_length(reference)) is not None:
        text = just_longer(sample, length)
        values.append((f"<{len(text)} characters; {reference} is String({length})>", text))
    if name == "form_token":
        values.append(("<500 characters>", "t" * 500))
    return values


class Writes:
    """Counts the statements that change the database while it is listening."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __call__(self, _conn, _cursor, statement, *_args):
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.count += 1

    def __enter__(self):
        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self)


def _limit(column) -> int | None:
    """The most a column holds on PostgreSQL: characters of a String(length), the largest
    INTEGER or SMALLINT; None for columns without a limit worth checking."""
    kind = column.type
    if isinstance(kind, String):
        return kind.length
    if isinstance(kind, BigInteger):
        return None
    if isinstance(kind, SmallInteger):
        return 2**15 - 1
    if isinstance(kind, Integer):
        return 2**31 - 1
    return None


def beyond_their_columns() -> list[str]:
    """Stored values that do not fit their column on PostgreSQL (which refuses them with a
    500), though SQLite keeps them: strings longer than String(length), integers past
    INTEGER or SMALLINT."""
    _db.session.rollback()  # end the test's snapshot: read what the request committed
    found = []
    with _db.engine.connect() as connection:
        for table in _db.metadata.sorted_tables:
            limits = {c: n for c in table.columns if (n := _limit(c)) is not None}
            if not limits:
                continue
            beyond = or_(
                *(
                    func.length(c) > n if isinstance(c.type, String) else func.abs(c) > n
                    for c, n in limits.items()
                )
            )
            for row in connection.execute(select(*limits).where(beyond)):
                for (column, limit), value in zip(limits.items(), row, strict=True):
                    size = len(value) if isinstance(value, str) else abs(value or 0)
                    if value is not None and size > limit:
                        shown = f"{len(value)} characters" if isinstance(value, str) else value
                        found.append(f"{table.name}.{column.name} holds {shown}, {column.type}")
    return found


def _answer(send) -> str | None:
    """None for a normal answer to send(), else what went wrong."""
    try:
        response = send()
    except Exception as error:  # noqa: BLE001 - TESTING re-raises what would have been a 500
        return f"exception {describe(error)}"
    return f"{response.status_code}" if response.status_code >= 500 else None


def test_buttons_have_no_fields(app, db, today):
    with_fields = [e for e in sorted(BUTTONS) if prepare(app, e, today).data]
    assert not with_fields, f"these take fields now: remove them from BUTTONS: {with_fields}"


@pytest.mark.parametrize("case", sorted(POST_CASES))
def test_out_of_range_form_fields(app, db, today, case):
    endpoint, setup = POST_CASES[case]
    scenario = SCENARIOS[endpoint]
    prepared = prepare(app, endpoint, today, setup)
    variants = [
        (name, label, value)
        for name, valid in prepared.data.items()
        for label, value in bad_values(scenario, name, valid, today)
    ]
    failures = []
    writes = Writes(db.engine)
    for name, label, value in variants:
        if writes.count:  # the last one changed the data: start again from the same data
            prepared = prepare(app, endpoint, today, setup)
        data = {**prepared.data, name: value}
        with writes:
            problem = _answer(lambda: prepared.send(prepared.client(app), data))  # noqa: B023
        if problem:
            failures.append(f"{name}={label}: {problem}")
        elif writes.count:
            failures += [f"{name}={label}: {kept}" for kept in beyond_their_columns()]
    assert variants, "the valid form has no fields to put out of range: add it to BUTTONS"
    if failures:
        pytest.fail(
            f"POST {prepared.url} as {scenario.role}: {len(failures)} of {len(variants)} "
            "out-of-range values failed:\n" + "\n".join(failures)
        )


# --- GET: one filter at a time ----------------------------------------------------------------

HTMX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Filters:
    role: str
    params: dict  # query argument -> "date", "month", "integer" or "text"
    base: dict = field(default_factory=dict)  # what the page carries: name -> world value key
    days: dict = field(default_factory=dict)  # dates the page carries: name -> days from today
    listings: tuple = ("",)  # listing slugs to try ("": the one `fill` gives)
    headers: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)  # text argument -> "table.column" it matches


BOTH_LISTINGS = ("homestay-dua-ghe", "tour-dua-ghe")

# endpoint -> the filters it reads. Renaming an endpoint is a change of its key here.
GET_FILTERS = {
    "marketplace.home": Filters("guest", {"lang": "text"}),
    "marketplace.products": Filters(
        "guest",
        {
            "q": "text",
            "group": "text",
            "district": "text",
            "stars": "integer",
            "min_price": "integer",
            "max_price": "integer",
            "in_stock": "text",
            "sort": "text",
            "page": "integer",
        },
        columns={"district": "districts.slug"},
    ),  # fmt: skip
    "marketplace.checkout_summary": Filters(
        "buyer", {"province": "text", "payment_method": "text"}
    ),
    "marketplace.checkout": Filters("buyer", {"address": "text"}),
    "marketplace.ward_options": Filters("guest", {"province": "text"}, headers=HTMX),
    "marketplace.cart": Filters("guest", {"province": "text"}),
    "marketplace.addresses_page": Filters("buyer", {"edit": "integer"}),
    "marketplace.order": Filters(
        "guest",
        {"token": "text", "seen": "text"},
        base={"token": "checkout_token"},
        columns={"token": "checkouts.access_token"},
    ),  # fmt: skip
    "marketplace.order_qr": Filters(
        "guest",
        {"token": "text", "download": "text"},
        base={"token": "checkout_token"},
        columns={"token": "checkouts.access_token"},
    ),  # fmt: skip
    "tourism.index": Filters(
        "guest",
        {
            "kind": "text",
            "district": "text",
            "date": "date",
            "guests": "integer",
            "max_price": "integer",
        },
        columns={"district": "districts.slug"},
    ),  # fmt: skip
    "tourism.listing": Filters(
        "guest",
        {
            "date": "date",
            "guests": "integer",
            "month": "month",
            "check_in": "date",
            "check_out": "date",
            "pick": "date",
        },
        days={"date": 10},
        listings=BOTH_LISTINGS,
    ),  # fmt: skip
    # A day tapped on the calendar (tourism.picker): the dates chosen so far and the guests.
    "tourism.calendar": Filters(
        "guest",
        {
            "month": "month",
            "check_in": "date",
            "check_out": "date",
            "pick": "date",
            "guests": "integer",
        },
        days={"check_in": 10, "pick": 12},
        listings=BOTH_LISTINGS,
        headers=HTMX,
    ),  # fmt: skip
    "tourism.price_quote": Filters(
        "guest",
        {"check_in": "date", "check_out": "date", "guests": "integer"},
        base={"guests": "guests"},
        days={"check_in": 10, "check_out": 12},
        listings=BOTH_LISTINGS,
        headers=HTMX,
    ),  # fmt: skip
    "tourism.booking": Filters(
        "guest",
        {"token": "text"},
        base={"token": "booking_token"},
        columns={"token": "bookings.access_token"},
    ),  # fmt: skip
    "tourism.booking_deposit": Filters(
        "guest",
        {"token": "text"},
        base={"token": "booking_token"},
        columns={"token": "bookings.access_token"},
        headers=HTMX,
    ),  # fmt: skip
    "tourism.booking_calendar_file": Filters(
        "guest",
        {"token": "text"},
        base={"token": "booking_token"},
        columns={"token": "bookings.access_token"},
    ),  # fmt: skip
    "tourism_host.listing": Filters("cooperative", {"month": "month"}),
    "tourism_host.bookings_list": Filters("cooperative", {"status": "text"}),
    "dashboard.lots": Filters("cooperative", {"product": "integer"}),
    "dashboard.new_lot": Filters("cooperative", {"product": "integer"}),
    "dashboard.orders": Filters("cooperative", {"status": "text", "page": "integer"}),
    "dashboard.lot_labels_pdf": Filters("cooperative", {"count": "integer"}),
    "dashboard.payments": Filters(
        "cooperative",
        {"statement": "text", "header": "integer"},
        columns={"statement": "statement_uploads.token"},
    ),
    "admin.audit_log": Filters(
        "admin", {"who": "text", "what": "text", "from": "date", "to": "date"}
    ),
    "admin.plan": Filters("admin", {"year": "integer"}),
    "admin.office_messages": Filters("admin", {"status": "text"}),
    "admin.recalls_page": Filters(
        "admin",
        {"trace": "text", "product": "integer", "lot": "text"},
        columns={"trace": "lots.trace_code", "lot": "lots.code"},
    ),
    "admin.plan_csv": Filters(
        "admin", {"table": "text", "year": "integer"}, base={"table": "csv_table"}
    ),
    "core.login": Filters("guest", {"next": "text"}),
    # Reviews: "Xem thêm" pages, the cooperative's, the host's and the office's lists; the
    # guest's review of a booking (its tokened link).
    "marketplace.product_reviews": Filters("guest", {"page": "integer"}),
    "tourism.listing_reviews": Filters("guest", {"page": "integer"}),
    "dashboard.reviews_page": Filters("cooperative", {"page": "integer"}),
    "tourism_host.reviews_page": Filters("cooperative", {"page": "integer"}),
    "admin.reviews": Filters("admin", {"page": "integer"}),
    "tourism.review_booking": Filters(
        "guest",
        {"token": "text"},
        base={"token": "booking_token"},
        columns={"token": "bookings.access_token"},
    ),  # fmt: skip
}

_READS_ARGS = re.compile(r"request\.(?:args|values)\b")
_ARG_NAME = re.compile(r"request\.(?:args|values)\.get\(\s*\"([^\"]+)\"")


def get_world(app, today) -> World:
    """Everything the GET routes show, with fixed names; values as test_routes.fill wants."""
    start = Start(today)
    homestay, tour = start.homestay(), start.tour()
    placed = start.checkout("vietqr")  # by transfer: the order page has its QR pictures
    booking = start.booking(homestay)
    start.cart_line(1)
    lot = record_lot(start.product, quantity=5, packed_on=today)
    values = {
        "product_slug": start.product.slug,
        "cooperative_slug": start.cooperative.slug,
        "listing_slug": homestay.slug,
        "checkout_code": placed.code,
        "checkout_token": placed.access_token,
        "order_code": placed.orders[0].code,
        "booking_code": booking.code,
        "booking_token": booking.access_token,
        "listing_id": homestay.id,
        "guests": "2",
        "csv_table": "summary",
        "lot_id": lot.id,
    }
    assert {homestay.slug, tour.slug} == set(BOTH_LISTINGS)
    _db.session.commit()
    return World(emails=EMAILS, values=values)


def filter_values(kind: str, today: date, reference: str | None) -> list[tuple[str, str]]:
    values = {
        "date": [(v, v) for v in far_dates(today)],
        "month": [(v, v) for v in far_months(today)],
        "integer": [(v, v) for v in BIG_INTEGERS],
        "text": [],
    }[kind]
    values.append(("<10,000 characters>", LONG))
    if (length := column_length(reference)) is not None:
        values.append(
            (f"<{length + 1} characters; {reference} is String({length})>", "a" * (length + 1))
        )
    return values


def _get_rule(app, endpoint: str):
    return next(
        r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "GET" in r.methods
    )


def test_every_filter_is_listed(app):
    """Every GET view that reads its query string is in GET_FILTERS, with what it reads."""
    import inspect

    problems = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        source = inspect.getsource(app.view_functions[rule.endpoint])
        if not _READS_ARGS.search(source):
            continue
        listed = GET_FILTERS.get(rule.endpoint)
        if listed is None:
            problems.append(f"{rule.endpoint} reads its query string: add it to GET_FILTERS")
            continue
        for name in _ARG_NAME.findall(source):
            if name not in listed.params and name not in listed.base:
                problems.append(f"{rule.endpoint} reads ?{name}=: add it to its GET_FILTERS entry")
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    problems += [
        f"GET_FILTERS names {e}, which is no GET route" for e in GET_FILTERS if e not in endpoints
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("endpoint", sorted(GET_FILTERS))
def test_out_of_range_filters(app, db, today, endpoint):
    filters = GET_FILTERS[endpoint]
    world = get_world(app, today)
    client = login(app, filters.role)
    rule = _get_rule(app, endpoint)
    base = {name: world.values[key] for name, key in filters.base.items()}
    base |= {name: (today + timedelta(days=n)).isoformat() for name, n in filters.days.items()}
    failures, calls = [], 0
    for slug in filters.listings:
        values = fill(rule, world)
        if slug:
            values["slug"] = slug
        path = path_for(rule, values)
        normal = client.get(path, query_string=base, headers=filters.headers)
        assert normal.status_code == 200, f"{path} with {base}: {normal.status_code}, not 200"
        for name, kind in filters.params.items():
            for label, value in filter_values(kind, today, filters.columns.get(name)):
                calls += 1
                query = {**base, name: value}
                problem = _answer(
                    lambda: client.get(path, query_string=query, headers=filters.headers)  # noqa: B023
                )
                if problem:
                    failures.append(f"{path}?{name}={label}: {problem}")
    if failures:
        pytest.fail(
            f"GET {rule.rule} as {filters.role}: {len(failures)} of {calls} out-of-range "
            "filters failed:\n" + "\n".join(failures)
        )
