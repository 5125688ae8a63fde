"""Checkout speed with a slow mail server: a buyer's checkout while the SMTP server takes 5 s to
accept each mail, against checkout with no mail server (mails written to the outbox).

    make bench-mail           # SQLite (also run by `make bench`, after the catalogue)
    python -m bench.checkout_mail --postgres [URL] --checkouts 200 --clients 2 --rounds 2

Seeds the demo shop afresh in a database of its own (bench/results/checkout_mail.db, or the
PostgreSQL database --postgres names, default postgresql://postgres@127.0.0.1:5432/
ocop_bench_mail, dropped and created), with a few buyers. Then, for each case in each round
(the rounds alternate the cases' order, and share out the checkouts), serves the app
with gunicorn as bench/catalogue.py does, starts a job worker (`huey_consumer
jobs_worker.queue`, as `make worker`) on a queue file of the case's own (JOBS_FILE), logs the
buyers in and has each, as its own client, add a product to the cart, open the checkout form
and post it, over and over, sequentially per client. Each POST /checkout (until its redirect
to the order page) is timed; a few first checkouts warm the server up and wait until the worker
has delivered their mails, so that both cases time a worker that is running.

The slow server is aiosmtpd whose handler waits 5 s in handle_DATA, so every mail keeps a
worker thread 5 s: the mails pile up in the queue while the checkouts go on. Goal: p95 of
checkout with the slow server within 10 % of the case without mail. Results:
bench/results/checkout_mail.json (checkout_mail-postgresql.json with --postgres).
"""

import asyncio
import json
import signal
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from bench.catalogue import (
    DEMO_PASSWORD,
    RESULTS,
    ROOT,
    argument_parser,
    free_port,
    migrated_app,
    recreate_postgres,
    serve,
    server_environment,
)
from core.config import normalise_database_url
from tests.served import Person

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/ocop_bench_mail"
SMTP_DELAY = 5  # seconds the slow server waits before accepting each mail
GUNICORN_WORKERS = 2
# As `make worker`, without its INFO line for every job.
JOB_WORKERS = ["--workers", "2", "--worker-type", "thread", "--quiet"]
PRODUCT = "khom-cau-duc"  # the demo's pineapples; its cooperative's owner hears of each order
P95_GOAL = 1.10  # slow mail server's p95 / no mail's p95
WARM_UP = 4  # checkouts per client before timing
CASES = ("no mail", "slow smtp")


class SlowHandler:
    """Accepts every mail, SMTP_DELAY seconds after its data came."""

    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        await asyncio.sleep(SMTP_DELAY)
        self.received += 1
        return "250 Message accepted for delivery"


def prepare_database(postgres: str | None) -> str:
    """A fresh database with the demo shop, plenty of pineapples and the bench's buyers."""
    if postgres:
        url = postgres
        recreate_postgres(url)
    else:
        database = RESULTS / "checkout_mail.db"
        for leftover in RESULTS.glob("checkout_mail.db*"):
            leftover.unlink()
        url = f"sqlite:///{database}"
    with migrated_app(url):
        from sqlalchemy import select

        from core.clock import today
        from core.demo import seed_account
        from core.extensions import db
        from marketplace.demo import seed_marketplace
        from marketplace.lots import add_lot
        from marketplace.models import Product

        seed_marketplace()
        # Enough for every checkout of the run: a lot of its own (the stock is its lots').
        product = db.session.scalar(select(Product).where(Product.slug == PRODUCT))
        add_lot(product, quantity=10**6, packed_on=today())
        for n in range(1, 9):
            seed_account(buyer_email(n), f"Người mua thử {n}", "buyer", DEMO_PASSWORD)
        db.session.commit()
    return url


def buyer_email(n: int) -> str:
    return f"buyer{n}@bench.demo"


def case_environment(url: str, case: str, smtp_port: int | None) -> dict:
    """The web server's and the worker's environment: one queue, one outbox, one mail server;
    checkout's rate limits far above what the bench does."""
    env = server_environment(url)
    for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD"):
        env.pop(key, None)
    jobs = RESULTS / f"checkout_mail-{case}-jobs.db"
    for leftover in RESULTS.glob(f"{jobs.name}*"):
        leftover.unlink()
    outbox = RESULTS / f"checkout_mail-{case}-outbox"
    for leftover in outbox.glob("*.eml"):
        leftover.unlink()
    env.update(
        {
            "JOBS_FILE": str(jobs),
            "MAIL_OUTBOX": str(outbox),
            "RATELIMIT_CHECKOUT": "100000 per minute",
            "RATELIMIT_CHECKOUT_PER_ADDRESS": "100000 per minute",
        }
    )
    if smtp_port is not None:
        env.update({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port)})
    return env


