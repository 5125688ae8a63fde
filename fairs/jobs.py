"""The fairs' periodic jobs (core.jobs): run by the worker, not by a page view."""

from sqlalchemy import select

from core.db import write_transaction
from core.extensions import db
from core.jobs import crontab, periodic
from core.models import utcnow
from fairs import booths
from fairs.models import Booth, Fair
from fairs.notifications import warn_holds_ending


# A waiting-list offer holds its booth for the fair's hold hours; every five minutes the
# offers that ran out pass to the next cooperative in line (told by its message), and those
# about to run out are told so.
@periodic(crontab(minute="*/5"))
def pass_on_expired_holds() -> int:
    now = utcnow()
    with write_transaction():
        warn_holds_ending(now)
    fairs = db.session.scalars(
        select(Fair).where(
            Fair.id.in_(
                select(Booth.fair_id).where(Booth.held_for_id.is_not(None), Booth.held_until <= now)
            )
        )
    ).all()
    return sum(len(booths.expire_holds(fair, now)) for fair in fairs)
