"""Trade fairs (trade promotion, step 6 of the OCOP cycle): fairs, booths on a floor plan,
booth requests by cooperatives, the waiting list of a full fair; their public pages, the
cooperative's requests (/dashboard/fairs) and the office's fair pages (/admin/fairs)."""


def init_app(app) -> None:
    """The fairs' pages (the office's on core's /admin blueprint, which the app registers after
    the areas), their addresses in the sitemap, and the demo's fairs (with the marketplace's
    demo cooperatives as exhibitors, so seeded after them)."""
    from core import hooks
    from core.clock import today
    from fairs import jobs, office_views, views  # noqa: F401  (jobs, pages on /admin)
    from fairs.demo import seed_fairs

    app.register_blueprint(views.bp)
    hooks.add_sitemap_entries(app, views.sitemap_urls)
    hooks.add_demo_seeder(app, "fairs", lambda: seed_fairs(today()), after=("marketplace",))
