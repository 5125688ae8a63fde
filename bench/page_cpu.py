"""CPU milliseconds per request for the public pages, in-process, with the page cache off.

    .venv/bin/python -m bench.page_cpu [--requests 200] [--postgres [URL]]

The app on bench/catalogue.py's database (seeded there when missing), each page warmed up,
then time.process_time() over N requests through Flask's test client: as a guest with no
cookies, and as the logged-in demo buyer. No network, no gunicorn: what Python spends on one
answer. Two columns, both with the whole-page cache off: "uncached", the pages' parts kept
per page version as they are while nothing changes (core.page_parts; the goals are judged
here), and "cold", every part rendered, as on the first read after a change (PAGE_PARTS off).
Results in bench/results/page_cpu.json.
"""

import json
import os
import re
import time

from bench.catalogue import (
    DEFAULT_POSTGRES,
    DEMO_PASSWORD,
    RESULTS,
    argument_parser,
    prepare_database,
)

BUYER = "buyer@ocop.demo"
WARM_UP = 20
# name: (url, logged in as the buyer, goal in CPU ms per request or None: no slower than before)
PAGES = {
    "catalogue": ("/products", False, 4.0),
    "catalogue page 50": ("/products?page=50", False, None),
    "search": ("/products?q=khom%20cau%20duc", False, 6.0),
    "product page": ("/products/khom-cau-duc", False, 3.5),
    "cooperative": ("/cooperatives/{cooperative}", False, None),
    "tourism": ("/tourism", False, None),
    "fairs": ("/fairs", False, None),
    "buyer catalogue": ("/products", True, None),
    "buyer product page": ("/products/khom-cau-duc", True, None),
}


def buyer_client(app):
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    data = {"email": BUYER, "password": DEMO_PASSWORD}
    if token:
        data["csrf_token"] = token.group(1)
    answer = client.post("/login", data=data)
    if answer.status_code != 302:
        raise SystemExit(f"could not log in as {BUYER}: {answer.status_code}")
    return client


def cpu_ms(client, url: str, requests: int) -> float:
    for _ in range(WARM_UP):
        answer = client.get(url)
        if answer.status_code != 200:
            raise SystemExit(f"{url}: {answer.status_code}")
    started = time.process_time()
    for _ in range(requests):
        client.get(url)
    return (time.process_time() - started) * 1000 / requests


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0], DEFAULT_POSTGRES)
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = prepare_database("postgresql" if args.postgres else "sqlite", args)
    from sqlalchemy import select

    from app import create_app
    from core.extensions import db
    from marketplace.models import Cooperative

    apps = {
        "uncached": create_app({"PAGE_CACHE": False}),
        "cold": create_app({"PAGE_CACHE": False, "PAGE_PARTS": False}),
    }
    with apps["uncached"].app_context():
        cooperative = db.session.scalar(
            select(Cooperative.slug).where(Cooperative.approved.is_(True)).order_by(Cooperative.id)
        )
    clients = {
        mode: {False: app.test_client(use_cookies=False), True: buyer_client(app)}
        for mode, app in apps.items()
    }
    results = {}
    print(f"{'page':<22} {'uncached':>9} {'cold':>7} {'goal':>6}  (CPU ms per request)")
    for name, (url, logged_in, goal) in PAGES.items():
        address = url.format(cooperative=cooperative)
        ms = {mode: cpu_ms(clients[mode][logged_in], address, args.requests) for mode in apps}
        verdict = "" if goal is None else ("ok" if ms["uncached"] <= goal else "MISSED")
        results[name] = {
            "url": url,
            "cpu_ms": round(ms["uncached"], 2),
            "cold_cpu_ms": round(ms["cold"], 2),
            "goal_ms": goal,
        }
        print(f"{name:<22} {ms['uncached']:9.2f} {ms['cold']:7.2f} {goal or '':>6} {verdict}")
    (RESULTS / "page_cpu.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
