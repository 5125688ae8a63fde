"""A double click on every POST route: the same valid request twice at the same moment, from
the same session (two threads behind a barrier, each with its own test client carrying the same
session cookie), on the real database.

For every route (the requests and their starting data: tests/post_scenarios.SCENARIOS):

a. neither answer is a 500, nor an exception;
b. two at once behave as one after the other: the database after the pair at once has the same
   fingerprint as after the same two requests sent one after the other on the same starting
   data (built again from empty tables);
c. for a route whose form is one intent ("once"), also the same as after ONE request.

(And the scenario is checked: its request alone changes the database, so its form is valid.)

The fingerprint is every table's rows restricted to stable columns (no keys, datetimes, tokens,
password hashes, codes made from ids, search text); a failure shows the rows that differ.
"""

import threading
import time

import pytest
from sqlalchemy import event

from core.extensions import db as _db
from tests.post_scenarios import SCENARIOS, describe, fingerprint, fingerprint_diff, prepare

KINDS = ("once", "each")


def _outcome(response_or_error) -> str:
    if isinstance(response_or_error, BaseException):
        return f"exception {describe(response_or_error)}"
    return str(response_or_error.status_code)


def _failed(response_or_error) -> bool:
    return isinstance(response_or_error, BaseException) or response_or_error.status_code >= 500


def _send(client, prepared):
    try:
        return prepared.send(client)
    except Exception as error:  # noqa: BLE001 - TESTING re-raises what would have been a 500
        return error


# Each read of the two requests at once takes this much longer, as on a busy server: the two
# then overlap every time, where a thread that happens to start first could otherwise finish
# before the other begins (and the race would be caught only now and then).
READ_DELAY = 0.02


class SlowReads:
    """Slows the reads made in the threads that take part (see READ_DELAY)."""

    def __init__(self, engine):
        self.engine = engine
        self.threads: set[int] = set()

    def __call__(self, _conn, _cursor, statement, *_args):
        if threading.get_ident() in self.threads and statement.lstrip()[:6].upper() == "SELECT":
            time.sleep(READ_DELAY)

    def __enter__(self):
        event.listen(self.engine, "after_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "after_cursor_execute", self)


def at_once(app, prepared) -> list:
    """The prepared request twice at the same moment, each in its own thread and client."""
    clients = [prepared.client(app) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list = [None, None]
    slow = SlowReads(_db.engine)

    def run(index: int) -> None:
        slow.threads.add(threading.get_ident())
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[index] = _send(clients[index], prepared)
            except Exception as error:  # noqa: BLE001 - a broken barrier is an outcome too
                results[index] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    with slow:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return [r if r is not None else TimeoutError("no answer in 60 s") for r in results]


def one_after_the_other(app, prepared, times: int) -> list:
    """The same request(s), each from its own client with the same session, in turn."""
    return [_send(prepared.client(app), prepared) for _ in range(times)]


def test_every_post_route_has_a_scenario(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    missing = [
        f"{name}: add it to post_scenarios.SCENARIOS" for name in sorted(posts - set(SCENARIOS))
    ]
    stale = [
        f"SCENARIOS names {name}, which is no POST route" for name in sorted(set(SCENARIOS) - posts)
    ]
    badly_kind = [
        f"{name}: kind {s.kind!r}" for name, s in SCENARIOS.items() if s.kind not in KINDS
    ]
    assert not missing + stale + badly_kind, "\n".join(missing + stale + badly_kind)


@pytest.mark.parametrize("endpoint", sorted(SCENARIOS))
def test_double_submit(app, db, today, endpoint):
    scenario = SCENARIOS[endpoint]
    problems = []

    prepared = prepare(app, endpoint, today)
    together = at_once(app, prepared)
    after_together = fingerprint()
    problems += [
        f"at once, request {n + 1}: {_outcome(r)}" for n, r in enumerate(together) if _failed(r)
    ]

    prepared = prepare(app, endpoint, today)
    in_turn = one_after_the_other(app, prepared, 2)
    after_in_turn = fingerprint()
    problems += [
        f"one after the other, request {n + 1}: {_outcome(r)}"
        for n, r in enumerate(in_turn)
        if _failed(r)
    ]
    if diff := fingerprint_diff(after_together, after_in_turn, "at once", "one after the other"):
        problems.append("two at once differ from two one after the other:\n" + diff)

    prepared = prepare(app, endpoint, today)
    before = fingerprint(volatile=True)
    alone = one_after_the_other(app, prepared, 1)
    after_one = fingerprint()
    problems += [f"alone: {_outcome(r)}" for r in alone if _failed(r)]
    if not any(_failed(r) for r in alone) and fingerprint(volatile=True) == before:
        problems.append("the valid request alone changed nothing: fix the scenario's form")
    diff = fingerprint_diff(after_in_turn, after_one, "after two", "after one")
    if scenario.kind == "once" and diff:
        problems.append(f"two differ from one ({scenario.why}):\n" + diff)

    if problems:
        answers = ", ".join(_outcome(r) for r in together)
        pytest.fail(
            f"POST {prepared.url} as {scenario.role} ({scenario.kind}); answers at once: "
            f"{answers}\n" + "\n".join(problems)
        )
