"""Community tourism: homestays, tours and farm experiences, their availability, bookings, and
the host's pages (/dashboard/tourism)."""


def init_app(app) -> None:
    """Tourism's pages, its addresses in the sitemap, and the demo's listings (hosted by the
    marketplace's demo cooperatives, so seeded after them)."""
    from core import hooks
    from tourism import jobs, views  # noqa: F401  (jobs: the periodic ones)
    from tourism.demo import seed_tourism
    from tourism.host_views import tourism_host

    app.register_blueprint(views.bp)
    app.register_blueprint(tourism_host)
    hooks.add_sitemap_entries(app, views.sitemap_urls)
    hooks.add_demo_seeder(app, "tourism", seed_tourism, after=("marketplace",))
