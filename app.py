"""The OCOP Hậu Giang web application."""

from pathlib import Path

from flask import Flask, render_template, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

import fairs
import marketplace
import payments
import programme
import tourism
from core import cli, i18n, jobs, page_cache, page_parts
from core.assets import init_assets
from core.config import load_config
from core.db import configure_sqlite, guard_writes, include_in_migrations
from core.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate
from core.formatting import register_filters
from core.logging import configure_logging
from core.security import add_security_headers, refuse_nul_bytes

ROOT = Path(__file__).resolve().parent
# Each area registers its blueprints, commands and what it adds to core's pages (core.hooks),
# after the areas it builds on: payments and the marketplace's catalogue first, the office last.
AREAS = (payments, marketplace, tourism, fairs, programme)


class DatabaseId(IntegerConverter):
    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's own name
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # htmx-flask replaces the request class; it must come before anything else does.
    htmx.init_app(app)
    load_config(app, config)
    configure_logging(app)
    # Ids in URLs within PostgreSQL's INTEGER, so /orders/99999999999999999999 is a 404, not
    # an overflow in the database driver. Set before any route is added.
    app.url_map.converters["int"] = DatabaseId

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
        guard_writes(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        include_object=include_in_migrations,
    )
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(ROOT / "translations"),
    )
    limiter.init_app(app)
    compress.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    register_filters(app)
    init_assets(app)

    from core.admin import admin as admin_bp
    from core.message_views import bp as messages_bp
    from core.seo import bp as seo_bp
    from core.views import bp as core_bp

    jobs.init_app(app)
    app.register_blueprint(core_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(seo_bp)
    for area in AREAS:
        area.init_app(app)
    # After the areas: their office pages are routes of this blueprint.
    app.register_blueprint(admin_bp)

    cli.register(app)
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
    _register_error_pages(app)
    # The page cache in front of Flask, behind the proxy's fix: a page's links hold the
    # host and scheme the visitor used.
    page_parts.init_app(app)
    page_cache.init_app(app)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def _register_error_pages(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l
    from flask_wtf.csrf import CSRFError

    pages = {
        400: (
            _l("Yêu cầu không hợp lệ"),
            _l(
                "Trang đã hết hạn hoặc dữ liệu gửi lên không hợp lệ. Vui lòng tải lại trang và thử lại."
            ),
        ),
        403: (_l("Không có quyền truy cập"), _l("Tài khoản của bạn không được xem trang này.")),
        404: (_l("Không tìm thấy trang"), _l("Trang bạn tìm không có hoặc đã được chuyển đi.")),
        405: (_l("Thao tác không được hỗ trợ"), _l("Trang này không nhận thao tác đó.")),
        429: (
            _l("Quá nhiều yêu cầu"),
            _l("Bạn thao tác quá nhanh. Vui lòng đợi một phút rồi thử lại."),
        ),
        500: (
            _l("Đã có lỗi xảy ra"),
            _l(
                "Xin lỗi, hệ thống gặp sự cố. Dữ liệu của bạn không bị mất; vui lòng thử lại sau ít phút."
            ),
        ),
    }

    def handler(code: int):
        def render(_error):
            if code == 500:
                db.session.rollback()
            heading, message = pages[code]
            return render_template(
                "errors/error.html", code=code, heading=heading, message=message
            ), code

        return render

    for code in pages:
        app.register_error_handler(code, handler(code))
    expired = handler(400)

    def refused_token(error):
        page, code = expired(error)
        # htmx swaps no 400: the click would do nothing. The page is one from before a login
        # (a guest's kept page has no token) or an old one: htmx reloads it, with a token.
        headers = {"HX-Refresh": "true"} if request.htmx else {}
        return page, code, headers

    app.register_error_handler(CSRFError, refused_token)
