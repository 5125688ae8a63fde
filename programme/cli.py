"""The office's command: flask approve-cooperative (added to the app by programme.init_app)."""

import click
from sqlalchemy import select

from core.extensions import db
from marketplace.models import Cooperative
from programme.moderation import approve as approve_cooperative


@click.command("approve-cooperative")
@click.argument("slug")
def approve(slug):
    """Approve a cooperative that signed up (also on /admin/cooperatives); the audit log
    records it as done from the command line."""
    cooperative = db.session.scalar(select(Cooperative).where(Cooperative.slug == slug))
    if cooperative is None:
        raise click.UsageError(f"No cooperative with slug {slug!r}.")
    name = cooperative.name
    if not approve_cooperative(cooperative.id, actor_id=None, via="flask approve-cooperative"):
        click.echo(f"{name} was already approved.")
        return
    click.echo(f"{name} is approved.")
