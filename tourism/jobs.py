"""Tourism's periodic jobs (core.jobs): run by the worker, not by a page view."""

from datetime import timedelta

from core import clock
from core.db import write_transaction
from core.jobs import crontab, periodic
from core.models import utcnow
from tourism.bookings import release_unpaid_deposits as _release_unpaid_deposits
from tourism.notifications import remind_arrivals


# 08:00 in Vietnam (the queue's clock is UTC): the guests arriving tomorrow are reminded.
@periodic(crontab(minute="0", hour="1"))
def remind_arrivals_daily() -> int:
    with write_transaction():
        return remind_arrivals(clock.today() + timedelta(days=1))


# Every five minutes: a booking whose deposit did not come by its deadline gives its nights
# or seats back (once, whatever runs at the same moment) and its guest is told. A hold may so
# last up to five minutes past pay_by; money arriving then still confirms it.
@periodic(crontab(minute="*/5"))
def release_unpaid_deposits() -> int:
    return _release_unpaid_deposits(utcnow())
