"""The OCOP office's programme: approvals and moderation, star-rating records, trainings, the
plan dashboard (Kế hoạch 603/KH-UBND) and the audit log, on /admin; and the cooperative's
trainings page (/dashboard/trainings)."""


def init_app(app) -> None:
    """The office's pages (on core's /admin blueprint, which the app registers after the
    areas), the cooperative's trainings page, and `flask approve-cooperative`."""
    from programme import jobs, review_views, views  # noqa: F401  (views add the office's pages)
    from programme.cli import approve

    app.register_blueprint(views.bp)
    app.cli.add_command(approve)
