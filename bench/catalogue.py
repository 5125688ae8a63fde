"""Catalogue speed: the app against a one-route "hello" app under the same gunicorn settings.

    make bench            # or: .venv/bin/python bench/catalogue.py --duration 10

Seeds bench/results/bench.db with 10,000 products and 500 cooperatives (once; --reseed to
redo), serves the app and bench/hello.py with gunicorn (2 workers each), loads every URL with
wrk at 32 connections and prints requests per second, latency and the ratio to hello.
Needs wrk (Debian: `apt-get install wrk`).
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
GOALS = {  # url: (minimum ratio to hello, name)
    "/products": (0.15, "catalogue"),
    "/products?page=50": (0.15, "catalogue page 50"),
    "/products?q=khom%20cau%20duc": (0.12, "search"),
    "/products/khom-cau-duc": (0.20, "product page"),
}
P99_GOAL_MS = 100
# The production settings (gunicorn.conf.py) for both apps, with 2 workers and no access log.
GUNICORN = ["--config", "gunicorn.conf.py", "--workers", "2", "--access-logfile", "/dev/null"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(database: Path, products: int, cooperatives: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    from flask_migrate import upgrade

    from app import create_app
    from bench.seed import seed_large_catalogue

    app = create_app()
    with app.app_context():
        upgrade()
        seed_large_catalogue(products, cooperatives)
    os.environ.pop("DATABASE_URL")


def serve(target: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), *GUNICORN, "--bind", f"127.0.0.1:{port}", target],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{target} did not start on port {port}")


def wrk(url: str, duration: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {}
    for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        factor = {"us": 0.001, "ms": 1, "s": 1000}[unit]
        latency[pct] = float(value) * factor
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": latency["50"], "p99": latency["99"], "non2xx": errors and errors[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--cooperatives", type=int, default=500)
    parser.add_argument("--duration", type=int, default=10, help="seconds per URL")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: install it with `apt-get install wrk`.")
    RESULTS.mkdir(parents=True, exist_ok=True)
    database = RESULTS / "bench.db"
    if args.reseed or not database.exists():
        for leftover in RESULTS.glob("bench.db*"):
            leftover.unlink()
        print(f"Seeding {args.products} products, {args.cooperatives} cooperatives…")
        seed(database, args.products, args.cooperatives)

    # The same logging for both apps: warnings only, no access line per request.
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "bench",
        "LOG_LEVEL": "WARNING",
    }
    app_port, hello_port = free_port(), free_port()
    servers = [
        serve("app:create_app()", app_port, env),
        serve("bench.hello:app", hello_port, env),
    ]
    try:
        hello = wrk(f"http://127.0.0.1:{hello_port}/", args.duration)
        rows = [("hello", hello, None)]
        for url, (goal, name) in GOALS.items():
            rows.append((name, wrk(f"http://127.0.0.1:{app_port}{url}", args.duration), goal))
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)

    print(f"\n{'page':<20}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'goal':>7}  verdict")
    for name, r, goal in rows:
        ratio = r["rps"] / hello["rps"]
        ok = goal is None or (ratio >= goal and r["p99"] < P99_GOAL_MS and not r["non2xx"])
        verdict = "" if goal is None else ("ok" if ok else "MISSED")
        goal_text = f"{goal:.2f}" if goal else ""
        print(
            f"{name:<20}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{ratio:>8.2f}"
            f"{goal_text:>7}  {verdict}"
        )
    print(
        f"\n2 gunicorn sync workers each, wrk -t2 -c32 -d{args.duration}s; p99 goal {P99_GOAL_MS} ms."
    )


if __name__ == "__main__":
    main()
