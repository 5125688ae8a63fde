"""The audit log as the office reads it (/admin/audit): each event by its name in the reader's
language, its subject by name with a link to its page, its detail with statuses by their
labels. The rows stay as core.audit records them (codes); only their reading is here, and it
is the office's: it oversees every area, so it may name every area's subjects.

An event code with no name here shows as a plain "Thao tác khác" with its code in a title
(tests/test_audit_labels.py checks that every code recorded in the sources has a name)."""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.audit import AuditEvent
from core.extensions import db
from core.formatting import vnd
from core.labels import N_
from core.models import Message
from fairs.labels import BOOTH_REQUEST_STATUS_NAMES
from fairs.models import Booth, BoothRequest, Fair
from marketplace.labels import ORDER_STATUS_NAMES
from marketplace.models import Cooperative, Lot, Order, Product, ProductReview
from payments.models import BankFeed, BankTransaction, Refund
from programme.models import Training, TrainingRegistration
from tourism.labels import BOOKING_STATUS_NAMES
from tourism.models import Booking, Listing, ListingReview

EVENT_NAMES = {
    "order.status": N_("Trạng thái đơn hàng"),
    "order.paid": N_("Đơn hàng đã thanh toán"),
    "order.received": N_("Người mua đã nhận hàng"),
    "review.hide": N_("Ẩn đánh giá"),
    "review.unhide": N_("Hiện lại đánh giá"),
    "booking.status": N_("Trạng thái đặt chỗ"),
    "booth_request.status": N_("Trạng thái đăng ký gian hàng"),
    "fair.create": N_("Tạo hội chợ"),
    "fair.edit": N_("Sửa hội chợ"),
    "booth.edit": N_("Sửa gian hàng"),
    "training.create": N_("Tạo buổi tập huấn"),
    "training.attendance": N_("Điểm danh tập huấn"),
    "cooperative.approve": N_("Duyệt hợp tác xã"),
    "cooperative.reject": N_("Từ chối hợp tác xã"),
    "cooperative.suspend": N_("Tạm ngưng hợp tác xã"),
    "cooperative.restore": N_("Mở lại hợp tác xã"),
    "cooperative.bank_changed": N_("Đổi tài khoản ngân hàng"),
    "product.hide": N_("Ẩn sản phẩm"),
    "product.unhide": N_("Hiện lại sản phẩm"),
    "listing.hide": N_("Ẩn dịch vụ du lịch"),
    "listing.unhide": N_("Hiện lại dịch vụ du lịch"),
    "rating.record": N_("Ghi nhận xếp hạng sao"),
    "message.send_again": N_("Gửi lại tin nhắn"),
    "bank_feed.rotate_key": N_("Đổi khóa API nhận báo có"),
    "bank_transaction.assign": N_("Gán giao dịch ngân hàng"),
    "bank_transaction.dismiss": N_("Bỏ qua giao dịch ngân hàng"),
    "refund.record": N_("Ghi nhận hoàn tiền"),
    "lot.recall": N_("Thu hồi lô sản phẩm"),
}
OTHER_EVENT = N_("Thao tác khác")

# What a subject is, named when the subject itself is gone.
SUBJECT_KIND_NAMES = {
    "order": N_("Đơn hàng"),
    "booking": N_("Đặt chỗ"),
    "booth_request": N_("Đăng ký gian hàng"),
    "fair": N_("Hội chợ"),
    "booth": N_("Gian hàng"),
    "training": N_("Tập huấn"),
    "training_registration": N_("Đăng ký tập huấn"),
    "cooperative": N_("Hợp tác xã"),
    "product": N_("Sản phẩm"),
    "listing": N_("Dịch vụ du lịch"),
    "message": N_("Tin nhắn"),
    "bank_feed": N_("Nguồn báo có"),
    "bank_transaction": N_("Giao dịch ngân hàng"),
    "refund": N_("Hoàn tiền"),
    "lot": N_("Lô sản phẩm"),
    "product_review": N_("Đánh giá sản phẩm"),
    "listing_review": N_("Đánh giá dịch vụ du lịch"),
}

# The statuses a "from → to" detail names, by the subject they belong to.
STATUS_NAMES = {
    "order": ORDER_STATUS_NAMES,
    "booking": BOOKING_STATUS_NAMES,
    "booth_request": BOOTH_REQUEST_STATUS_NAMES,
}

