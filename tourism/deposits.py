"""A listing's deposit: how much a booking asks, by when, and what goes back when a booking
that was paid is cancelled. Plain computations; the moves they lead to are in
tourism.bookings, the money's arrival in tourism.payables.

The host asks nothing, a share of the total (rounded up to 1,000 VND) or a fixed amount
(never more than the total), to be transferred within deposit_hours to the host
cooperative's own account (payments: VietQR). A deposit is only asked of a cooperative that
gave its bank account: without one nobody could pay it.
"""

from datetime import datetime, timedelta

from core.clock import utc_start

DEPOSIT_KINDS = ("none", "percent", "fixed")
ROUND_TO = 1_000  # VND: a percentage is rounded up to whole thousands, as people transfer
MIN_HOURS, MAX_HOURS, DEFAULT_HOURS = 1, 168, 24
MAX_FIXED = 100_000_000  # VND, as a listing's price
# Less than this left before the check-in day starts and no deposit is asked: nobody can be
# expected to transfer in minutes, and holding the room that briefly protects no one.
LAST_MINUTE = timedelta(hours=1)


def takes_deposits(host) -> bool:
    """The cooperative gave the bank account a deposit is transferred to."""
    return bool(host is not None and host.bank_bin and host.bank_account)


def deposit_amount(listing, total: int) -> int:
    """The deposit a booking of `total` asks, 0 for none."""
    if not takes_deposits(listing.host) or total <= 0:
        return 0
    value = listing.deposit_value or 0
    if listing.deposit_kind == "percent":
        asked = -(-total * value // (100 * ROUND_TO)) * ROUND_TO  # rounded up
    elif listing.deposit_kind == "fixed":
        asked = value
    else:
        return 0
    return max(0, min(asked, total))


def pay_by(listing, check_in, now: datetime) -> datetime:
    """now + the listing's hours to pay, but never after the check-in day starts (naive UTC)."""
    hours = min(max(listing.deposit_hours or DEFAULT_HOURS, MIN_HOURS), MAX_HOURS)
    return min(now + timedelta(hours=hours), utc_start(check_in))


def deposit_terms(listing, total: int, check_in, now: datetime) -> tuple[int, datetime | None]:
    """(deposit, deadline) of a booking made now; (0, None) when none is asked, also when the
    check-in day starts too soon for a transfer to be waited for (LAST_MINUTE)."""
    amount = deposit_amount(listing, total)
    if not amount:
        return 0, None
    deadline = pay_by(listing, check_in, now)
    if deadline - now < LAST_MINUTE:
        return 0, None
    return amount, deadline


def cancel_refund(paid: int, owed_back: int, fee: int) -> int:
    """What goes back to a guest whose paid booking is cancelled: what the host still holds
    (received, less what was refunded or is due back already) less the cancellation fee,
    the fee counting only up to what is held; never below 0."""
    held = max(paid - owed_back, 0)
    return held - min(max(fee, 0), held)
