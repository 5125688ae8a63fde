"""Bank notices by webhook (payments.webhooks): SePay's body with its API key, and the signed
variant; who is refused, what is malformed, replays, and notices arriving at once."""

import hashlib
import hmac
import json
import random
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.bounds import INT_MAX
from core.clock import VIETNAM
from core.logging import SECRET_PATH_ARGUMENTS
from marketplace import checkout as checkouts
from marketplace.models import Order
from payments import feeds
from payments.models import Allocation, BankFeed, BankTransaction, Refund
from payments.references import reference_for
from tests.concurrency import at_once
from tests.test_orders import add, checkout_form
from tests.test_rate_limits import ROOT

_ids = iter(range(10_000, 10**9))


@pytest.fixture()
def shop(make):
    owner = make.user(role="cooperative")
    cooperative = make.cooperative(
        "HTX Kỳ Như Thử", owner=owner, bank_bin="970418", bank_account="74010000123456",
        bank_account_name="HTX KY NHU",
    )  # fmt: skip
    product = make.product("Cá thát lát", cooperative, price=185_000, stock=500)
    feed = feeds.feed_of(cooperative.id)
    return cooperative, product, feed.token, feed.api_key


def ordered(client, product, quantity=1) -> Order:
    """An order placed through the pages: the cart, then the checkout form (VietQR)."""
    add(client, product, quantity)
    response = client.post("/checkout", data=checkout_form(client))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    code = re.match(r"/orders/(HG-\d{4}-\d{6})", response.headers["Location"]).group(1)
    from core.extensions import db

    return db.session.scalar(select(Order).where(Order.code.startswith(code)))


