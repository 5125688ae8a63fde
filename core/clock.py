"""Today's date in Hậu Giang, whatever the server's time zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> date:
    return datetime.now(VIETNAM).date()
