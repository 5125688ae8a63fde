"""Database setup shared by every area, and the one write discipline (docs/architecture.md).

Every change to the database goes through `write_transaction()`:

- on SQLite it begins with BEGIN IMMEDIATE, so the busy timeout applies to the whole change and
  no read-then-write can fail with "database is locked" when it upgrades to a writer;
- a lock wait that runs out becomes `TryAgain`, which the route shows as "please try again";
- an insert that a unique constraint may refuse is an upsert (`insert_missing`, `upsert`) or
  runs in a savepoint (`insert_unless_taken`), so a twin request's row is a normal outcome;
- what follows the change (a mail, a job) is registered with `after_commit()` and runs only
  once the change is committed; its failure is logged and never turns success into an error.

A write outside `write_transaction()` during a request is refused in tests (`UnguardedWrite`)
and logged elsewhere, so a new route cannot forget the discipline unnoticed.
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager

from flask import current_app, flash, has_request_context
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from core.extensions import db

log = logging.getLogger(__name__)

# Execution option marking the connection of a write_transaction().
_WRITE = "ocop_write_transaction"
_WRITING_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class TryAgain(RuntimeError):
    """The database was too busy (a lock wait ran out); the person may simply try again."""


def busy_message() -> str:
    """What a person is told on TryAgain where nothing of theirs was saved."""
    return _("Hệ thống đang bận. Vui lòng thử lại.")


def flash_busy() -> None:
    flash(busy_message(), "error")


class UnguardedWrite(RuntimeError):
    """A request wrote to the database outside write_transaction()."""


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection.

    Python's sqlite3 opens transactions lazily; we let SQLAlchemy emit BEGIN itself so that
    write_transaction() can begin with BEGIN IMMEDIATE.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def guard_writes(engine: Engine) -> None:
    """Refuse (in tests) or log (elsewhere) a request's write outside write_transaction()."""

    @event.listens_for(engine, "before_cursor_execute")
    def _check(conn, _cursor, statement, _parameters, _context, _executemany):
        if not has_request_context() or conn.get_execution_options().get(_WRITE):
            return
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if verb not in _WRITING_VERBS:
            return
        message = f"write outside write_transaction(): {statement[:120]}"
        if current_app.testing:
            raise UnguardedWrite(message)
        log.error(message)


def database_is_reachable() -> bool:
    try:
        db.session.execute(db.text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable" for /healthz
        db.session.rollback()
        return False


# What the models do not describe, made by migrations: the page version (core.page_cache) and,
# for one database, SQLite's full-text index of products and its shadow tables, PostgreSQL's
# trigram index of products. Autogenerate and the schema test leave them alone.
UNMODELLED_TABLE_PREFIXES = ("products_fts", "page_version")
UNMODELLED_INDEXES = ("ix_products_search_trgm",)


def include_in_migrations(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "index":
        return name not in UNMODELLED_INDEXES
    return not (type_ == "table" and name.startswith(UNMODELLED_TABLE_PREFIXES))


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


@contextmanager
def write_transaction():
    """One transaction for a change: all of it is committed, or none of it.

    A write_transaction() inside another joins it (the outer one commits). After the commit
    the callbacks given to after_commit() run; a lock timeout becomes TryAgain.
    """
    session = db.session
    if session.info.get(_WRITE):
        yield session
        return
    if session.new or session.dirty or session.deleted:
        # The rollback below would drop them without a word.
        raise RuntimeError("unsaved changes before write_transaction(): make them inside it")
    session.rollback()  # end the read transaction, so the write one begins with the lock
    session.info[_WRITE] = True
    session.info["after_commit"] = []
    try:
        session.connection(execution_options={_WRITE: True})
        yield session
        session.commit()
    except DBAPIError as error:
        session.rollback()
        if isinstance(error, OperationalError) and _is_lock_timeout(error):
            raise TryAgain() from error
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_WRITE, None)
        callbacks = session.info.pop("after_commit", [])
    _run_after_commit(callbacks)


def after_commit(callback: Callable[[], object]) -> None:
    """Run callback once the current write_transaction() has committed (never if it fails)."""
    session = db.session
    if not session.info.get(_WRITE):
        raise RuntimeError("after_commit() is only meaningful inside write_transaction()")
    session.info["after_commit"].append(callback)


def _run_after_commit(callbacks) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:  # noqa: BLE001 - the change is committed; its follow-up may not undo it
            log.exception("work after a committed change failed: %r", callback)
            db.session.rollback()


def _is_lock_timeout(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "locked" in text or "lock timeout" in text or "canceling statement" in text


def _insert(model):
    if dialect_name() == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def insert_missing(model, rows: list[dict], unique_columns: list[str]) -> None:
    """INSERT rows, skipping those whose unique key exists already (ON CONFLICT DO NOTHING),
    so two transactions creating the same row at once do not fail."""
    if not rows:
        return
    db.session.execute(
        _insert(model).values(rows).on_conflict_do_nothing(index_elements=unique_columns)
    )


def upsert(model, values: dict, unique_columns: list[str], changes: Callable) -> None:
    """INSERT a row, or where its unique key exists already apply changes(existing, new) to
    the row: a dict of column → expression, e.g. a quantity added to the one there."""
    statement = _insert(model).values(values)
    table = model.__table__
    statement = statement.on_conflict_do_update(
        index_elements=unique_columns, set_=changes(table.c, statement.excluded)
    )
    db.session.execute(statement)


def insert_unless_taken(obj) -> bool:
    """Add obj in a savepoint; False (and nothing added) when a unique constraint refuses it,
    e.g. because a request made at the same moment wrote the same row first."""
    try:
        with db.session.begin_nested():
            db.session.add(obj)
    except IntegrityError:
        return False
    return True
