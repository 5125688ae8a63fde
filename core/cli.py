"""Command-line tasks: flask init-db, seed-demo, create-admin, backup, restore. The areas add
their own (programme: approve-cooperative) and their demo data (core.hooks) in their init_app."""

from pathlib import Path

import click
from flask_migrate import upgrade

from core import hooks, page_cache
from core.accounts import PasswordTooShort, find_user_by_email, register_user
from core.extensions import db


def register(app) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Create or migrate the database to the newest schema."""
        upgrade()
        page_cache.renew_version()
        click.echo("Database is at the newest schema.")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only when no product exists yet.")
    def seed_demo(if_empty):
        """Load Hậu Giang's demo data. Running it twice changes nothing."""
        seeders = hooks.demo_seeders()
        if if_empty and any(seeder.seeded and seeder.seeded() for seeder in seeders):
            click.echo("Demo data already there; nothing loaded.")
            return
        for seeder in seeders:  # in the order the areas added them: what others need first
            seeder.seed()
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
