"""Fixtures: an app on a real database (a SQLite file, or TEST_DATABASE_URL), emptied before
each test, and small factories."""

import itertools
import os

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import MetaData, event, text

from app import create_app
from core import clock
from core.config import normalise_database_url
from core.extensions import db as _db
from core.models import Commune, District, User
from core.text import slugify
from marketplace.models import Cooperative, ProductImage
from marketplace.products import add_product
from marketplace.ratings import build_rating, council_for, stars_for_score

pytest_plugins = ["tests.tourism_fixtures", "tests.qr_reading"]

TEST_PASSWORD = "secret-pass-1"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _drop_everything(engine) -> None:
    """Leave a reused test server (PostgreSQL) with no tables, so migrations start clean."""
    meta = MetaData()
    meta.reflect(bind=engine)
    meta.drop_all(bind=engine)


class IsolatedClient(FlaskClient):
    """Each request in a fresh app context, as in production.

    The `db` fixture keeps an app context open for the test's own code; without this, requests
    would share its `g` (the language, the logged-in user) and its database session.
    """

    def open(self, *args, **kwargs):
        # The test's own session: what it made is committed before the request, and its
        # snapshot ends after it, so it then reads what the request wrote.
        _db.session.commit()
        try:
            with self.application.app_context():
                return super().open(*args, **kwargs)
        finally:
            _db.session.rollback()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    application = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(_database_url(tmp_path_factory)),
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_OUTBOX": str(tmp_path_factory.mktemp("outbox")),
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
        }
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        _drop_everything(_db.engine)
        upgrade()
        _db.session.remove()
    return application


@pytest.fixture()
def db(app):
    """The database, empty at the start of the test."""
    with app.app_context():
        _empty_tables()
        yield _db
        _db.session.remove()


def _empty_tables() -> None:
    tables = [t.name for t in _db.metadata.sorted_tables]
    if _db.engine.dialect.name == "postgresql":
        quoted = ", ".join(f'"{name}"' for name in tables)
        _db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        # A truncate fires no row trigger: the pages kept in the last test are not this one's.
        _db.session.execute(text("UPDATE page_version SET version = version + 1"))
    else:
        for name in reversed(tables):
            _db.session.execute(text(f'DELETE FROM "{name}"'))
    _db.session.commit()


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def count_queries(db):
    """Counts the SQL statements run inside a `with count_queries() as counter:` block."""

    class Counter:
        def __init__(self):
            self.statements = []

        def __call__(self, _conn, _cursor, statement, *_args):
            if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN is no query
                self.statements.append(statement)

        def __enter__(self):
            event.listen(_db.engine, "before_cursor_execute", self)
            return self

        def __exit__(self, *exc):
            event.remove(_db.engine, "before_cursor_execute", self)

        @property
        def count(self):
            return len(self.statements)

    return Counter


_sequence = itertools.count(1)


@pytest.fixture()
def make(db):
    """Small factories: make.district(), make.cooperative(), make.product(), make.user()."""
    return Factories()


class Factories:
    def district(self, name=None, kind="district") -> District:
        name = name or f"Huyện Thử {next(_sequence)}"
        district = District(name=name, slug=slugify(name), kind=kind)
        _db.session.add(district)
        _db.session.commit()
        return district

    def commune(self, district, name=None) -> Commune:
        commune = Commune(district=district, name=name or f"Xã Thử {next(_sequence)}")
        _db.session.add(commune)
        _db.session.commit()
        return commune

    def user(self, email=None, role="buyer", name="Người Thử", password=TEST_PASSWORD) -> User:
        user = User(email=email or f"user{next(_sequence)}@example.vn", name=name, role=role)
        user.set_password(password)
        _db.session.add(user)
        _db.session.commit()
        return user

    def cooperative(self, name=None, district=None, approved=True, owner=None, **values):
        name = name or f"HTX Thử {next(_sequence)}"
        cooperative = Cooperative(
            name=name,
            slug=slugify(name),
            kind=values.pop("kind", "cooperative"),
            district=district or self.district(),
            approved=approved,
            owner=owner,
            **values,
        )
        _db.session.add(cooperative)
        _db.session.commit()
        return cooperative

    def product(self, name=None, cooperative=None, *, rating=None, pictures=1, **values):
        """rating: (criteria, a, b, c, recognised_on) to record one rating."""
        values.setdefault("group", "food")
        values.setdefault("unit", "kg")
        values.setdefault("price", 50000)
        values.setdefault("stock", 10)
        product = add_product(
            cooperative or self.cooperative(), name=name or f"Sản phẩm {next(_sequence)}", **values
        )
        for position in range(pictures):
            _db.session.add(
                ProductImage(
                    product=product, path="img/products/placeholder.svg", position=position
                )
            )
        if rating:
            criteria, a, b, c, recognised_on = rating
            build_rating(
                product,
                criteria=criteria,
                points_a=a,
                points_b=b,
                points_c=c,
                council_level=council_for(criteria, stars_for_score(a + b + c), recognised_on),
                decision_number=f"{next(_sequence)}/QĐ-UBND",
                recognised_on=recognised_on,
            )
        _db.session.commit()
        return product


@pytest.fixture()
def today():
    return clock.today()
