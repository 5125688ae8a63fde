"""Page speed: the app against a one-route "hello" app under the same gunicorn settings.

    make bench            # SQLite: 10,000 products, 500 cooperatives, 20,000 orders, 2 workers
    make bench-postgres   # PostgreSQL: 100,000 products, 2,000 cooperatives, 200,000 orders,
                          # 4 workers; compared with the last SQLite run

Seeds the database once (--reseed to redo): bench/results/bench.db, or the PostgreSQL database
named by --postgres (created when missing; default postgresql://postgres@127.0.0.1:5432/
ocop_bench). Serves the app and bench/hello.py with gunicorn, logs in as a cooperative and as
the admin, loads every page with wrk at 32 connections and prints requests per second,
latency and the ratio to hello. The admin dashboard is also timed alone (one connection), the
time an officer waits for it. Results are kept in bench/results/<mode>.json.
Needs wrk (Debian: `apt-get install wrk`).
"""

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/ocop_bench"
# The public pages a guest reads, each measured twice: from the app as it is (page cache on)
# and from a second server with PAGE_CACHE=off (its parts of pages kept: core.page_parts);
# the goals' three also from a third with PAGE_PARTS=off too ("cold": every part rendered, as
# on the first read after a change). Requests without cookies, as a new visitor's.
GUEST_PAGES = {
    "catalogue": "/products",
    "catalogue page 50": "/products?page=50",
    "search": "/products?q=khom%20cau%20duc",
    "product page": "/products/khom-cau-duc",
    "cooperative page": "/cooperatives/htx-ky-nhu",
    "tourism": "/tourism",
    "fairs": "/fairs",
}
COLD_PAGES = ("catalogue", "search", "product page")
BUYER = "buyer@ocop.demo"
# name: (url, who is logged in, which server: "app", "uncached" or "cold")
PAGES = {
    **{f"{name} (cached)": (path, None, "app") for name, path in GUEST_PAGES.items()},
    **{f"{name} (uncached)": (path, None, "uncached") for name, path in GUEST_PAGES.items()},
    **{f"{name} (cold)": (GUEST_PAGES[name], None, "cold") for name in COLD_PAGES},
    "buyer catalogue": ("/products", BUYER, "app"),
    "buyer product page": ("/products/khom-cau-duc", BUYER, "app"),
    "cooperative orders": ("/dashboard/orders", "htx.kynhu@ocop.demo", "app"),
    "admin dashboard": ("/admin/plan", "admin@ocop.demo", "app"),
}
# name: (minimum ratio to hello, p99 under this many ms or None): issue 18's goals.
GOALS = {
    "catalogue (cached)": (0.5, 50),
    "product page (cached)": (0.5, 50),
    "search (cached)": (0.5, 50),
    "catalogue (uncached)": (0.08, None),
    "product page (uncached)": (0.10, None),
    "search (uncached)": (0.05, None),
}
# Logged-in pages: "no slower than today", against the last results file of the same mode,
# with this much room for the noise between runs.
LOGGED_IN_TOLERANCE = 0.9
ADMIN_DASHBOARD_MS = 300
DEMO_PASSWORD = "demo1234"
SIZES = {  # mode: products, cooperatives, orders, gunicorn workers
    "sqlite": (10_000, 500, 20_000, 2),
    "postgresql": (100_000, 2_000, 200_000, 4),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def migrated_app(url: str):
    """The app on the database at url, migrated to the newest schema, in its app context: for
    seeding from the bench's own process."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    try:
        from flask_migrate import upgrade

        from app import create_app

        app = create_app()
        with app.app_context():
            upgrade()
            yield app
    finally:
        os.environ.pop("DATABASE_URL")


def analyse() -> None:
    """What autovacuum would have done by the time anyone reads the pages: statistics for the
    planner and a visibility map for index-only scans."""
    from core.extensions import db

    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
        )


def seed(url: str, products: int, cooperatives: int, orders: int) -> None:
    with migrated_app(url):
        from bench.seed import seed_large_catalogue, seed_orders

        seed_large_catalogue(products, cooperatives)
        seed_orders(orders)
        analyse()


def init_db(url: str) -> str:
    """A database seeded by an older version of the code: migrated, as a deploy does."""
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "app:create_app"}
    subprocess.run([str(ROOT / ".venv/bin/flask"), "init-db"], cwd=ROOT, env=env, check=True)
    return url


def postgres_products(url: str) -> int | None:
    """How many products the bench database holds; None when it does not exist."""
    import psycopg

    try:
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
            return conn.execute("SELECT count(*) FROM products").fetchone()[0]
    except psycopg.Error:
        return None


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url.replace("postgresql+psycopg", "postgresql"))
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare_database(mode: str, args) -> str:
    """The database URL, seeded with the mode's sizes unless it already is."""
    products, cooperatives, orders, _ = SIZES[mode]
    if mode == "sqlite":
        database = RESULTS / "bench.db"
        url = f"sqlite:///{database}"
        if args.reseed or not database.exists():
            for leftover in RESULTS.glob("bench.db*"):
                leftover.unlink()
        elif database.exists():
            return init_db(url)
    else:
        url = args.postgres
        if not args.reseed and postgres_products(url) not in (None, 0):
            return init_db(url)
        recreate_postgres(url)
    print(f"Seeding {products:,} products, {cooperatives:,} cooperatives, {orders:,} orders…")
    started = time.monotonic()
    seed(url, products, cooperatives, orders)
    print(f"Seeded in {time.monotonic() - started:.0f} s.")
    return url


def serve(target: str, port: int, env: dict, workers: int) -> subprocess.Popen:
    # The production settings (gunicorn.conf.py) for both apps, with no access log.
    command = [str(ROOT / ".venv/bin/gunicorn"), "--config", "gunicorn.conf.py"]
    command += ["--workers", str(workers), "--access-logfile", "/dev/null"]
    process = subprocess.Popen([*command, "--bind", f"127.0.0.1:{port}", target], cwd=ROOT, env=env)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{target} did not start on port {port}")


def login(base: str, email: str) -> str:
    """The Cookie header of a session logged in as email (the demo password)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    data = {"csrf_token": token, "email": email, "password": DEMO_PASSWORD}
    opener.open(f"{base}/login", urllib.parse.urlencode(data).encode())
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session=" not in cookie:
        raise SystemExit(f"could not log in as {email}")
    return cookie


def warm_up(url: str, cookie: str | None, workers: int) -> None:
    """A few requests first, so that every worker has compiled the page's templates."""
    headers = {"Cookie": cookie} if cookie else {}
    for _ in range(workers * 3):
        urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30).read()


