"""Today's date in Hậu Giang, whatever the server's time zone; and the time signed links
are dated by."""

import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> date:
    return datetime.now(VIETNAM).date()


def utc_start(day: date) -> datetime:
    """Midnight in Hậu Giang at the start of `day`, as the naive UTC the database stores."""
    local = datetime(day.year, day.month, day.day, tzinfo=VIETNAM)
    return local.astimezone(UTC).replace(tzinfo=None)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def timestamp() -> int:
    """Seconds since the epoch: when a signed link (a password reset) was made, and how old it
    is now. Tests move it forward to see a link expire."""
    return int(time.time())
