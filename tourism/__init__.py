"""Community tourism: homestays, tours and farm experiences, their availability, bookings, and
the host's pages (/dashboard/tourism)."""


def init_app(app) -> None:
    """Tourism's pages, its addresses in the sitemap, the demo's listings (hosted by the
    marketplace's demo cooperatives, so seeded after them), and bookings' deposits as a kind
    of payable (payments matches the bank's notices to them)."""
    from core import hooks
    from payments import payables
    from tourism import jobs, photo_views, review_views, views  # noqa: F401  (jobs: the periodic ones; photo_views: on tourism_host)
    from tourism.demo import seed_tourism
    from tourism.host_views import tourism_host
    from tourism.payables import BookingPayable

    payables.register(BookingPayable())

    app.register_blueprint(views.bp)
    app.register_blueprint(tourism_host)
    hooks.add_sitemap_entries(app, views.sitemap_urls)
    hooks.add_demo_seeder(app, "tourism", seed_tourism, after=("marketplace",))
