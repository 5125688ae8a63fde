"""Recall speed: how long finding a recalled lot's buyers takes on the bench's 200,000 orders.

    .venv/bin/python -m bench.bench_recall                 # SQLite
    .venv/bin/python -m bench.bench_recall --postgres [URL]

Seeds a database of its own afresh (bench/results/recall.db, or the PostgreSQL database
--postgres names, default postgresql://postgres@127.0.0.1:5432/ocop_bench_recall, dropped and
created) with the demo shop, bench/seed.py's catalogue (10,000 products, 500 cooperatives) and
its 200,000 orders, every line's units taken from its product's lot (order_line_lots). A tenth
of the orders go to one cooperative with few products, so its lots have thousands of buyers:
the lot with the most is the one measured.

Then, in the bench's own process, times `marketplace.recalls.buyers_of` (the query recall_lot
uses to find whom to tell: order_line_lots → order lines → orders → checkouts, cancelled
orders left out), each in a transaction of its own, --rounds times; writing the messages is
not timed. Goal: p95 under P95_GOAL_MS. Results: bench/results/recall.json
(recall-postgresql.json with --postgres).
"""

import json
import statistics

from bench.bench_suggestions import p95, timed
from bench.catalogue import RESULTS, analyse, argument_parser, migrated_app, recreate_postgres

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/ocop_bench_recall"
P95_GOAL_MS = 1000


def prepare_database(postgres: str | None, products: int, cooperatives: int, orders: int) -> str:
    if postgres:
        url = postgres
        recreate_postgres(url)
    else:
        for leftover in RESULTS.glob("recall.db*"):
            leftover.unlink()
        url = f"sqlite:///{RESULTS / 'recall.db'}"
    with migrated_app(url):
        from bench.seed import seed_large_catalogue, seed_orders

        seed_large_catalogue(products, cooperatives)
        seed_orders(orders)
        analyse()
    return url


def measure(url: str, rounds: int) -> dict:
    with migrated_app(url):
        from sqlalchemy import func, select

        from core.extensions import db
        from marketplace.models import Order, OrderLineLot
        from marketplace.recalls import buyers_of

        lot_id, lines = db.session.execute(
            select(OrderLineLot.lot_id, func.count())
            .group_by(OrderLineLot.lot_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        orders = db.session.scalar(select(func.count(Order.id)))
        buyers = len(buyers_of(lot_id))
        db.session.rollback()

        def find():
            buyers_of(lot_id)
            db.session.rollback()

        times = timed(find, rounds)
    return {
        "orders": orders,
        "lot_id": lot_id,
        "lot_lines": lines,
        "buyers": buyers,
        "p50": statistics.median(times),
        "p95": p95(times),
        "max": max(times),
    }


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0], DEFAULT_POSTGRES)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--cooperatives", type=int, default=500)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=20, help="timed searches")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    database = "postgresql" if args.postgres else "sqlite"
    print(f"Seeding {args.orders:,} orders on {database}…", flush=True)
    url = prepare_database(args.postgres, args.products, args.cooperatives, args.orders)
    results = {"database": database, **measure(url, args.rounds)}
    name = "recall-postgresql.json" if args.postgres else "recall.json"
    (RESULTS / name).write_text(json.dumps(results, indent=2))
    verdict = "ok" if results["p95"] <= P95_GOAL_MS else "MISSED"
    print(
        f"buyers_of on {database}, {results['orders']:,} orders: the lot with the most lines"
        f" ({results['lot_lines']:,} lines, {results['buyers']:,} orders to tell):"
        f" p50 {results['p50']:.1f} ms, p95 {results['p95']:.1f} ms, max {results['max']:.1f} ms"
        f" (goal p95 ≤ {P95_GOAL_MS} ms): {verdict}"
    )


if __name__ == "__main__":
    main()
