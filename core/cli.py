"""Command-line tasks: flask init-db, seed-demo, create-admin, approve-cooperative, backup,
restore."""

from pathlib import Path

import click
from flask_migrate import upgrade

from core.accounts import PasswordTooShort, find_user_by_email, register_user
from core.extensions import db


def register(app) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Create or migrate the database to the newest schema."""
        upgrade()
        click.echo("Database is at the newest schema.")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only when no product exists yet.")
    def seed_demo(if_empty):
        """Load Hậu Giang's demo data. Running it twice changes nothing."""
        from core.clock import today
        from fairs.demo import seed_fairs
        from marketplace.demo import seed_marketplace
        from marketplace.models import Product
        from tourism.demo import seed_tourism

        if if_empty and db.session.query(Product.id).first() is not None:
            click.echo("Demo data already there; nothing loaded.")
            return
        seed_marketplace()
        seed_tourism()
        seed_fairs(today())
        click.echo("Demo data loaded.")

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--password", required=True)
    @click.option("--name", default="Quản trị OCOP")
    def create_admin(email, password, name):
        """Create an admin account, or make an existing account an admin."""
        existing = find_user_by_email(email)
        if existing:
            existing.role = "admin"
            db.session.commit()
            click.echo(f"{existing.email} is now an admin.")
            return
        try:
            register_user(email=email, name=name, password=password, role="admin")
        except PasswordTooShort:
            raise click.UsageError("The password needs at least 8 characters.") from None
        db.session.commit()
        click.echo(f"Admin {email} created.")

    @app.cli.command("approve-cooperative")
    @click.argument("slug")
    def approve(slug):
        """Approve a cooperative that signed up (also on /admin/cooperatives); the audit log
        records it as done from the command line."""
        from sqlalchemy import select

        from marketplace.models import Cooperative
        from programme.moderation import WrongState
        from programme.moderation import approve as approve_cooperative

        cooperative = db.session.scalar(select(Cooperative).where(Cooperative.slug == slug))
        if cooperative is None:
            raise click.UsageError(f"No cooperative with slug {slug!r}.")
        try:
            approve_cooperative(cooperative, actor_id=None, via="flask approve-cooperative")
        except WrongState:
            click.echo(f"{cooperative.name} was already approved.")
            return
        click.echo(f"{cooperative.name} is approved.")

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(path_type=Path))
    def backup(path):
        """Back up the SQLite database and the uploads into one .tar.gz, while the site runs.

        PATH is the file to write, or an existing folder to write a dated file into.
        """
        from core.backup import BackupError, create_backup

        try:
            made = create_backup(path)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Backup written to {made.path}: {made.summary()}.")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(path_type=Path))
    @click.option("--yes", is_flag=True, help="Replace the site's database and uploads.")
    def restore(path, yes):
        """Put back the database and the uploads from a backup made by `flask backup`."""
        from core.backup import BackupError, newest_revision, restore_backup

        try:
            restored = restore_backup(path, overwrite=yes)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Restored {restored.path}: {restored.summary()}.")
        if restored.manifest["schema_revision"] != newest_revision():
            click.echo("The backup's schema is older than this code's: run `flask init-db` now.")
