"""Tourism's periodic jobs (core.jobs): run by the worker, not by a page view."""

from datetime import timedelta

from core import clock
from core.db import write_transaction
from core.jobs import crontab, periodic
from tourism.notifications import remind_arrivals


# 08:00 in Vietnam (the queue's clock is UTC): the guests arriving tomorrow are reminded.
@periodic(crontab(minute="0", hour="1"))
def remind_arrivals_daily() -> int:
    with write_transaction():
        return remind_arrivals(clock.today() + timedelta(days=1))
