"""The one write discipline of core.db and core.submissions, on the real test database."""

import sqlite3

import pytest
from sqlalchemy import func, select

from core.db import (
    UnguardedWrite,
    after_commit,
    insert_unless_taken,
    upsert,
    write_transaction,
)
from core.extensions import db as _db
from core.models import FormSubmission, User
from core.submissions import new_form_token, submit_once
from tests.concurrency import at_once


def _user(email="a@example.vn"):
    user = User(email=email, name="A", role="buyer")
    user.set_password("secret-pass-1")
    return user


def _users() -> int:
    return _db.session.scalar(select(func.count(User.id)))


def test_a_write_in_a_request_outside_write_transaction_is_refused(app, db):
    with app.test_request_context("/"):
        _db.session.add(_user())
        with pytest.raises(UnguardedWrite):
            _db.session.flush()
        _db.session.rollback()
        with write_transaction():
            _db.session.add(_user())
    assert _users() == 1


def test_after_commit_runs_after_the_commit_and_never_after_a_rollback(app, db):
    seen = []
    with write_transaction():
        _db.session.add(_user())
        after_commit(lambda: seen.append(_users()))
        assert seen == []
    assert seen == [1]  # the callback saw the committed row

    with pytest.raises(RuntimeError, match="boom"), write_transaction():
        after_commit(lambda: seen.append("after a failed change"))
        raise RuntimeError("boom")
    assert seen == [1]


def test_a_failing_follow_up_keeps_the_change_and_raises_nothing(app, db, caplog):
    def fails():
        raise OSError("mail server down")

    with write_transaction():
        _db.session.add(_user())
        after_commit(fails)
    assert _users() == 1
    assert "work after a committed change failed" in caplog.text


def test_after_commit_outside_a_write_transaction_is_a_mistake(app, db):
    with pytest.raises(RuntimeError):
        after_commit(lambda: None)


def test_an_inner_write_transaction_joins_the_outer_one(app, db):
    with pytest.raises(RuntimeError), write_transaction():
        with write_transaction():
            _db.session.add(_user())
        raise RuntimeError("the outer change fails")
    assert _users() == 0  # the inner part went with it


def test_a_unique_refusal_in_a_savepoint_is_a_normal_outcome(app, db):
    with write_transaction():
        assert insert_unless_taken(_user("same@example.vn"))
        assert not insert_unless_taken(_user("same@example.vn"))
        _db.session.add(_user("other@example.vn"))  # the transaction goes on
    assert _users() == 2


def test_upsert_changes_the_row_that_is_there(app, db):
    def add_outcome(_columns, new):
        return {"outcome": new.outcome}

    for outcome in ("/first", "/second"):
        with write_transaction():
            upsert(FormSubmission, {"token": "t" * 20, "outcome": outcome}, ["token"], add_outcome)
    assert _db.session.scalars(select(FormSubmission.outcome)).all() == ["/second"]


def test_sqlite_write_transactions_take_the_write_lock_at_begin(app, db):
    if _db.engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's")
    path = _db.engine.url.database
    with write_transaction():
        _db.session.scalar(select(func.count(User.id)))  # only a read so far
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_submit_once_runs_the_work_once_and_gives_the_first_result_again(app, db):
    token = new_form_token()
    made = []

    def make():
        made.append(1)
        _db.session.add(_user(f"u{len(made)}@example.vn"))
        return f"/made/{len(made)}"

    assert submit_once(token, make) == "/made/1"
    assert submit_once(token, make) == "/made/1"
    assert made == [1] and _users() == 1


def test_submit_once_at_the_same_moment_makes_one(app, db):
    token = new_form_token()

    def run(n):
        def make():
            _db.session.add(_user(f"twin{n}@example.vn"))
            return f"/made/{n}"

        return submit_once(token, make)

    results = at_once(app, *[lambda n=n: run(n) for n in range(4)])
    assert len(results) == 4 and len(set(results)) == 1, results
    assert results[0].startswith("/made/")
    assert _users() == 1


def test_a_work_that_fails_frees_the_token(app, db):
    token = new_form_token()

    def fails():
        raise ValueError("the form's rule refused it")

    with pytest.raises(ValueError):
        submit_once(token, fails)
    assert submit_once(token, lambda: "/made") == "/made"


def test_changes_left_unsaved_before_a_write_transaction_are_not_dropped_silently(app, db):
    _db.session.add(_user())
    with pytest.raises(RuntimeError, match="unsaved changes"), write_transaction():
        pass
    _db.session.commit()
    assert _users() == 1
