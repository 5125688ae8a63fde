"""The OCOP office: approvals and moderation, star ratings, trainings, the audit log."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.submissions import new_form_token
from marketplace.models import Cooperative
from programme import trainings
from programme.models import Training, TrainingRegistration
from tests.conftest import TEST_PASSWORD


def login(client, email):
    client.post("/login", data={"email": email, "password": TEST_PASSWORD})


@pytest.fixture()
def office(client, make):
    make.user(email="office@example.vn", role="admin")
    login(client, "office@example.vn")
    return client


@pytest.mark.parametrize("url", ["/admin", "/admin/cooperatives", "/admin/ratings",
                                 "/admin/trainings", "/admin/audit", "/admin/listings",
                                 "/admin/fairs"])  # fmt: skip
def test_only_admins_reach_admin(client, make, url):
    assert client.get(url).status_code == 302  # guest: to login
    make.user(email="htx@example.vn", role="cooperative")
    login(client, "htx@example.vn")
    assert client.get(url).status_code == 403
    client.post("/logout")
    make.user(email="boss@example.vn", role="admin")
    login(client, "boss@example.vn")
    assert client.get(url).status_code == 200


def test_approve_a_sign_up_makes_its_products_public(office, make, db):
    user = make.user(email="new@example.vn", role="cooperative")
    cooperative = make.cooperative("HTX Mới", approved=False, owner=user)
    make.product("Khóm mới", cooperative)
    page = office.get("/admin/cooperatives").get_data(as_text=True)
    assert "HTX Mới" in page and "Chờ duyệt (1)" in page
    office.post(f"/admin/cooperatives/{cooperative.id}/approve")
    assert "Khóm mới" in office.get("/products").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cooperative.approve"))
    assert event.subject_id == cooperative.id and event.actor.email == "office@example.vn"


def test_reject_needs_a_reason_the_applicant_sees(office, client, make, db):
    user = make.user(email="no@example.vn", role="cooperative")
    cooperative = make.cooperative("HTX Thiếu Hồ Sơ", approved=False, owner=user)
    office.post(f"/admin/cooperatives/{cooperative.id}/reject", data={"reason": " "})
    db.session.rollback()
    assert db.session.get(Cooperative, cooperative.id).rejected_at is None
    office.post(f"/admin/cooperatives/{cooperative.id}/reject", data={"reason": "Thiếu giấy phép"})
    office.post("/logout")
    login(client, "no@example.vn")
    assert "Thiếu giấy phép" in client.get("/account").get_data(as_text=True)
    assert "Thiếu giấy phép" in client.get("/dashboard").get_data(as_text=True)


def test_suspend_hides_products_and_listings_and_makes_the_dashboard_read_only(
    office, client, make, db, today
):
    from tourism.models import Listing

    user = make.user(email="htx@example.vn", role="cooperative")
    cooperative = make.cooperative("HTX Tạm Ngưng", owner=user)
    product = make.product("Khóm tạm ngưng", cooperative)
    db.session.add(Listing(host=cooperative, kind="tour", slug="tour-tam-ngung", title="Tour tạm ngưng",
                           district_id=cooperative.district_id, price=100_000, capacity=5,
                           max_guests=5))  # fmt: skip
    db.session.commit()
    office.post(f"/admin/cooperatives/{cooperative.id}/suspend", data={"reason": "Vi phạm nhãn"})
    assert "Khóm tạm ngưng" not in office.get("/products").get_data(as_text=True)
    assert "Tour tạm ngưng" not in office.get("/tourism").get_data(as_text=True)
    assert office.get(f"/products/{product.slug}").status_code == 404
    office.post("/logout")
    login(client, "htx@example.vn")
    assert "Vi phạm nhãn" in client.get("/dashboard").get_data(as_text=True)
    client.post(f"/dashboard/products/{product.id}/inline", data={"price": "1", "stock": "1"})
    db.session.rollback()
    assert db.session.get(type(product), product.id).price == 50000  # nothing changed
    client.post("/logout")
    login(client, "office@example.vn")
    office.post(f"/admin/cooperatives/{cooperative.id}/restore")
    assert "Khóm tạm ngưng" in office.get("/products").get_data(as_text=True)


def test_hide_a_product_with_a_reason(office, make, db):
    product = make.product("Sản phẩm vi phạm")
    office.post(f"/admin/products/{product.id}/hide", data={"reason": "Nhãn sai"})
    assert "Sản phẩm vi phạm" not in office.get("/products").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(type(product), product.id).hidden_reason == "Nhãn sai"
    office.post(f"/admin/products/{product.id}/hide", data={"unhide": "1"})
    assert "Sản phẩm vi phạm" in office.get("/products").get_data(as_text=True)


def test_record_a_rating_through_the_page_changes_the_catalogue(office, make, db, today):
    product = make.product("Khóm chưa sao")
    assert "4 sao OCOP" not in office.get(f"/products/{product.slug}").get_data(as_text=True)
    form = {"criteria": "148", "points_a": "35", "points_b": "20", "points_c": "25",
            "council_level": "province", "decision_number": "99/QĐ-UBND",
            "recognised_on": today.isoformat(), "form_token": new_form_token()}  # fmt: skip
    assert office.post(f"/admin/products/{product.id}/ratings", data=form).status_code == 302
    assert "4 sao OCOP" in office.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "Khóm chưa sao" in office.get("/products?stars=4").get_data(as_text=True)
    too_many = office.post(
        f"/admin/products/{product.id}/ratings",
        data={**form, "points_c": "36", "form_token": new_form_token()},
    )
    assert "phần A tối đa 40, B tối đa 25, C tối đa 35" in too_many.get_data(as_text=True)


def test_expiring_and_expired_certificates_listed(office, make, today):
    from marketplace.ratings import add_months

    soon = add_months(today, -36) + timedelta(days=30)  # ends in about 30 days
    make.product("Sắp hết hạn", rating=("148", 30, 20, 25, soon))
    make.product("Đã hết hạn", rating=("1048", 30, 20, 35, today - timedelta(days=1200)))
    make.product("Còn lâu", rating=("148", 30, 20, 25, today - timedelta(days=10)))
    page = office.get("/admin/ratings").get_data(as_text=True)
    expiring, expired = page.split("Chứng nhận đã hết hạn")
    assert "Sắp hết hạn" in expiring and "Còn lâu" not in expiring.split("Ghi nhận")[0]
    assert "Đã hết hạn" in expired.split("Ghi nhận xếp hạng")[0]


def test_training_seats_taken_atomically(app, db, make, today):
    training = Training(topic="Bao bì", trainer="Sở KH&CN", place="Vị Thanh",
                        day=today + timedelta(days=5), seats=3)  # fmt: skip
    db.session.add(training)
    db.session.commit()
    cooperatives = [make.cooperative() for _ in range(10)]
    barrier = threading.Barrier(10)
    results = []

    def run(cooperative_id):
        from core.extensions import db as _db

        with app.app_context():
            barrier.wait()
            try:
                trainings.register(training.id, cooperative_id, "Chủ nhiệm", today)
                results.append("ok")
            except trainings.TrainingFull:
                results.append("full")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(c.id,)) for c in cooperatives]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["full"] * 7 + ["ok"] * 3
    db.session.rollback()
    assert db.session.get(Training, training.id).taken == 3
    assert db.session.scalar(select(func.count(TrainingRegistration.id))) == 3


def test_register_from_the_dashboard_and_office_marks_attendance(client, make, db, today):
    user = make.user(email="leader@example.vn", role="cooperative")
    make.cooperative("HTX Học", owner=user)
    training = Training(topic="Truy xuất nguồn gốc", trainer="Văn phòng OCOP", place="Ngã Bảy",
                        day=today + timedelta(days=3), seats=20)  # fmt: skip
    db.session.add(training)
    db.session.commit()
    login(client, "leader@example.vn")
    client.post(f"/dashboard/trainings/{training.id}/register")
    client.post(f"/dashboard/trainings/{training.id}/register")
    assert "Đã đăng ký" in client.get("/dashboard/trainings").get_data(as_text=True)
    registration = db.session.scalar(select(TrainingRegistration))
    client.post("/logout")
    make.user(email="office@example.vn", role="admin")
    login(client, "office@example.vn")
    client.post(
        f"/admin/trainings/registrations/{registration.id}/attendance", data={"attended": "1"}
    )
    db.session.rollback()
    assert db.session.get(TrainingRegistration, registration.id).attended is True
    assert db.session.scalar(select(func.count(TrainingRegistration.id))) == 1


def test_status_changes_across_the_site_land_in_the_audit_log(office, make, db, today):
    from tests.test_orders import place

    product = make.product("Khóm", stock=5)
    order = place({product.id: 1}).orders[0]
    from marketplace import orders

    orders.change_status(order.id, "confirmed", actor_id=None)
    page = office.get("/admin/audit?what=order.").get_data(as_text=True)
    # Shown by their labels (programme/audit_log.py), filtered by their codes.
    assert "Trạng thái đơn hàng" in page and "Chờ xác nhận → Đã xác nhận" in page
    filtered = office.get("/admin/audit?what=cooperative.").get_data(as_text=True)
    assert "Chờ xác nhận → Đã xác nhận" not in filtered
    assert office.get("/admin/audit?from=abc&to=2026-13-45&who=%25").status_code == 200
    # Nothing edits or deletes the log through the site.
    for rule in office.application.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}


# --- the same click twice, and input out of range ---------------------------------------------


def _audit(db, action):
    db.session.rollback()
    return db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == action)).all()


def _mails_to(app, email):
    from email import message_from_bytes, policy
    from pathlib import Path

    found = []
    for path in Path(app.config["MAIL_OUTBOX"]).glob("*.eml"):
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        if mail["To"] == email:
            found.append(mail)
    return found


def test_a_suspension_sent_twice_is_one_decision_told_once(app, office, make, db):
    user = make.user(email="twice@example.vn", role="cooperative")
    cooperative = make.cooperative("HTX Hai Lần", owner=user)
    for _ in range(2):
        response = office.post(
            f"/admin/cooperatives/{cooperative.id}/suspend", data={"reason": "Nhãn sai"}
        )
        assert response.status_code == 302
    page = office.get("/admin/cooperatives").get_data(as_text=True)
    assert "không ở trạng thái cho phép" not in page
    assert _audit(db, "cooperative.suspend") == ["Nhãn sai"]
    assert len(_mails_to(app, "twice@example.vn")) == 1


def test_an_approval_and_a_hiding_sent_twice_are_recorded_once(office, make, db):
    cooperative = make.cooperative("HTX Chờ", approved=False)
    product = make.product("Khóm ẩn", cooperative)
    for _ in range(2):
        office.post(f"/admin/cooperatives/{cooperative.id}/approve")
        office.post(f"/admin/products/{product.id}/hide", data={"reason": "Ảnh sai"})
    assert len(_audit(db, "cooperative.approve")) == 1
    assert _audit(db, "product.hide") == ["Ảnh sai"]


def test_a_long_reason_is_kept_to_its_column_and_shown_as_kept(office, make, db):
    cooperative = make.cooperative("HTX Dài")
    office.post(f"/admin/cooperatives/{cooperative.id}/suspend", data={"reason": "ơ" * 5000})
    db.session.rollback()
    assert db.session.get(Cooperative, cooperative.id).moderation_reason == "ơ" * 300


def test_attendance_marked_twice_is_recorded_once(office, make, db, today):
    cooperative = make.cooperative("HTX Điểm Danh")
    training = Training(topic="Bao bì", trainer="Sở KH&CN", place="Vị Thanh",
                        day=today + timedelta(days=5), seats=3)  # fmt: skip
    db.session.add(training)
    db.session.commit()
    registration = trainings.register(training.id, cooperative.id, "Chủ nhiệm", today)
    url = f"/admin/trainings/registrations/{registration.id}/attendance"
    for _ in range(2):
        assert office.post(url, data={"attended": "1"}).status_code == 302
    assert _audit(db, "training.attendance") == ["HTX Điểm Danh: có mặt"]


def _training_form(today, **fields):
    return {"topic": "Chụp ảnh sản phẩm", "trainer": "Sở Công Thương", "place": "Vị Thanh",
            "day": (today + timedelta(days=21)).isoformat(), "seats": "30",
            "form_token": new_form_token(), **fields}  # fmt: skip


def test_a_training_form_sent_twice_is_one_training(office, db, today):
    form = _training_form(today)
    for _ in range(2):
        assert office.post("/admin/trainings", data=form).status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(func.count(Training.id))) == 1
    assert _audit(db, "training.create") == ["Chụp ảnh sản phẩm"]


def test_a_training_out_of_range_is_explained_in_vietnamese(office, db, today):
    page = office.post(
        "/admin/trainings", data=_training_form(today, day="9999-12-31", seats="1e309")
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Vui lòng chọn ngày từ" in body and "Vui lòng nhập một số nguyên" in body
    assert 'value="1e309"' in body and 'value="Chụp ảnh sản phẩm"' in body
    db.session.rollback()
    assert db.session.scalar(select(func.count(Training.id))) == 0


def test_a_rating_sent_twice_is_one_rating_and_its_date_is_bounded(office, make, db, today):
    from marketplace.models import OcopRating

    product = make.product("Khóm một lần")
    form = {"criteria": "148", "points_a": "35", "points_b": "20", "points_c": "25",
            "council_level": "province", "decision_number": "7/QĐ-UBND",
            "recognised_on": today.isoformat(), "form_token": new_form_token()}  # fmt: skip
    answers = [office.post(f"/admin/products/{product.id}/ratings", data=form) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302]
    db.session.rollback()
    assert db.session.scalar(select(func.count(OcopRating.id))) == 1
    assert len(_audit(db, "rating.record")) == 1
    for day in ("9999-12-31", (today + timedelta(days=1)).isoformat(), "1900-01-01"):
        late = {**form, "recognised_on": day, "form_token": new_form_token()}
        page = office.post(f"/admin/products/{product.id}/ratings", data=late)
        assert page.status_code == 200
        assert "Vui lòng chọn ngày từ" in page.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count(OcopRating.id))) == 1