# The fields a fair.edit or booth.edit detail lists (the fair forms' own labels).
FIELD_NAMES = {
    "name": N_("Tên hội chợ"),
    "venue": N_("Địa điểm"),
    "address": N_("Địa chỉ"),
    "starts_on": N_("Ngày khai mạc"),
    "ends_on": N_("Ngày bế mạc"),
    "registration_deadline": N_("Hạn đăng ký gian hàng"),
    "description": N_("Giới thiệu"),
    "allow_multiple_booths": N_("Một hợp tác xã được thuê nhiều gian hàng"),
    "hold_hours": N_("Giữ gian hàng trống cho người trong danh sách chờ (giờ)"),
    "zone": N_("Khu"),
    "size": N_("Kích thước"),
    "price": N_("Giá thuê"),
    "closed": N_("Không cho thuê"),
}

STATUS_MOVE = re.compile(r"^(?P<from>\w+) → (?P<to>\w+)(?: (?P<rest>.*))?$", re.S)


@dataclass(frozen=True)
class Subject:
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Line:
    event: AuditEvent
    action: str
    subject: Subject
    detail: str


def event_name(code: str) -> str:
    return _(EVENT_NAMES.get(code, OTHER_EVENT))


def _gone(event: AuditEvent) -> Subject:
    """A subject no longer there (or of a kind without a reader): its kind, and its number so
    that two of them stay apart."""
    kind = _(SUBJECT_KIND_NAMES.get(event.subject_type, OTHER_EVENT))
    if event.subject_id is None:
        return Subject(kind)
    return Subject(_("%(kind)s số %(number)s (không còn)", kind=kind, number=event.subject_id))


def lines(events: Iterable[AuditEvent]) -> list[Line]:
    """The events as the page shows them; their subjects read in one query per kind."""
    events = list(events)
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.subject_id is not None:
            wanted[event.subject_type].add(event.subject_id)
    found = {kind: SUBJECTS[kind](ids) if kind in SUBJECTS else {} for kind, ids in wanted.items()}
    return [
        Line(
            event=event,
            action=event_name(event.action),
            subject=found.get(event.subject_type, {}).get(event.subject_id) or _gone(event),
            detail=detail_text(event.action, event.subject_type, event.detail or ""),
        )
        for event in events
    ]


def detail_text(action: str, subject_type: str, detail: str) -> str:
    """A detail recorded with codes, read with their labels; free text as it was typed."""
    if action.endswith(".status") and subject_type in STATUS_NAMES:
        move = STATUS_MOVE.match(detail)
        if move:
            names = STATUS_NAMES[subject_type]
            text = f"{_status(names, move['from'])} → {_status(names, move['to'])}"
            return f"{text}: {move['rest']}" if move["rest"] else text
    if action == "fair.edit":
        return _fields(detail)
    if action == "booth.edit" and ": " in detail:
        code, fields = detail.split(": ", 1)
        return f"{code}: {_fields(fields)}"
    if action == "fair.create":
        name, _sep, booths = detail.rpartition(": ")
        count = booths.removesuffix(" gian")
        if name and count.isdigit():
            return name + ": " + ngettext("%(num)s gian hàng", "%(num)s gian hàng", int(count))
    if action == "training.attendance":
        who, _sep, mark = detail.rpartition(": ")
        if who and mark in ("có mặt", "vắng"):
            return who + ": " + (_("có mặt") if mark == "có mặt" else _("vắng"))
    if action == "cooperative.bank_changed":
        return " → ".join(
            _("không có") if side.strip() == "none" else side.strip()
            for side in detail.split(" -> ")
        )
    return detail


def _status(names: dict, code: str) -> str:
    return _(names[code]) if code in names else code


def _fields(detail: str) -> str:
    return ", ".join(
        _(FIELD_NAMES[name]) if name in FIELD_NAMES else name
        for name in (part.strip() for part in detail.split(","))
        if name
    )


# --- subjects: by kind, the ids → Subject --------------------------------------------------


def _rows(model, ids, *options):
    return db.session.scalars(select(model).where(model.id.in_(ids)).options(*options)).all()


def _products(ids):
    return {
        p.id: Subject(p.name, url_for("admin.product_ratings", product_id=p.id))
        for p in _rows(Product, ids)
    }


def _cooperatives(ids):
    return {
        c.id: Subject(c.name, url_for("admin.cooperatives", _anchor=f"cooperative-{c.id}"))
        for c in _rows(Cooperative, ids)
    }


def _lots(ids):
    return {
        lot.id: Subject(f"{lot.product.name} · {lot.code}", url_for("admin.recall", lot_id=lot.id))
        for lot in _rows(Lot, ids, joinedload(Lot.product))
    }


def _orders(ids):
    return {
        o.id: Subject(f"{o.code} · {o.cooperative.name}" if o.code else o.cooperative.name)
        for o in _rows(Order, ids, joinedload(Order.cooperative))
    }


