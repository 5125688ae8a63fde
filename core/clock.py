"""Today's date in Hậu Giang, whatever the server's time zone."""

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
