"""The marketplace: cooperatives and products (the catalogue other areas build on), OCOP
ratings, the cart, checkout and orders, and the cooperative's shop (/dashboard)."""


def init_app(app) -> None:
    """The marketplace's pages, and what it adds to core's: the cart joins the account on
    login, the account page's cooperative, orders and address book, the sitemap, the
    cooperative sign-up, the demo's cooperatives and products."""
    from flask_login import user_logged_in

    from core import hooks
    from marketplace import cart, demo, jobs  # noqa: F401  (jobs: the periodic ones)
    from marketplace.cooperatives import register_cooperative
    from marketplace.labels import COOPERATIVE_KIND_NAMES
    from marketplace.payables import OrderPayable
    from marketplace.views import (
        account,
        bp,
        catalogue,
        lots,  # noqa: F401  (its routes are on dashboard)
        payments,  # noqa: F401  (its routes are on dashboard)
        profile,  # noqa: F401  (its routes are on dashboard)
        recalls,  # noqa: F401  (its routes are on dashboard)
        reviews,  # noqa: F401  (its routes are on dashboard)
        trace,  # noqa: F401  (the labels' route is on dashboard)
    )
    from marketplace.views.dashboard import dashboard
    from payments import payables

    payables.register(OrderPayable())
    app.register_blueprint(bp)
    app.register_blueprint(dashboard)
    user_logged_in.connect(cart.merge_on_login, app)
    hooks.add_account_part(app, "facts", account.cooperative_facts)
    hooks.add_account_part(app, "sections", account.orders_section)
    hooks.add_account_part(app, "sections", account.addresses_section)
    hooks.add_sitemap_entries(app, catalogue.sitemap_urls)
    hooks.set_cooperative_signup(
        app, kinds=COOPERATIVE_KIND_NAMES, create=register_cooperative, home="dashboard.index"
    )
    hooks.add_demo_seeder(app, "marketplace", demo.seed_marketplace, seeded=demo.has_products)