def vietnam_now(minutes: int = 0) -> str:
    return (datetime.now(VIETNAM) + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S")


def notice(content: str, amount: int, **changes) -> dict:
    body = {
        "id": next(_ids),
        "gateway": "BIDV",
        "transactionDate": vietnam_now(),
        "accountNumber": "74010000123456",
        "code": None,
        "content": content,
        "transferType": "in",
        "transferAmount": amount,
        "accumulated": 19_077_000,
        "subAccount": None,
        "referenceCode": f"FT{next(_ids)}",
        "description": f"BIDV;74010000123456;{content}",
    }
    body.update(changes)
    return body


def send(client, token, body, key=None, *, raw=None, headers=None):
    headers = dict(headers or {})
    if key is not None:
        headers["Authorization"] = f"Apikey {key}"
    data = raw if raw is not None else json.dumps(body)
    return client.post(
        f"/payments/webhooks/sepay/{token}",
        data=data,
        headers=headers,
        content_type="application/json",
    )


def count(db, model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def reload(db, order: Order) -> Order:
    db.session.rollback()
    return db.session.get(Order, order.id)


# --- a notice pays the order --------------------------------------------------------------


def test_a_notice_with_the_key_pays_the_order(client, db, shop):
    _cooperative, product, token, key = shop
    order = ordered(client, product, 2)
    text = f"MBVCB.8812345.{reference_for(order.code)}.CT tu 0912345678"
    response = send(client, token, notice(text, order.total), key)
    assert response.status_code == 200
    assert response.get_json() == {"success": True}
    order = reload(db, order)
    assert order.paid_amount == order.total and order.paid_at is not None
    line = db.session.scalar(select(BankTransaction))
    assert (line.source, line.status, line.amount, line.direction) == (
        "sepay", "matched", order.total, "in",
    )  # fmt: skip
    assert line.bank_reference.startswith("FT")


def test_the_time_is_vietnams_stored_as_utc(client, db, shop):
    _cooperative, _product, token, key = shop
    send(client, token, notice("chuyen tien", 77_000, transactionDate="2026-12-01 10:15:00"), key)
    line = db.session.scalar(select(BankTransaction))
    assert line.booked_at == datetime(2026, 12, 1, 3, 15)
    assert line.status == "unmatched"


def test_a_part_then_the_rest(client, db, shop):
    _cooperative, product, token, key = shop
    order = ordered(client, product, 2)
    reference = reference_for(order.code)
    send(client, token, notice(reference, 100_000), key)
    order = reload(db, order)
    assert (order.paid_amount, order.paid_at) == (100_000, None)
    send(client, token, notice(f"con lai {reference}", order.total - 100_000), key)
    order = reload(db, order)
    assert order.paid_amount == order.total and order.paid_at is not None


def test_the_signed_variant(client, db, shop):
    _cooperative, product, token, key = shop
    order = ordered(client, product)
    body = json.dumps(notice(reference_for(order.code), order.total)).encode()
    signature = "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    wrong = client.post(
        f"/payments/webhooks/hmac/{token}", data=body, content_type="application/json",
        headers={"X-Signature": "sha256=" + "0" * 64},
    )  # fmt: skip
    assert wrong.status_code == 401 and count(db, BankTransaction) == 0
    good = client.post(
        f"/payments/webhooks/hmac/{token}", data=body, content_type="application/json",
        headers={"X-Signature": signature},
    )  # fmt: skip
    assert good.status_code == 200 and good.get_json() == {"success": True}
    assert reload(db, order).paid_at is not None


# --- who is refused -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    ["wrong key", "no header", "no key", "another scheme", "unknown token", "another feed's key",
     "the key of another feed's token", "a long token"],
)  # fmt: skip
def test_who_is_refused_stores_nothing(client, db, shop, make, case):
    _cooperative, product, token, key = shop
    other = feeds.feed_of(make.cooperative().id)
    body = notice("HG", 150_000)
    headers = {"Authorization": f"Apikey {key}"}
    if case == "wrong key":
        headers["Authorization"] = f"Apikey {key[:-1]}x"
    elif case == "no header":
        headers = {}
    elif case == "no key":
        headers["Authorization"] = "Apikey "
    elif case == "another scheme":
        headers["Authorization"] = f"Bearer {key}"
    elif case == "unknown token":
        token = feeds.new_token()
    elif case == "another feed's key":
        headers["Authorization"] = f"Apikey {other.api_key}"
    elif case == "the key of another feed's token":
        token = other.token
    elif case == "a long token":
        token = "t" * 300
    response = send(client, token, body, headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {"success": False, "error": "unauthorized"}
    assert count(db, BankTransaction) == 0


def test_a_malformed_body_with_a_wrong_key_is_401_not_400(client, db, shop):
    _cooperative, _product, token, key = shop
    assert send(client, token, None, key + "x", raw="{").status_code == 401


# --- malformed bodies ---------------------------------------------------------------------


def _without(name):
    def body():
        whole = notice("chuyen tien", 50_000)
        del whole[name]
        return whole

    return body


def _with(**changes):
    return lambda: {**notice("chuyen tien", 50_000), **changes}


MALFORMED = {
    "not JSON": "{",
    "not UTF-8": b"\xff\xfe{}",
    "a list": "[]",
    "a string": '"hello"',
    "empty": "",
    "no id": _without("id"),
    "no transferAmount": _without("transferAmount"),
    "no transactionDate": _without("transactionDate"),
    "no content": _without("content"),
    "no transferType": _without("transferType"),
    "no gateway": _without("gateway"),
    "no accountNumber": _without("accountNumber"),
    "amount as a string": _with(transferAmount="150000"),
    "amount with decimals": _with(transferAmount=150000.5),
    "amount true": _with(transferAmount=True),
    "amount negative": _with(transferAmount=-5),
    "amount above INT_MAX": _with(transferAmount=INT_MAX + 1),
    "amount 10**20": _with(transferAmount=10**20),
    "accumulated 10**20": _with(accumulated=10**20),
    "id a list": _with(id=[1]),
    "id zero": _with(id=0),
    "id huge": _with(id=10**30),
    "id empty": _with(id="  "),
    "content a number": _with(content=12),
    "content 5000 characters": _with(content="x" * 5000),
    "description 5000 characters": _with(description="x" * 5000),
    "referenceCode 100 characters": _with(referenceCode="x" * 100),
    "transferType sideways": _with(transferType="sideways"),
    "a bad date": _with(transactionDate="2026-02-30 10:00:00"),
    "a date as dd/mm": _with(transactionDate="01/12/2026 10:15:00"),
    "year 9999": _with(transactionDate="9999-12-31 23:59:59"),
    "a date as a number": _with(transactionDate=1764558900),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_body_is_400_with_the_reason_and_stores_nothing(client, db, shop, case):
    _cooperative, _product, token, key = shop
    body = MALFORMED[case]
    if callable(body):
        response = send(client, token, body(), key)
    else:
        response = send(client, token, None, key, raw=body)
    assert response.status_code == 400, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["success"] is False and answer["error"]
    assert count(db, BankTransaction) == 0


def test_optional_fields_may_be_null_or_missing(client, db, shop):
    _cooperative, _product, token, key = shop
    body = notice("chuyen tien", 50_000, code=None, subAccount=None, accumulated=None)
    del body["description"]
    body["referenceCode"] = None
    assert send(client, token, body, key).status_code == 200
    assert count(db, BankTransaction) == 1


def test_money_out_and_a_test_notice_are_200_and_pay_nothing(client, db, shop):
    _cooperative, product, token, key = shop
    order = ordered(client, product)
    reference = reference_for(order.code)
    assert (
        send(client, token, notice(reference, order.total, transferType="out"), key).status_code
        == 200
    )
    assert send(client, token, notice("SePay test", 0), key).status_code == 200
    assert reload(db, order).paid_amount == 0
    assert sorted(db.session.scalars(select(BankTransaction.status))) == ["ignored", "ignored"]


def test_a_body_too_large_is_refused_in_json(client, db, shop):
    _cooperative, _product, token, key = shop
    response = send(client, token, None, key, raw="{" + " " * 70_000 + "}")
    assert response.status_code == 413 and response.get_json()["success"] is False


def test_get_is_not_allowed(client, shop):
    _cooperative, _product, token, _key = shop
    assert client.get(f"/payments/webhooks/sepay/{token}").status_code == 405


# --- replays ------------------------------------------------------------------------------


def test_the_same_notice_again_is_200_and_nothing_more(client, db, shop):
    _cooperative, product, token, key = shop
    order = ordered(client, product)
    body = notice(reference_for(order.code), order.total)
    for _ in range(3):
        response = send(client, token, body, key)
        assert response.status_code == 200 and response.get_json() == {"success": True}
    assert count(db, BankTransaction) == 1 and count(db, Refund) == 0
    assert reload(db, order).paid_amount == order.total


def test_20_replays_at_once_are_one_payment(app, client, db, shop):
    _cooperative, product, token, key = shop
    order = ordered(client, product)
    body = notice(reference_for(order.code), order.total)
    answers = at_once(app, *[lambda: send(app.test_client(), token, body, key)] * 20)
    assert [getattr(a, "status_code", a) for a in answers] == [200] * 20
    assert count(db, BankTransaction) == 1 and count(db, Allocation) == 1
    assert count(db, Refund) == 0
    assert reload(db, order).paid_amount == order.total


# --- many at once -------------------------------------------------------------------------


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """total in `parts` random positive amounts that add up to it."""
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def place_orders(app, product, count_: int) -> list[Order]:
    rng = random.Random(7)
    placed = []
    for _ in range(count_):
        checkout = checkouts.place_order(
            {product.id: rng.randint(1, 3)},
            checkouts.DeliveryDetails(
                name="Nguyễn Thị Lan", phone="0912345678", email="lan@example.vn",
                province="Cần Thơ", ward="Phường Ninh Kiều", street="12 Mậu Thân", note="",
                payment_method="vietqr",
            ),
            buyer_id=None, form_token=checkouts.new_form_token(),
            fees=app.config["DELIVERY_FEES"], free_from=app.config["FREE_DELIVERY_FROM"],
        )  # fmt: skip
        placed.append(checkout.orders[0])
    return placed


def notices_for(orders, total_notices: int, seed: int = 11) -> list[tuple[int, dict]]:
    """total_notices notices across the orders, each order's amounts random and adding up
    to its total, shuffled: (order id, body)."""
    rng = random.Random(seed)
    parts = {order.id: 1 for order in orders}
    for _ in range(total_notices - len(orders)):
        parts[rng.choice(orders).id] += 1
    bodies = []
    for order in orders:
        for amount in split(order.total, parts[order.id], rng):
            bodies.append((order.id, notice(f"TT don {reference_for(order.code)}", amount)))
    rng.shuffle(bodies)
    return bodies


def paced(send_one, bodies, seconds: float, workers: int = 8) -> list:
    """send_one(body) for each, the i-th at start + i·seconds/len, from a pool of threads."""
    start = time.monotonic()
    step = seconds / len(bodies)

    def at_its_time(pair):
        index, body = pair
        delay = start + index * step - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        began = time.monotonic()
        outcome = send_one(body)
        return outcome, time.monotonic() - began

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(at_its_time, enumerate(bodies)))


def as_sepay_sends(post, body, tries: int = 4) -> tuple[int, int]:
    """post(body) until it is answered 2xx, as SePay retries (503: the database was busy);
    the last status and how many tries were answered 503."""
    busy = 0
    for _ in range(tries):
        status = post(body)
        if status != 503:
            return status, busy
        busy += 1
    return status, busy


def test_200_notices_across_50_orders_at_once_pay_each_exactly(app, db, shop, capsys):
    _cooperative, product, token, key = shop
    orders = place_orders(current_app, product, 50)
    totals = {order.id: order.total for order in orders}
    bodies = notices_for(orders, 200)

    def post(body) -> int:
        with app.app_context():
            try:
                return send(app.test_client(), token, body, key).status_code
            finally:
                from core.extensions import db as _db

                _db.session.remove()

    began = time.monotonic()
    outcomes = paced(lambda body: as_sepay_sends(post, body), [b for _o, b in bodies], seconds=10)
    elapsed = time.monotonic() - began
    statuses = [status for (status, _busy), _seconds in outcomes]
    assert statuses == [200] * 200, sorted(set(statuses))
    db.session.rollback()  # end the test's snapshot: read what the requests committed
    paid = dict(db.session.execute(select(Order.id, Order.paid_amount)).all())
    assert paid == totals
    assert db.session.scalar(select(func.count()).where(Order.paid_at.is_(None))) == 0
    assert count(db, BankTransaction) == 200 and count(db, Refund) == 0
    assert set(db.session.scalars(select(BankTransaction.status))) == {"matched"}
    report(capsys, f"in-process ({db.engine.dialect.name}, 8 threads)", elapsed, outcomes)


def report(capsys, where: str, elapsed: float, outcomes) -> None:
    """The figures of a run of paced(as_sepay_sends …), printed past pytest's capture."""
    slowest = max(seconds for _outcome, seconds in outcomes)
    busy = sum(busy for (_status, busy), _seconds in outcomes)
    with capsys.disabled():
        print(
            f"\n{len(outcomes)} notices, {where}: {elapsed:.1f} s, slowest answer "
            f"{slowest * 1000:.0f} ms, {busy} answered 503 and sent again"
        )


# --- the feed -----------------------------------------------------------------------------


def test_ten_first_needs_at_once_make_one_feed(app, db, make):
    cooperative_id = make.cooperative().id
    made = at_once(app, *[lambda: feeds.feed_of(cooperative_id).token] * 10)
    assert len(set(made)) == 1, made
    assert count(db, BankFeed) == 1


def test_a_rotated_key_is_audited_and_the_old_one_refused(client, db, shop, make):
    cooperative, _product, token, key = shop
    officer = cooperative.owner
    feeds.rotate_key(cooperative.id, officer.id)
    new_key = db.session.scalar(select(BankFeed.api_key))
    assert new_key != key and len(new_key) <= 64
    assert send(client, token, notice("ck", 5_000), key).status_code == 401
    assert send(client, token, notice("ck", 5_000), new_key).status_code == 200
    event = db.session.scalar(select(AuditEvent))
    assert (event.action, event.actor_id) == ("bank_feed.rotate_key", officer.id)
    with pytest.raises(feeds.KeyChanged):  # a second click with the old page's mark
        feeds.rotate_key(cooperative.id, officer.id, seen=feeds.key_fingerprint(key))


def test_a_notice_stamped_minutes_before_the_order_still_pays_it(client, db, shop):
    """The bank's clock and ours differ: a few minutes early is no transfer made before."""
    _cooperative, product, token, key = shop
    order = ordered(client, product)
    early = notice(reference_for(order.code), order.total, transactionDate=vietnam_now(-3))
    send(client, token, early, key)
    assert reload(db, order).paid_at is not None


def test_a_notice_a_day_before_the_order_waits(client, db, shop):
    _cooperative, product, token, key = shop
    order = ordered(client, product)
    early = notice(reference_for(order.code), order.total, transactionDate=vietnam_now(-24 * 60))
    send(client, token, early, key)
    assert reload(db, order).paid_at is None
    assert db.session.scalar(select(BankTransaction.status)) == "unmatched"


def test_the_webhook_address_hides_its_token_in_the_log(app):
    """The feed's token is in the address: the logs write <token> (core.logging)."""
    for endpoint in ("payments_webhooks.sepay", "payments_webhooks.signed"):
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        assert set(rule.arguments) <= set(SECRET_PATH_ARGUMENTS)


# --- as in production: CSRF on, rate limits on ----------------------------------------------

WEBHOOK_WORKER = """
import json, sys
sys.path.insert(0, {root!r})
from tests.test_rate_limits import limited_app
app = limited_app({url!r}, "webhooks", "memory://")
app.config.update(WTF_CSRF_ENABLED=True, RATELIMIT_BANK_WEBHOOK="3 per minute")
client = app.test_client()
for token, body in json.loads({sends!r}):
    answer = client.post(
        "/payments/webhooks/sepay/" + token, data=json.dumps(body),
        content_type="application/json", headers={{"Authorization": "Apikey " + {key!r}}},
    )
    print(answer.status_code, json.dumps(answer.get_json()))
"""


def test_with_csrf_on_a_notice_is_taken_and_each_feed_is_limited_on_its_own(app, db, shop, make):
    """In a process of its own (the limiter is one per process), as production runs: CSRF
    protection on (the webhook is exempt), and 3 notices a minute for one feed's address; a
    refusal is JSON too, and another feed's address is counted apart."""
    _cooperative, _product, token, key = shop
    other = feeds.feed_of(make.cooperative().id).token
    sends = [(token, notice("ck", 1_000 + n)) for n in range(4)] + [(other, notice("ck", 5))]
    script = WEBHOOK_WORKER.format(
        root=str(ROOT), url=app.config["SQLALCHEMY_DATABASE_URI"], sends=json.dumps(sends), key=key
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answers = [line.split(" ", 1) for line in done.stdout.splitlines()]
    assert [status for status, _body in answers] == ["200", "200", "200", "429", "401"]
    assert json.loads(answers[0][1]) == {"success": True}
    assert json.loads(answers[3][1])["success"] is False
    assert count(db, BankTransaction) == 3
