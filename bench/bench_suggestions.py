"""Suggestion speed: how long a search with a typing mistake takes to find its nearest products.

    .venv/bin/python -m bench.bench_suggestions                 # SQLite, 2,000 products
    .venv/bin/python -m bench.bench_suggestions --products 10000
    .venv/bin/python -m bench.bench_suggestions --postgres [URL]

Seeds a database of its own afresh (bench/results/suggestions.db, or the PostgreSQL database
--postgres names, default postgresql://postgres@127.0.0.1:5432/ocop_bench_suggest, dropped and
created) with the demo shop and bench/seed.py's large catalogue, every product's search_text
then made as the shop makes it (marketplace.products.product_search_text: name, group,
cooperative, places, description), so that the texts measured are as long as real ones.

Then, in the bench's own process (no web server: the time is the rule's and the database's),
times `marketplace.catalogue.nearest_products` for misspelt searches, each --rounds times,
and the whole catalogue page that shows them (`GET /products?q=…` through Flask's test
client, the exact search that finds nothing included). The seeded catalogue repeats 14 kinds
of product, so a misspelt kind is near ~140 products: the worst case for the number of
candidates measured. Goal: p95 of nearest_products under P95_GOAL_MS on SQLite. Results:
bench/results/suggestions.json (suggestions-postgresql.json with --postgres).
"""

import json
import logging
import statistics
import time
from urllib.parse import urlencode

from bench.catalogue import RESULTS, argument_parser, migrated_app, recreate_postgres

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/ocop_bench_suggest"
P95_GOAL_MS = 50
# What a visitor might type: a wrong letter, a missing tone, a word short, nonsense, far too
# much (the search box keeps 100 characters, nearest_products as many).
QUERIES = [
    "khom cau duk",
    "ca thac lat",
    "chanh khong hot",
    "mat ong trem",
    "buoi nam roj",
    "gio luc bimh",
    "zzzzqqq",
    "khom cau duk loai dac biet huu co qua tang truyen thong say tuoi hau giang vi thanh",
]
WARM_UP = 3


def prepare_database(postgres: str | None, products: int, cooperatives: int) -> str:
    if postgres:
        url = postgres
        recreate_postgres(url)
    else:
        database = RESULTS / "suggestions.db"
        for leftover in RESULTS.glob("suggestions.db*"):
            leftover.unlink()
        url = f"sqlite:///{database}"
    with migrated_app(url):
        from sqlalchemy import select
        from sqlalchemy.orm import joinedload

        from bench.catalogue import analyse
        from bench.seed import seed_large_catalogue
        from core.extensions import db
        from marketplace.models import Product
        from marketplace.products import product_search_text

        seed_large_catalogue(products, cooperatives)
        for product in db.session.scalars(
            select(Product).options(
                joinedload(Product.cooperative),
                joinedload(Product.district),
                joinedload(Product.commune),
            )
        ).unique():
            product.search_text = product_search_text(product)
        db.session.commit()
        analyse()
    return url


def timed(call, rounds: int) -> list[float]:
    """Milliseconds of each of rounds calls, after a few untimed ones."""
    for _ in range(WARM_UP):
        call()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def measure(url: str, rounds: int) -> dict:
    with migrated_app(url) as app:
        logging.getLogger("app.access").setLevel(logging.WARNING)  # a line per page otherwise
        from sqlalchemy import func, select

        from core.extensions import db
        from marketplace.catalogue import nearest_products
        from marketplace.models import Product

        listed = db.session.scalar(select(func.count(Product.id)).where(Product.listed))
        results = {"products": listed, "queries": {}}
        client = app.test_client()
        for query in QUERIES:
            found = [p.name for p in nearest_products(query)]
            db.session.rollback()  # each call in a transaction of its own, as in a request

            def rule(query=query):
                nearest_products(query)
                db.session.rollback()

            page_url = "/products?" + urlencode({"q": query})

            def page(page_url=page_url):
                response = client.get(page_url)
                assert response.status_code == 200, response.status_code

            rule_times, page_times = timed(rule, rounds), timed(page, rounds)
            results["queries"][query] = {
                "suggested": found,
                "p50": statistics.median(rule_times),
                "p95": p95(rule_times),
                "max": max(rule_times),
                "page_p50": statistics.median(page_times),
                "page_p95": p95(page_times),
            }
        every = [q["p95"] for q in results["queries"].values()]
        results["worst_p95"] = max(every)
    return results


def report(results: dict, database: str) -> None:
    print(f"\nnearest_products on {database}, {results['products']:,} visible products (ms)")
    print(f"{'query':<32}{'p50':>7}{'p95':>7}{'max':>7}{'page p50':>10}{'page p95':>10}  offers")
    for query, r in results["queries"].items():
        shown = query if len(query) <= 30 else query[:29] + "…"
        offers = ", ".join(r["suggested"]) or "nothing"
        line = f"{shown:<32}{r['p50']:>7.1f}{r['p95']:>7.1f}{r['max']:>7.1f}"
        print(f"{line}{r['page_p50']:>10.1f}{r['page_p95']:>10.1f}  {offers}")
    verdict = "ok" if results["worst_p95"] <= P95_GOAL_MS else "MISSED"
    print(f"worst p95: {results['worst_p95']:.1f} ms (goal ≤ {P95_GOAL_MS} ms): {verdict}")


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0], DEFAULT_POSTGRES)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--cooperatives", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=50, help="timed calls per query")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    database = "postgresql" if args.postgres else "sqlite"
    print(f"Seeding {args.products:,} products on {database}…", flush=True)
    url = prepare_database(args.postgres, args.products, args.cooperatives)
    results = {"database": database, **measure(url, args.rounds)}
    name = "suggestions-postgresql.json" if args.postgres else "suggestions.json"
    (RESULTS / name).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    report(results, database)


if __name__ == "__main__":
    main()
