"""Approving, rejecting, suspending and restoring cooperatives; hiding products and listings
that break the rules. Each is recorded in the audit log with its reason."""

from sqlalchemy import select

from core import audit
from core.extensions import db
from core.models import utcnow
from marketplace.models import Cooperative, Product
from marketplace.products import refresh_cooperative_listings, refresh_listing


class ModerationError(ValueError):
    pass


class ReasonRequired(ModerationError):
    pass


class WrongState(ModerationError):
    pass


def pending_cooperatives() -> list[Cooperative]:
    return db.session.scalars(
        select(Cooperative)
        .where(Cooperative.approved.is_(False), Cooperative.rejected_at.is_(None))
        .order_by(Cooperative.created_at)
    ).all()


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    return reason[:300]


def approve(cooperative: Cooperative, actor_id: int | None, via: str = "") -> None:
    """`actor_id` None with `via` naming the command: approved from the command line."""
    if cooperative.approved:
        raise WrongState()
    cooperative.approved, cooperative.approved_at = True, utcnow()
    cooperative.rejected_at, cooperative.moderation_reason = None, ""
    refresh_cooperative_listings(cooperative)
    detail = f"{cooperative.name} ({via})" if via else cooperative.name
    audit.record(actor_id, "cooperative.approve", "cooperative", cooperative.id, detail)
    db.session.commit()


def reject(cooperative: Cooperative, actor_id: int, reason: str) -> None:
    if cooperative.approved:
        raise WrongState()
    cooperative.rejected_at, cooperative.moderation_reason = utcnow(), _reason(reason)
    audit.record(actor_id, "cooperative.reject", "cooperative", cooperative.id, reason)
    db.session.commit()


def suspend(cooperative: Cooperative, actor_id: int, reason: str) -> None:
    if not cooperative.approved or cooperative.suspended:
        raise WrongState()
    cooperative.suspended, cooperative.moderation_reason = True, _reason(reason)
    refresh_cooperative_listings(cooperative)
    audit.record(actor_id, "cooperative.suspend", "cooperative", cooperative.id, reason)
    db.session.commit()


def restore(cooperative: Cooperative, actor_id: int) -> None:
    if not cooperative.suspended:
        raise WrongState()
    cooperative.suspended, cooperative.moderation_reason = False, ""
    refresh_cooperative_listings(cooperative)
    audit.record(actor_id, "cooperative.restore", "cooperative", cooperative.id, cooperative.name)
    db.session.commit()


def hide_product(product: Product, actor_id: int, reason: str) -> None:
    product.hidden_reason = _reason(reason)
    refresh_listing(product)
    audit.record(actor_id, "product.hide", "product", product.id, reason)
    db.session.commit()


def unhide_product(product: Product, actor_id: int) -> None:
    product.hidden_reason = ""
    refresh_listing(product)
    audit.record(actor_id, "product.unhide", "product", product.id, product.name)
    db.session.commit()


def hide_listing(listing, actor_id: int, reason: str) -> None:
    listing.hidden_reason = _reason(reason)
    audit.record(actor_id, "listing.hide", "listing", listing.id, reason)
    db.session.commit()


def unhide_listing(listing, actor_id: int) -> None:
    listing.hidden_reason = ""
    audit.record(actor_id, "listing.unhide", "listing", listing.id, listing.title)
    db.session.commit()