def start_worker(env: dict) -> subprocess.Popen:
    command = [str(ROOT / ".venv/bin/huey_consumer"), "jobs_worker.queue", *JOB_WORKERS]
    return subprocess.Popen(command, cwd=ROOT, env=env)


@dataclass
class Buyer:
    person: Person  # a browser: its own cookies (tests/served.py)
    email: str
    csrf_token: str  # the session's, for every form


def logged_in(base: str, email: str) -> Buyer:
    person = Person(base, label=email)
    form = person.get("/login")
    data = {"csrf_token": form.csrf_token(), "email": email, "password": DEMO_PASSWORD}
    if person.post("/login", data, follow=False).status != 302:
        raise SystemExit(f"could not log in as {email}")
    return Buyer(person, email, person.get("/cart").csrf_token())


def checkout(buyer: Buyer, product_id: int) -> float:
    """Add one pineapple, open the checkout form, post it; seconds the POST took."""
    person = buyer.person
    data = {"csrf_token": buyer.csrf_token, "product_id": product_id}
    added = person.post("/cart/add", data, follow=False)
    if added.status != 302:
        raise SystemExit(f"adding to the cart: {added.describe()}")
    form = person.get("/checkout")
    fields = form.hidden_fields()
    data = {
        "csrf_token": fields["csrf_token"],
        "form_token": fields["form_token"],
        "name": "Người mua thử",
        "phone": "0912 345 678",
        "email": buyer.email,
        "province": "Cần Thơ",
        "ward": "Phường Vị Thanh",
        "street": "8 Ngô Quốc Trị",
        "note": "",
        "payment_method": "cod",
    }
    started = time.perf_counter()
    placed = person.post("/checkout", data, follow=False)
    took = time.perf_counter() - started
    if placed.status != 302 or "/orders/" not in (placed.location or ""):
        raise SystemExit(f"checkout failed: {placed.describe()}")
    return took


