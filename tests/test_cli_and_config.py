"""Commands, configuration, CSRF and the schema's migrations."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from app import create_app
from core.audit import AuditEvent
from core.config import ConfigError
from core.db import include_in_migrations
from core.models import Commune, District, User
from marketplace.models import Cooperative, OcopRating, Product, ProductImage

MODELS = (District, Commune, User, Cooperative, Product, ProductImage, OcopRating)


def _counts(db):
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_seed_demo_loads_hau_giang_and_twice_changes_nothing(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = _counts(db)
    snapshot = sorted(
        (p.slug, p.price, p.stock, p.stars, p.search_text)
        for p in db.session.scalars(select(Product))
    )
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    db.session.expire_all()
    assert _counts(db) == first
    assert snapshot == sorted(
        (p.slug, p.price, p.stock, p.stars, p.search_text)
        for p in db.session.scalars(select(Product))
    )
    assert first["districts"] == 8
    assert first["cooperatives"] >= 15 and first["products"] >= 40
    flagships = db.session.scalars(select(Product.name).where(Product.flagship)).all()
    assert sorted(flagships) == [
        "Chanh không hạt đóng khay",
        "Cá thát lát rút xương tẩm gia vị",
        "Khóm Cầu Đúc",
    ]
    criteria = set(db.session.scalars(select(OcopRating.criteria)))
    assert criteria == {"1048", "148"}
    emails = set(db.session.scalars(select(User.email)))
    assert {"admin@ocop.demo", "htx.kynhu@ocop.demo", "buyer@ocop.demo"} <= emails
    ky_nhu = db.session.scalar(select(Cooperative).where(Cooperative.slug == "htx-ky-nhu"))
    assert ky_nhu.owner.email == "htx.kynhu@ocop.demo"
    assert ky_nhu.owner.check_password("demo1234")


def test_seed_demo_if_empty_leaves_existing_data(app, make, db):
    make.product("Sản phẩm riêng")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert "nothing loaded" in result.output
    assert _counts(db)["products"] == 1


def test_create_admin(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "boss@ocop.vn", "--password", "matkhau123"])
    assert result.exit_code == 0
    user = db.session.scalar(select(User).where(User.email == "boss@ocop.vn"))
    assert user.role == "admin" and user.check_password("matkhau123")
    short = runner.invoke(args=["create-admin", "x@ocop.vn", "--password", "short"])
    assert short.exit_code != 0 and "8 characters" in short.output


def test_approve_cooperative_command(app, make, db):
    make.cooperative("HTX Mới", approved=False)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["approve-cooperative", "htx-moi"]).exit_code == 0
    assert db.session.scalar(select(Cooperative.approved)) is True
    [event] = db.session.scalars(select(AuditEvent)).all()
    assert event.action == "cooperative.approve" and event.actor_id is None
    assert event.detail == "HTX Mới (flask approve-cooperative)"
    again = runner.invoke(args=["approve-cooperative", "htx-moi"])
    assert again.exit_code == 0 and "already approved" in again.output
    assert len(db.session.scalars(select(AuditEvent)).all()) == 1
    assert runner.invoke(args=["approve-cooperative", "khong-co"]).exit_code != 0


def test_production_without_secret_key_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("OCOP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_uses_secure_cookies(monkeypatch):
    monkeypatch.setenv("OCOP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_secret_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("OCOP_ENV", raising=False)
    from core.config import _development_secret

    first = _development_secret(tmp_path)
    assert len(first) >= 32 and _development_secret(tmp_path) == first


def test_post_without_csrf_token_is_refused(app, client, make):
    make.user(email="mai@example.vn")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"email": "mai@example.vn", "password": "x"})
        assert response.status_code == 400
        assert client.post("/logout").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_migrations_match_the_models(app, db):
    """The schema the migrations build is the one the models describe."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": False, "include_object": include_in_migrations}
        )
        assert compare_metadata(context, db.metadata) == []


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    broken = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite",
            "SECRET_KEY": "x",
            "TESTING": True,
        }
    )
    assert broken.test_client().get("/healthz").status_code == 503


# POSTs from machines, not browsers: a bank's webhook carries no session and no CSRF token;
# the feed's key is what authenticates it (payments.webhooks), so without it: 401.
CSRF_EXEMPT = {"payments_webhooks.sepay": 401, "payments_webhooks.signed": 401}


def test_every_post_route_refuses_a_request_without_csrf_token(app, client, make):
    """Walk the URL map: each rule that takes POST answers 400 without the token (a
    webhook, exempt, refuses it for want of its key)."""
    import re

    make.user(email="mai@example.vn")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
        assert len(posts) > 20
        for rule in posts:
            url = re.sub(r"<(?:int:)?\w+>", "1", rule.rule)
            response = client.post(url, data={"email": "mai@example.vn"})
            expected = CSRF_EXEMPT.get(rule.endpoint, 400)
            assert response.status_code == expected, (rule.rule, response.status_code)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_behind_a_trusted_proxy_the_visitor_address_comes_from_the_proxy(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "TESTING": True})

    @app.get("/whoami")
    def whoami():
        from flask import request

        return request.remote_addr

    client = app.test_client()
    assert client.get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"}).text == "203.0.113.7"
    monkeypatch.delenv("TRUSTED_PROXIES")
    direct = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "TESTING": True}
    )
    direct.add_url_rule("/whoami", view_func=whoami)
    forged = direct.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert forged.text == "127.0.0.1"


def test_the_migrations_keep_the_search_triggers(app, db):
    """A later migration that copies products (SQLite's batch mode) drops its FTS5 triggers,
    and search then finds nothing new: every migration must leave all three."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the FTS5 triggers are SQLite's; PostgreSQL searches by a trigram index")
    with db.engine.connect() as connection:
        triggers = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'products' "
            "AND name LIKE 'products_fts_%'"
        ).scalars()
        assert set(triggers) == {
            "products_fts_insert",
            "products_fts_delete",
            "products_fts_update",
        }
