"""Cooperatives: signing up (approval is the office's: programme.moderation), and who may
use a cooperative's pages (access_for; approved_cooperative_only and read_only_while_suspended
run before them)."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.accounts import register_user, unique_slug
from core.db import TryAgain, insert_unless_taken
from core.extensions import db, login_manager
from core.text import nfc
from marketplace.models import Cooperative

# A slug taken by a sign-up at the same moment (PostgreSQL) is tried again with the next one.
SLUG_ATTEMPTS = 5


def register_cooperative(*, email, name, password, phone, cooperative_name, kind, district_id):
    """A cooperative account with its cooperative, waiting for the office's approval; the
    caller's write_transaction() commits it.

    The account is written first (a taken email is the caller's IntegrityError, as for any
    sign-up); the cooperative then goes in a savepoint, so that a slug which a sign-up of the
    same name took at the same moment is simply the next one."""
    user = register_user(email=email, name=name, password=password, role="cooperative", phone=phone)
    db.session.flush()
    for _attempt in range(SLUG_ATTEMPTS):
        # By id, not by the relationship: a refused row must not stay attached to the user.
        cooperative = Cooperative(
            owner_id=user.id,
            name=nfc(cooperative_name).strip(),
            slug=unique_slug(Cooperative, cooperative_name),
            kind=kind,
            district_id=district_id,
            phone=phone or "",
            approved=False,
        )
        if insert_unless_taken(cooperative):
            return user
    raise TryAgain()


def access_for(user) -> tuple[str, Cooperative | None]:
    """("guest" | "forbidden" | "pending" | "approved", the user's cooperative)."""
    if user is None or not user.is_authenticated:
        return "guest", None
    cooperative = user.cooperative if user.role == "cooperative" else None
    if cooperative is None:
        return "forbidden", None
    return ("approved" if cooperative.approved else "pending"), cooperative


def approved_cooperative_only():
    """Before a cooperative's own pages (its shop, its listings, its trainings): a guest is sent
    to log in, another account gets 403, a cooperative waiting for approval sees its waiting
    page. None lets an approved one in, as g.cooperative."""
    state, cooperative = access_for(current_user)
    if state == "guest":
        return login_manager.unauthorized()
    if state == "forbidden":
        abort(403)
    if state == "pending":
        return render_template("dashboard/waiting.html", cooperative=cooperative)
    g.cooperative = cooperative
    return None


def read_only_while_suspended():
    """After approved_cooperative_only, on the pages where a suspended cooperative only reads
    (its shop, its trainings): a change is refused with a message. None lets the request in."""
    cooperative = g.cooperative
    if cooperative.suspended and request.method == "POST":
        # A suspended cooperative's dashboard is read-only until the office restores it.
        flash(
            _("Hợp tác xã đang bị tạm ngưng (%(reason)s); chưa thể thay đổi gì.",
              reason=cooperative.moderation_reason),
            "error",
        )  # fmt: skip
        return redirect(request.referrer or url_for("dashboard.index"))
    return None