def last_message_id(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT coalesce(max(id), 0) FROM messages")).scalar_one()


def message_counts(engine, after_id: int) -> dict[str, int]:
    """The messages written since message after_id, by status."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT status, count(*) FROM messages WHERE id > :id GROUP BY status"),
            {"id": after_id},
        )
        return dict(rows.all())


def wait_until_sent(engine, after_id: int, timeout: float) -> None:
    """Until a message written after after_id has been sent: the worker is up and delivering."""
    deadline = time.monotonic() + timeout
    while not message_counts(engine, after_id).get("sent"):
        if time.monotonic() > deadline:
            raise SystemExit(f"the worker sent no mail in {timeout:.0f} s")
        time.sleep(0.2)


def run_clients(buyers: list[Buyer], product_id: int, per_client: int) -> list[float]:
    """Each buyer checks out per_client times, one after the other, all buyers at once."""
    times: list[float] = []
    errors: list[BaseException] = []

    def work(buyer: Buyer) -> None:
        try:
            for _ in range(per_client):
                times.append(checkout(buyer, product_id))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(buyer,)) for buyer in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return times


def measure_case(url: str, case: str, checkouts: int, clients: int) -> dict:
    handler, controller = None, None
    if case == "slow smtp":
        handler = SlowHandler()
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
    env = case_environment(url, case.replace(" ", "-"), controller.port if controller else None)
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        product_id = conn.execute(
            text("SELECT id FROM products WHERE slug = :slug"), {"slug": PRODUCT}
        ).scalar_one()
    port = free_port()
    server = serve("app:create_app()", port, env, GUNICORN_WORKERS)
    worker = start_worker(env)
    base = f"http://127.0.0.1:{port}"
    try:
        buyers = [logged_in(base, buyer_email(n)) for n in range(1, clients + 1)]
        warm_up_from = last_message_id(engine)
        run_clients(buyers, product_id, WARM_UP)
        wait_until_sent(engine, warm_up_from, timeout=60 + SMTP_DELAY)
        timed_from = last_message_id(engine)
        started = time.monotonic()
        times = run_clients(buyers, product_id, checkouts // clients)
        elapsed = time.monotonic() - started
        counts = message_counts(engine, timed_from)
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGTERM)
        for process in (server, worker):
            process.wait(timeout=30)
        if controller is not None:
            controller.stop()
        engine.dispose()
    return {
        "times_ms": [t * 1000 for t in times],
        "seconds": round(elapsed, 1),
        "messages": counts,  # of the timed checkouts, by status when the last one was done
        "smtp_received": handler.received if handler else None,
    }


def summary(runs: list[dict]) -> dict:
    """The case's checkouts of every round together."""
    times = sorted(t for run in runs for t in run["times_ms"])
    messages: dict[str, int] = {}
    for run in runs:
        for status, n in run["messages"].items():
            messages[status] = messages.get(status, 0) + n
    received = [run["smtp_received"] for run in runs]
    return {
        "checkouts": len(times),
        "p50": statistics.median(times),
        "p95": p95(times),
        "max": times[-1],
        "mean": statistics.fmean(times),
        "p95_by_round": [p95(sorted(run["times_ms"])) for run in runs],
        "seconds_by_round": [run["seconds"] for run in runs],
        "messages": messages,
        "smtp_received": None if None in received else sum(received),
    }


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def report(results: dict) -> None:
    print(f"\ncheckout (POST /checkout), {GUNICORN_WORKERS} gunicorn workers, worker threads 2")
    print(f"{'case':<12}{'checkouts':>10}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  mails")
    for case in CASES:
        r = results[case]
        sent = r["messages"].get("sent", 0)
        waiting = sum(n for status, n in r["messages"].items() if status != "sent")
        line = f"{case:<12}{r['checkouts']:>10}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['max']:>9.1f}"
        received = "" if r["smtp_received"] is None else f", {r['smtp_received']} received"
        print(f"{line}  {sent} of {sent + waiting} sent by the end{received}")
    ratio = results["ratio_p95"]
    verdict = "ok" if ratio <= P95_GOAL else "MISSED"
    print(f"p95 slow smtp / no mail: {ratio:.2f} (goal ≤ {P95_GOAL:.2f}): {verdict}")
    print(f"p50 slow smtp / no mail: {results['ratio_p50']:.2f}")
    rounds = ", ".join(
        f"{case} " + " / ".join(f"{p:.0f}" for p in results[case]["p95_by_round"]) for case in CASES
    )
    print(f"p95 of each round, ms: {rounds}")


def main() -> None:
    # The database is made afresh: a PostgreSQL one is dropped and created.
    parser = argument_parser(__doc__.splitlines()[0], DEFAULT_POSTGRES)
    parser.add_argument("--checkouts", type=int, default=200, help="timed, per case")
    parser.add_argument("--clients", type=int, default=2, help="buyers checking out at once")
    parser.add_argument("--rounds", type=int, default=2, help="each case this many times")
    args = parser.parse_args()
    if not 1 <= args.clients <= 8:
        raise SystemExit("--clients: 1 to 8")
    if args.rounds < 1 or args.checkouts < args.rounds * args.clients:
        raise SystemExit("--checkouts: at least one per client and round")
    RESULTS.mkdir(parents=True, exist_ok=True)
    url = prepare_database(args.postgres)
    results = {
        "database": "postgresql" if args.postgres else "sqlite",
        "smtp_delay_s": SMTP_DELAY,
    }
    # Rounds alternate the order of the cases, so that neither is always the first (a cold
    # machine) or the last; the checkouts are shared out between the rounds.
    runs: dict[str, list[dict]] = {case: [] for case in CASES}
    per_round = args.checkouts // args.rounds
    for n in range(args.rounds):
        for case in CASES if n % 2 == 0 else CASES[::-1]:
            print(f"Round {n + 1}: {per_round} checkouts, {case}…", flush=True)
            runs[case].append(measure_case(url, case, per_round, args.clients))
    for case in CASES:
        results[case] = summary(runs[case])
    results["ratio_p95"] = results["slow smtp"]["p95"] / results["no mail"]["p95"]
    results["ratio_p50"] = results["slow smtp"]["p50"] / results["no mail"]["p50"]
    name = "checkout_mail-postgresql.json" if args.postgres else "checkout_mail.json"
    (RESULTS / name).write_text(json.dumps(results, indent=2))
    report(results)


if __name__ == "__main__":
    main()