def _bookings(ids):
    return {
        b.id: Subject(
            f"{b.code} · {b.listing.title}",
            url_for("tourism.listing", slug=b.listing.slug),
        )
        for b in _rows(Booking, ids, joinedload(Booking.listing))
    }


def _listings(ids):
    return {
        item.id: Subject(item.title, url_for("tourism.listing", slug=item.slug))
        for item in _rows(Listing, ids)
    }


def _fairs(ids):
    return {f.id: Subject(f.name, url_for("admin.fair", fair_id=f.id)) for f in _rows(Fair, ids)}


def _booths(ids):
    return {
        b.id: Subject(f"{b.code} · {b.fair.name}", url_for("admin.fair", fair_id=b.fair_id))
        for b in _rows(Booth, ids, joinedload(Booth.fair))
    }


def _booth_requests(ids):
    rows = _rows(
        BoothRequest,
        ids,
        joinedload(BoothRequest.cooperative),
        joinedload(BoothRequest.booth),
        joinedload(BoothRequest.fair),
    )
    return {
        r.id: Subject(
            f"{r.cooperative.name} · {r.booth.code} · {r.fair.name}",
            url_for("admin.fair", fair_id=r.fair_id),
        )
        for r in rows
    }


def _trainings(ids):
    return {t.id: Subject(t.topic, url_for("admin.admin_trainings")) for t in _rows(Training, ids)}


def _registrations(ids):
    rows = _rows(
        TrainingRegistration,
        ids,
        joinedload(TrainingRegistration.cooperative),
        joinedload(TrainingRegistration.training),
    )
    return {
        r.id: Subject(
            f"{r.cooperative.name} · {r.training.topic}", url_for("admin.admin_trainings")
        )
        for r in rows
    }


def _messages(ids):
    return {m.id: Subject(m.subject, url_for("admin.office_messages")) for m in _rows(Message, ids)}


def _payee_names(ids) -> dict[int, str]:
    return {c.id: c.name for c in _rows(Cooperative, ids)}


def _bank_feeds(ids):
    feeds = _rows(BankFeed, ids)
    names = _payee_names({f.payee_id for f in feeds})
    return {f.id: Subject(names.get(f.payee_id, "")) for f in feeds}


def _bank_transactions(ids):
    rows = _rows(BankTransaction, ids)
    names = _payee_names({t.payee_id for t in rows})
    return {
        t.id: Subject(
            " · ".join(filter(None, (vnd(t.amount), t.bank_reference, names.get(t.payee_id))))
        )  # fmt: skip
        for t in rows
    }


def _refunds(ids):
    rows = _rows(Refund, ids)
    names = _payee_names({r.payee_id for r in rows})
    codes = _payable_codes(rows)
    return {
        r.id: Subject(
            " · ".join(
                filter(
                    None,
                    (
                        vnd(r.amount),
                        codes.get((r.payable_kind, r.payable_id)),
                        names.get(r.payee_id),
                    ),
                )
            )  # fmt: skip
        )
        for r in rows
    }


def _payable_codes(refunds) -> dict[tuple[str, int], str]:
    codes = {}
    for kind, model in (("order", Order), ("booking", Booking)):
        ids = {r.payable_id for r in refunds if r.payable_kind == kind}
        if ids:
            codes.update({(kind, row.id): row.code for row in _rows(model, ids)})
    return codes


def _product_reviews(ids):
    return {
        r.id: Subject(
            f"{r.author_name} · {r.product.name}",
            url_for("admin.reviews", _anchor=f"product-review-{r.id}"),
        )
        for r in _rows(ProductReview, ids, joinedload(ProductReview.product))
    }


def _listing_reviews(ids):
    return {
        r.id: Subject(
            f"{r.author_name} · {r.listing.title}",
            url_for("admin.reviews", _anchor=f"listing-review-{r.id}"),
        )
        for r in _rows(ListingReview, ids, joinedload(ListingReview.listing))
    }


SUBJECTS: dict[str, Callable[[set[int]], dict[int, Subject]]] = {
    "product": _products,
    "cooperative": _cooperatives,
    "order": _orders,
    "booking": _bookings,
    "listing": _listings,
    "fair": _fairs,
    "booth": _booths,
    "booth_request": _booth_requests,
    "training": _trainings,
    "training_registration": _registrations,
    "message": _messages,
    "bank_feed": _bank_feeds,
    "bank_transaction": _bank_transactions,
    "refund": _refunds,
    "lot": _lots,
    "product_review": _product_reviews,
    "listing_review": _listing_reviews,
}
