"""What a cooperative hears of a fair (core.notifications): a booth offered to it from the
waiting list. Runs inside the write transaction that makes the offer."""

from flask_babel import lazy_gettext as _l

from core.notifications import Recipient, notify


def tell_offer(entry, fair) -> None:
    owner = entry.cooperative.owner
    if owner is None:
        return
    notify(
        "fair.booth_offered",
        Recipient.of(owner),
        "booth_offer",
        _l("Có gian hàng trống tại %(fair)s", fair=fair.name),
        fair=fair,
        entry=entry,
    )
