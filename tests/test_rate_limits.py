"""Rate limits: login is limited, and with REDIS_URL the count is shared by every worker
(checked with a second process against the Redis on 127.0.0.1:6379)."""

import socket
import subprocess
import sys
import uuid
from pathlib import Path

from app import create_app
from tests.ci import not_available

REDIS = "redis://127.0.0.1:6379/15"
ROOT = Path(__file__).resolve().parent.parent


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def limited_app(database_url: str, prefix: str, storage: str):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": storage,
            "RATELIMIT_KEY_PREFIX": prefix,
        }
    )


WORKER = """
import sys
sys.path.insert(0, {root!r})
from tests.test_rate_limits import limited_app
client = limited_app({url!r}, {prefix!r}, {storage!r}).test_client()
for _ in range({posts}):
    print(client.post("/login", data={{"email": "x@example.vn", "password": "x"}}).status_code)
"""


def run_worker(url: str, prefix: str, posts: int, storage: str = REDIS) -> list[str]:
    """A separate process, as a gunicorn worker is: it shares nothing with us but the storage.
    (The limiter is one object per process, so apps with other limits stay out of ours.)"""
    script = WORKER.format(root=str(ROOT), url=url, prefix=prefix, storage=storage, posts=posts)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def test_login_is_limited_to_10_a_minute(app, db):
    statuses = run_worker(app.config["SQLALCHEMY_DATABASE_URI"], "t", 11, storage="memory://")
    assert statuses == ["200"] * 10 + ["429"]


def test_with_redis_the_limit_is_shared_between_workers(app, db):
    if not redis_is_up():
        not_available("No Redis on 127.0.0.1:6379: shared rate limits not checked.")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    prefix = f"t{uuid.uuid4().hex}"
    assert run_worker(url, prefix, 10) == ["200"] * 10
    assert run_worker(url, prefix, 1) == ["429"]  # another worker sees the same count


ACCOUNTS_WORKER = """
import sys
sys.path.insert(0, {root!r})
from tests.test_rate_limits import limited_app
app = limited_app({url!r}, "accounts", "memory://")
app.config.update(RATELIMIT_LOGIN="3 per minute", RATELIMIT_LOGIN_PER_ADDRESS="10 per minute")
client = app.test_client()
def login(email, password="wrong-password"):
    return client.post("/login", data={{"email": email, "password": password}}).status_code
print(*[login("forgetful@example.vn") for _ in range(4)])
print(login("colleague@example.vn", {password!r}),
      *[login(typed) for typed in ("COLLEAGUE@example.vn", " Colleague@Example.vn", "colleague@example.vn")])
print(*[login(f"guess{{n}}@example.vn") for n in range(3)])
print(login("colleague@example.vn", {password!r}))
"""


def test_login_is_limited_per_account_typed_with_a_ceiling_per_address(app, make):
    """Behind one address: one account failing its limit does not stop another account's
    login; the address as a whole is stopped only at its much higher ceiling."""
    from tests.conftest import TEST_PASSWORD

    make.user(email="colleague@example.vn")
    script = ACCOUNTS_WORKER.format(
        root=str(ROOT), url=app.config["SQLALCHEMY_DATABASE_URI"], password=TEST_PASSWORD
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    forgetful, colleague, guesses, ceiling = done.stdout.splitlines()
    assert forgetful.split() == ["200", "200", "200", "429"]  # 3 a minute for one account
    # Another account logs in; typed in other letter cases it is still the same count.
    assert colleague.split() == ["302", "200", "200", "429"]
    assert guesses.split() == ["200", "200", "429"]  # the address's ceiling: 10 a minute
    assert ceiling == "429"
