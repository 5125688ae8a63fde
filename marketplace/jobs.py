"""The marketplace's periodic jobs (core.jobs): run by the worker, not by a page view."""

from core import clock
from core.db import write_transaction
from core.jobs import crontab, periodic
from marketplace.lots import expire_lots
from marketplace.notifications import warn_expiring_certificates
from marketplace.ratings import expire_ratings


# 00:05 in Vietnam (the queue's clock is UTC). Until it has run, pages already show an expired
# certificate as expired (ratings.current_stars checks the date itself).
@periodic(crontab(minute="5", hour="17"))
def expire_ratings_daily() -> int:
    with write_transaction():
        return expire_ratings(clock.today())


# 08:10 in Vietnam: certificates ending within 90 days, and within 30, are told of once each.
@periodic(crontab(minute="10", hour="1"))
def warn_expiring_certificates_daily() -> int:
    with write_transaction():
        return warn_expiring_certificates(clock.today())


# 00:15 in Vietnam: lots past their expiry stop being sold. Until it has run, the checkout
# already skips them (marketplace.lots.sellable checks the date itself).
@periodic(crontab(minute="15", hour="17"))
def expire_lots_daily() -> int:
    with write_transaction():
        return expire_lots(clock.today())
