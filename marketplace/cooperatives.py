"""Cooperatives: signing up (approval is the office's: programme.moderation)."""

from core.accounts import register_user, unique_slug
from core.extensions import db
from core.text import nfc
from marketplace.models import Cooperative


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
