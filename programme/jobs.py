"""The programme's periodic jobs (core.jobs): run by the worker, not by a page view."""

from datetime import timedelta

from core import clock
from core.db import write_transaction
from core.jobs import crontab, periodic
from programme.trainings import remind_attendees


# 08:05 in Vietnam: the cooperatives registered for tomorrow's trainings are reminded.
@periodic(crontab(minute="5", hour="1"))
def remind_trainings_daily() -> int:
    with write_transaction():
        return remind_attendees(clock.today() + timedelta(days=1))
