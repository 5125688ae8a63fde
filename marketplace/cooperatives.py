"""Cooperatives: signing up (approval is the office's: programme.moderation), and who may
use a cooperative's pages (access_for)."""

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


def access_for(user) -> tuple[str, Cooperative | None]:
    """("guest" | "forbidden" | "pending" | "approved", the user's cooperative)."""
    if user is None or not user.is_authenticated:
        return "guest", None
    cooperative = user.cooperative if user.role == "cooperative" else None
    if cooperative is None:
        return "forbidden", None
    return ("approved" if cooperative.approved else "pending"), cooperative