def settle(base: str) -> None:
    """Wait until the server has worked off the requests of the last run's closed
    connections, so that they do not count against the next page."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        started = time.monotonic()
        urllib.request.urlopen(f"{base}/healthz", timeout=30).read()
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.2)


def wrk(url: str, duration: int, connections: int = 32, cookie: str | None = None) -> dict:
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s"]
    command += ["--latency", "-H", "Accept-Encoding: identity"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {}
    for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        factor = {"us": 0.001, "ms": 1, "s": 1000}[unit]
        latency[pct] = float(value) * factor
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": latency["50"],
        "p99": latency["99"],
        "non2xx": int(errors[1]) if errors else 0,
    }


def server_environment(url: str) -> dict:
    """The environment of the bench's servers: the database at url, warnings only (no access
    line per request), no Redis (rate limits and the job queue stay on this machine)."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)
    return env


def measure(mode: str, url: str, duration: int, rounds: int) -> dict:
    """Each page's median over interleaved rounds (hello, then every page, then again), so
    that a slow spell of the machine does not fall on one page only."""
    workers = SIZES[mode][3]
    # The same logging for all the servers.
    env = server_environment(url)
    ports = {name: free_port() for name in ("app", "uncached", "cold", "hello")}
    uncached = {**env, "PAGE_CACHE": "off"}
    servers = [
        serve("app:create_app()", ports["app"], env, workers),
        serve("app:create_app()", ports["uncached"], uncached, workers),
        serve("app:create_app()", ports["cold"], {**uncached, "PAGE_PARTS": "off"}, workers),
        serve("bench.hello:app", ports["hello"], env, workers),
    ]
    bases = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    runs: dict[str, list[dict]] = {}
    try:
        cookies = {}
        for _name, (path, who, server) in PAGES.items():
            if who and who not in cookies:
                cookies[who] = login(bases[server], who)
            warm_up(f"{bases[server]}{path}", cookies.get(who), workers)
        admin = PAGES["admin dashboard"]
        for _ in range(rounds):
            runs.setdefault("hello", []).append(wrk(f"{bases['hello']}/", duration))
            for name, (path, who, server) in PAGES.items():
                settle(bases[server])
                run = wrk(f"{bases[server]}{path}", duration, cookie=cookies.get(who))
                runs.setdefault(name, []).append(run)
            settle(bases["app"])
            alone = wrk(f"{bases['app']}{admin[0]}", duration, 1, cookies[admin[1]])
            runs.setdefault("admin dashboard alone", []).append(alone)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
    return {name: median_run(page_runs) for name, page_runs in runs.items()}


