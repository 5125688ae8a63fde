"""The audit log speaks the interface's language (programme/audit_log.py): each event by its
name, its subject by name (linked to its page), statuses by their labels; never the codes
core.audit stores."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from programme import audit_log

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "payments", "marketplace", "tourism", "fairs", "programme")
# audit.record(actor, action, subject_type, ...) or record(...) imported from core.audit.
RECORD_CALL = re.compile(r"\brecord\(\s*[^,()]+,\s*(\"[\w.]+\"|[A-Z_]+),\s*\"(\w+)\"", re.S)


def recorded_in_sources() -> set[tuple[str, str]]:
    """(event code, subject type) of every audit record the code makes."""
    import marketplace.profile

    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for action, subject in RECORD_CALL.findall(path.read_text(encoding="utf-8")):
                if not action.startswith('"'):
                    action = f'"{getattr(marketplace.profile, action)}"'
                found.add((action.strip('"'), subject))
    return found


def test_every_event_code_in_the_sources_has_a_name_and_its_subject_a_reader():
    recorded = recorded_in_sources()
    assert len(recorded) >= 20  # the pattern still finds the calls
    assert ("order.status", "order") in recorded and ("rating.record", "product") in recorded
    assert {code for code, _ in recorded} - set(audit_log.EVENT_NAMES) == set()
    assert {subject for _, subject in recorded} - set(audit_log.SUBJECTS) == set()
    assert {subject for _, subject in recorded} - set(audit_log.SUBJECT_KIND_NAMES) == set()


@pytest.mark.parametrize(
    ("action", "subject", "detail", "shown"),
    [
        ("order.status", "order", "confirmed → shipping", "Đã xác nhận → Đang giao"),
        ("booking.status", "booking", "requested → confirmed", "Chờ chủ nhà xác nhận → Đã xác nhận"),
        ("booth_request.status", "booth_request", "requested → rejected Hết chỗ",
         "Chờ duyệt → Bị từ chối: Hết chỗ"),
        ("fair.edit", "fair", "name, hold_hours", "Tên hội chợ, Giữ gian hàng trống cho người trong danh sách chờ (giờ)"),
        ("booth.edit", "booth", "A1: price, closed", "A1: Giá thuê, Không cho thuê"),
        ("fair.create", "fair", "Hội chợ OCOP: 12 gian", "Hội chợ OCOP: 12 gian hàng"),
        ("training.attendance", "training_registration", "HTX Kỳ Như: vắng", "HTX Kỳ Như: vắng"),
        ("cooperative.bank_changed", "cooperative", "none -> Vietcombank …6789 HTX",
         "không có → Vietcombank …6789 HTX"),
        ("product.hide", "product", "Nhãn sai", "Nhãn sai"),  # free text stays as typed
    ],
)  # fmt: skip
def test_details_stored_as_codes_read_with_labels(app, action, subject, detail, shown):
    with app.test_request_context("/"):
        assert audit_log.detail_text(action, subject, detail) == shown


def test_details_in_english(app):
    with app.test_request_context("/?lang=en"):
        text = audit_log.detail_text("order.status", "order", "confirmed → shipping")
    assert "confirmed" not in text and "shipping" not in text.lower().split("→")[0]
    assert text == "Confirmed → Shipping"


class VisibleText(HTMLParser):
    """The text a person reads: no tags, no attributes (an option's value is not shown)."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture()
def seeded_actions(app, db, today):
    """A spread of real actions across the areas, through their rules, each audited."""
    from fairs import booths
    from marketplace import orders
    from payments.matching import BankLine, dismiss, take_in
    from programme import moderation, trainings
    from programme.ratings import record_rating
    from tests.post_scenarios import Start
    from tourism import bookings

    s = Start(today)
    office, shop = s.users["admin"].id, s.users["cooperative"].id
    order = s.checkout("vietqr").orders[0]
    orders.change_status(order.id, "confirmed", actor_id=shop)
    orders.change_status(order.id, "shipping", actor_id=shop)
    orders.mark_paid(order.id, actor_id=shop)
    homestay = s.homestay()
    booking = s.booking(homestay)
    bookings.change_booking_status(booking.id, "confirmed", actor_id=shop, today=today)
    fair = booths.make_fair(
        actor_id=office, rows=1, cols=2, pattern="{row}{col}", zone="Nông sản", size="3 × 3 m",
        price=1_000_000, name="Hội chợ Nhật Ký", venue="Quảng trường", address="TP Vị Thanh",
        starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=33),
        registration_deadline=today + timedelta(days=20), hold_hours=48,
    )  # fmt: skip
    booths.update_fair(fair.id, {"venue": "Nhà văn hóa", "hold_hours": 24}, actor_id=office)
    booth = fair.booths[0]
    booths.update_booth(fair.id, booth.id, {"price": 900_000}, actor_id=office)
    request = booths.request_booth(
        fair.id, booth.id, s.cooperative, product_ids=[s.product.id], contact_person="Chị Lan",
        contact_phone="0912345678", note="", today=today,
    )  # fmt: skip
    booths.decide(request.id, "approved", actor_id=office)
    pending = s.make.cooperative("HTX Chờ Nhật Ký", approved=False)
    moderation.approve(pending.id, office)
    moderation.suspend(pending.id, office, "Hồ sơ thiếu")
    moderation.restore(pending.id, office)
    moderation.hide_product(s.product.id, office, "Nhãn sai")
    moderation.unhide_product(s.product.id, office)
    moderation.hide_listing(homestay.id, office, "Giá không rõ")
    moderation.unhide_listing(homestay.id, office)
    record_rating(
        s.product.id, actor_id=office, criteria="148", points_a=35, points_b=20, points_c=20,
        council_level="province", decision_number="77/QĐ-UBND", recognised_on=today,
    )  # fmt: skip
    training = trainings.create_training(
        topic="Chụp ảnh sản phẩm", trainer="Sở Công Thương", place="Vị Thanh",
        day=today + timedelta(days=7), seats=10, actor_id=office,
    )  # fmt: skip
    registration = trainings.register(training.id, s.cooperative.id, "Chị Lan", today)
    trainings.mark_attendance(registration.id, True, office)
    stray = take_in(
        s.cooperative.id,
        BankLine(
            source="sepay", external_id="nhat-ky-1", booked_at=order.created_at, amount=12_345,
            direction="in", text="CHUYEN TIEN AN TRUA",
        ),
    )  # fmt: skip
    dismiss(stray.id, s.cooperative.id, shop)
    db.session.commit()
    return s, order, fair


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_audit_page_shows_names_not_codes(app, db, seeded_actions, lang):
    from tests.post_scenarios import login

    s, order, fair = seeded_actions
    codes = set(db.session.scalars(select(AuditEvent.action).distinct()))
    assert len(codes) >= 18, codes  # a spread, across the areas
    html = login(app, "admin").get(f"/admin/audit?lang={lang}").get_data(as_text=True)
    text = visible(html)
    shown = [code for code in codes if code in text]
    assert shown == []
    assert re.search(r"#\d+", text) is None
    for raw in ("confirmed → shipping", "requested → confirmed", "requested → approved"):
        assert raw not in text
    # Subjects by name, linked to their pages.
    assert f'<a href="/admin/products/{s.product.id}/ratings">Khóm Đua Ghe</a>' in html
    assert f'<a href="/admin/fairs/{fair.id}">Hội chợ Nhật Ký</a>' in html
    assert order.code in text
    assert "HTX Chờ Nhật Ký" in text and "Chụp ảnh sản phẩm" in text
    status_line = "Đã xác nhận → Đang giao" if lang == "vi" else "Confirmed → Shipping"
    assert status_line in text
    # The filter names the events too, and still filters by their code.
    assert '<option value="order.status"' in html
    only_orders = login(app, "admin").get("/admin/audit?what=order.status").get_data(as_text=True)
    assert "Hội chợ Nhật Ký" not in visible(only_orders).split("Lọc", 1)[1]


def test_a_subject_that_is_gone_is_named_by_its_kind_and_number(app, db):
    gone = AuditEvent(action="product.hide", subject_type="product", subject_id=999999)
    other = AuditEvent(action="product.hide", subject_type="product", subject_id=999998)
    with app.test_request_context("/"):
        line, second = audit_log.lines([gone, other])
    assert line.action == "Ẩn sản phẩm" and line.subject.url is None
    assert line.subject.name == "Sản phẩm số 999999 (không còn)"
    assert second.subject.name != line.subject.name  # two gone products stay apart
