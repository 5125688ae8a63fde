"""What a cooperative hears of a fair (core.notifications): its booth request approved,
rejected or cancelled by the office, a booth offered to it from the waiting list, and that
offer about to run out. Each runs inside the write transaction of the change it tells of."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from core.i18n import InReadersLanguage
from core.labels import N_
from core.notifications import Recipient, notify, site_link
from fairs.models import Booth, BoothRequest, Fair

# A request's status -> (event, subject) of what the cooperative is told.
DECISION_MESSAGES = {
    "approved": ("fair.booth_approved", N_("Gian %(code)s tại %(fair)s đã được duyệt")),
    "rejected": ("fair.booth_rejected", N_("Đăng ký gian %(code)s tại %(fair)s không được duyệt")),
    "cancelled": ("fair.booth_cancelled", N_("Đăng ký gian %(code)s tại %(fair)s đã bị hủy")),
}


def _tell_cooperative(cooperative, event: str, template: str, subject, **context) -> None:
    owner = cooperative.owner
    if owner is not None:
        notify(event, Recipient.of(owner), template, subject, **context)


def tell_offer(entry, fair) -> None:
    _tell_cooperative(
        entry.cooperative,
        "fair.booth_offered",
        "booth_offer",
        _l("Có gian hàng trống tại %(fair)s", fair=InReadersLanguage(fair, "name")),
        fair=fair,
        entry=entry,
    )


def tell_decision(request: BoothRequest, to_status: str, reason: str, actor_id: int | None) -> None:
    """The office's decision on a request; a cooperative that cancelled its own is not told."""
    cooperative = request.cooperative
    if to_status not in DECISION_MESSAGES or actor_id == cooperative.owner_id:
        return
    event, subject = DECISION_MESSAGES[to_status]
    fair, booth = request.fair, request.booth
    _tell_cooperative(
        cooperative,
        event,
        "booth_decision",
        _l(subject, code=booth.code, fair=InReadersLanguage(fair, "name")),
        fair=fair,
        booth=booth,
        status=to_status,
        reason=reason,
        link=site_link("fairs.my_booth_requests"),
    )


def warn_holds_ending(now: datetime) -> int:
    """Each cooperative whose held booth has less than a quarter of its hold left is told
    once, so an offer is not lost to a mail read too late."""
    told = 0
    for booth, fair in db.session.execute(
        select(Booth, Fair)
        .join(Fair, Booth.fair_id == Fair.id)
        .where(Booth.held_for_id.is_not(None), Booth.held_until > now)
        .order_by(Booth.id)
    ).all():
        if booth.held_until - now > timedelta(hours=fair.hold_hours) / 4:
            continue
        owner = booth.held_for.owner
        if owner is None:
            continue
        told += bool(
            notify(
                "fair.hold_ending",
                Recipient.of(owner),
                "booth_hold_ending",
                _l("Gian %(code)s giữ cho bạn sắp hết hạn", code=booth.code),
                once_key=f"fair.hold_ending:{booth.id}:{booth.held_for_id}:{booth.held_until:%Y%m%d%H%M}",
                fair=fair,
                booth=booth,
                link=site_link("fairs.fair", slug=fair.slug),
            )
        )
    return told