def median_run(runs: list[dict]) -> dict:
    """The median of each figure over the rounds; the errors of all of them."""
    figures = {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50", "p99")}
    return {**figures, "non2xx": sum(run["non2xx"] for run in runs), "rounds": len(runs)}


def report(mode: str, results: dict, sqlite: dict | None, last: dict | None) -> None:
    hello = results["hello"]["rps"]
    rounds = results["hello"].get("rounds", 1)
    print(f"\n{mode}: {SIZES[mode][3]} gunicorn workers each, wrk 32 connections, ", end="")
    print(f"median of {rounds} interleaved round{'s' if rounds > 1 else ''}")
    header = f"{'page':<28}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}"
    print(header + ("  vs SQLite" if sqlite else "") + "  verdict")
    for name, r in results.items():
        ratio = r["rps"] / hello
        line = f"{name:<28}{r['rps']:>8.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{ratio:>8.2f}"
        verdicts = []
        if r["non2xx"]:
            verdicts.append(f"{r['non2xx']} ERRORS")
        if mode == "sqlite" and name in GOALS:
            goal, p99 = GOALS[name]
            met = ratio >= goal and (p99 is None or r["p99"] < p99)
            wanted = f"goal {goal:.2f}" + (f", p99<{p99}" if p99 else "")
            verdicts.append(f"{wanted}: {'ok' if met else 'MISSED'}")
        if PAGES.get(name, (None, None))[1] and last and name in last:
            then = last[name]["rps"] / last["hello"]["rps"]
            met = ratio >= then * LOGGED_IN_TOLERANCE
            verdicts.append(f"last run {then:.2f}: {'ok' if met else 'MISSED: slower'}")
        if sqlite and name in sqlite and name in PAGES:
            then = sqlite[name]["rps"] / sqlite["hello"]["rps"]
            line += f"{ratio / then:>11.2f}"
            verdicts.append("ok" if ratio >= then / 2 else "MISSED: slower than 2x SQLite")
        elif sqlite:
            line += " " * 11
        if name == "admin dashboard alone":
            met = r["p99"] < ADMIN_DASHBOARD_MS
            verdicts.append(f"p99 < {ADMIN_DASHBOARD_MS} ms: {'ok' if met else 'MISSED'}")
        print(line + "  " + "; ".join(verdicts))
    if sqlite:
        print("vs SQLite: this ratio to hello divided by the SQLite run's; goal at least 0.5.")
    if last:
        print("last run: a logged-in page's ratio to hello in the previous results file.")
    if results.get("catalogue (cached)", {}).get("rps", 0) < 2 * results.get(
        "catalogue (uncached)", {}
    ).get("rps", 0):
        print("note: the cached pages are not much faster than the uncached ones (no cache yet?)")


def argument_parser(description: str, default_postgres: str) -> argparse.ArgumentParser:
    """A bench's command line: SQLite, or --postgres [URL]."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=default_postgres,
        help=f"run on PostgreSQL at this URL (default {default_postgres})",
    )
    return parser


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0], DEFAULT_POSTGRES)
    parser.add_argument("--duration", type=int, default=5, help="seconds per page and round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: install it with `apt-get install wrk`.")
    RESULTS.mkdir(parents=True, exist_ok=True)
    mode = "postgresql" if args.postgres else "sqlite"
    url = prepare_database(mode, args)
    kept = RESULTS / f"{mode}.json"
    last = json.loads(kept.read_text()) if kept.exists() else None
    results = measure(mode, url, args.duration, max(1, args.rounds))
    kept.write_text(json.dumps(results, indent=2))
    previous = RESULTS / "sqlite.json"
    sqlite = json.loads(previous.read_text()) if mode != "sqlite" and previous.exists() else None
    report(mode, results, sqlite, last)


if __name__ == "__main__":
    main()
