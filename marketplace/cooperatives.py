"""Cooperatives: signing up, approval, and what the search index knows of them."""

from sqlalchemy import select

from core.accounts import register_user, unique_slug
from core.extensions import db
from core.models import utcnow
from core.text import nfc
from marketplace.models import Cooperative
from marketplace.products import refresh_cooperative_listings


class CooperativeNotFound(LookupError):
    pass


def register_cooperative(*, email, name, password, phone, cooperative_name, kind, district_id):
    """A cooperative account with its cooperative, waiting for the office's approval."""
    user = register_user(email=email, name=name, password=password, role="cooperative", phone=phone)
    db.session.add(
        Cooperative(
            owner=user,
            name=nfc(cooperative_name).strip(),
            slug=unique_slug(Cooperative, cooperative_name),
            kind=kind,
            district_id=district_id,
            phone=phone or "",
            approved=False,
        )
    )
    return user


def approve_cooperative(slug: str) -> Cooperative:
    cooperative = db.session.scalar(select(Cooperative).where(Cooperative.slug == slug))
    if cooperative is None:
        raise CooperativeNotFound(slug)
    if not cooperative.approved:
        cooperative.approved = True
        cooperative.approved_at = utcnow()
        refresh_cooperative_listings(cooperative)
    db.session.commit()
    return cooperative
