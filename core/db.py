"""Database setup shared by every area: SQLite pragmas and small helpers."""

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from core.extensions import db


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection.

    Python's sqlite3 opens transactions lazily; we let SQLAlchemy emit BEGIN itself so that a
    service can ask for BEGIN IMMEDIATE where a write depends on a read (DESIGN.md).
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
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def database_is_reachable() -> bool:
    try:
        db.session.execute(db.text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable" for /healthz
        db.session.rollback()
        return False


# What the models do not describe, made by migrations for one database: SQLite's full-text
# index of products and its shadow tables, PostgreSQL's trigram index of products. Autogenerate
# and the schema test leave them alone.
UNMODELLED_TABLE_PREFIXES = ("products_fts",)
UNMODELLED_INDEXES = ("ix_products_search_trgm",)


def include_in_migrations(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "index":
        return name not in UNMODELLED_INDEXES
    return not (type_ == "table" and name.startswith(UNMODELLED_TABLE_PREFIXES))


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


class TryAgain(RuntimeError):
    """The database was too busy (a lock wait ran out); the person may simply try again."""


@contextmanager
def write_transaction():
    """One transaction for a change whose writes depend on what it reads (DESIGN.md).

    On SQLite it begins with BEGIN IMMEDIATE, so no other writer can slip in between the read
    and the write; on PostgreSQL the service's conditional UPDATEs and row locks do that.
    Commits at the end, rolls back on any error; a lock timeout becomes TryAgain.
    """
    session = db.session
    session.rollback()  # end the request's read transaction; nothing is pending here
    try:
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        yield session
        session.commit()
    except OperationalError as error:
        session.rollback()
        if _is_lock_timeout(error):
            raise TryAgain() from error
        raise
    except BaseException:
        session.rollback()
        raise


def _is_lock_timeout(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "locked" in text or "lock timeout" in text or "canceling statement" in text


def insert_missing(model, rows: list[dict], unique_columns: list[str]) -> None:
    """INSERT rows, skipping those whose unique key exists already (ON CONFLICT DO NOTHING),
    so two transactions creating the same row at once do not fail."""
    if not rows:
        return
    if dialect_name() == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(model).values(rows).on_conflict_do_nothing(index_elements=unique_columns)
    )
