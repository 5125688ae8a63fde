"""Trade fairs: booth requests (deadline, several booths, a race for one booth), decisions,
the waiting list's hold and expiry, pages and who may do what."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.models import utcnow
from core.submissions import new_form_token
from fairs import booths
from fairs.models import Booth, BoothRequest, WaitlistEntry
from tests.concurrency import at_once
from tests.conftest import TEST_PASSWORD


@pytest.fixture()
def fair(db, today):
    made = booths.create_fair(
        rows=2, cols=3, pattern="{row}{col}", zone="Nông sản", size="3 × 3 m", price=1_500_000,
        name="Hội chợ OCOP Hậu Giang", venue="Quảng trường Bảy Ngàn", address="TP Vị Thanh",
        starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=34),
        registration_deadline=today + timedelta(days=20), hold_hours=48,
    )  # fmt: skip
    db.session.commit()
    return made


@pytest.fixture()
def coop_user(make):
    def create(name):
        user = make.user(email=f"{name}@example.vn", role="cooperative")
        cooperative = make.cooperative(f"HTX {name}", owner=user)
        make.product(f"Sản phẩm {name}", cooperative)
        return cooperative

    return create


def booth(fair, code):
    return next(b for b in fair.booths if b.code == code)


def ask(fair, code, cooperative, today):
    return booths.request_booth(
        fair.id, booth(fair, code).id, cooperative, product_ids=[p.id for p in cooperative.products],
        contact_person="Chị Lan", contact_phone="0912345678", note="", today=today,
    )  # fmt: skip


def test_grid_codes_in_one_step(fair):
    assert [b.code for b in fair.booths] == ["A1", "A2", "A3", "B1", "B2", "B3"]
    assert booths.booth_codes(1, 2, "K-{col}{row}") == [(1, 1, "K-1A"), (1, 2, "K-2A")]
    for bad in ("{x}", "{row}", "{"):
        with pytest.raises(booths.BadGrid):
            codes = booths.booth_codes(2, 2, bad)
            if len({c for _, _, c in codes}) != len(codes):
                raise booths.BadGrid()


def test_request_then_approve_shows_taken_by_the_cooperative(db, fair, coop_user, today):
    ky_nhu = coop_user("kynhu")
    request = ask(fair, "A3", ky_nhu, today)
    plan = booths.floor_plan(fair, utcnow())
    assert plan[0][2].state == "requested"
    booths.decide(request.id, "approved")
    plan = booths.floor_plan(fair, utcnow())
    assert (plan[0][2].state, plan[0][2].exhibitor.name) == ("taken", "HTX kynhu")
    assert [r.booth.code for r in booths.exhibitors(fair.id)] == ["A3"]


def test_deadline(db, fair, coop_user, today):
    late = fair.registration_deadline + timedelta(days=1)
    with pytest.raises(booths.DeadlinePassed):
        ask(fair, "A1", coop_user("late"), late)
    ask(fair, "A1", coop_user("ontime"), fair.registration_deadline)


def test_one_booth_unless_the_fair_allows_several(db, fair, coop_user, today):
    cooperative = coop_user("one")
    ask(fair, "A1", cooperative, today)
    with pytest.raises(booths.OneBoothOnly):
        ask(fair, "A2", cooperative, today)
    fair.allow_multiple_booths = True
    db.session.commit()
    ask(fair, "A2", cooperative, today)


def test_taken_and_closed_booths_refused(db, fair, coop_user, today):
    ask(fair, "A1", coop_user("first"), today)
    with pytest.raises(booths.BoothTaken):
        ask(fair, "A1", coop_user("second"), today)
    booth(fair, "B1").closed = True
    db.session.commit()
    with pytest.raises(booths.BoothClosed):
        ask(fair, "B1", coop_user("third"), today)


def test_two_cooperatives_at_the_same_moment_one_gets_it(app, db, fair, coop_user, today):
    cooperatives = [coop_user(f"race{n}") for n in range(2)]
    booth_id = booth(fair, "A2").id
    fair_id = fair.id
    barrier = threading.Barrier(2)
    results = []

    def run(cooperative_id):
        from core.extensions import db as _db
        from marketplace.models import Cooperative

        with app.app_context():
            cooperative = _db.session.get(Cooperative, cooperative_id)
            barrier.wait()
            try:
                booths.request_booth(fair_id, booth_id, cooperative, product_ids=[],
                                    contact_person="A", contact_phone="0912345678", note="",
                                    today=today)  # fmt: skip
                results.append("ok")
            except booths.BoothTaken:
                results.append("taken")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(c.id,)) for c in cooperatives]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["ok", "taken"]
    db.session.rollback()
    assert db.session.scalar(select(func.count(BoothRequest.id))) == 1


def test_the_database_refuses_a_second_live_request(db, fair, coop_user, today):
    from sqlalchemy.exc import IntegrityError

    first, second = coop_user("x"), coop_user("y")
    ask(fair, "B2", first, today)
    db.session.add(BoothRequest(fair_id=fair.id, booth_id=booth(fair, "B2").id,
                                cooperative_id=second.id, contact_person="B",
                                contact_phone="0912345678"))  # fmt: skip
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def _fill(fair, coop_user, today):
    return [ask(fair, b.code, coop_user(f"f{b.code}"), today) for b in fair.booths]


def test_waiting_list_hold_and_expiry(db, fair, coop_user, today):
    requests = _fill(fair, coop_user, today)
    now = utcnow()
    assert booths.is_full(fair, now)
    first, second = coop_user("w1"), coop_user("w2")
    booths.join_waitlist(fair, first, now, today)
    booths.join_waitlist(fair, second, now, today)
    with pytest.raises(booths.AlreadyWaiting):
        booths.join_waitlist(fair, first, now, today)

    _request, offered = booths.decide(requests[0].id, "cancelled")
    assert offered.cooperative_id == first.id
    freed = db.session.get(Booth, requests[0].booth_id)
    assert freed.held_for_id == first.id
    assert freed.held_until == pytest.approx(now + timedelta(hours=48), abs=timedelta(minutes=1))
    # Held: nobody else may take it; the first in line may.
    with pytest.raises(booths.BoothHeld):
        ask(fair, freed.code, second, today)

    # The hold runs out: the next in line gets it.
    later = now + timedelta(hours=49)
    passed_on = booths.expire_holds(fair, later)
    assert [e.cooperative_id for e in passed_on] == [second.id]
    statuses = dict(
        db.session.execute(select(WaitlistEntry.cooperative_id, WaitlistEntry.status)).all()
    )
    assert statuses == {first.id: "expired", second.id: "offered"}
    db.session.refresh(freed)
    assert freed.held_for_id == second.id
    ask(fair, freed.code, second, today)
    db.session.refresh(freed)
    assert freed.held_for_id is None


def test_waiting_list_only_when_full(db, fair, coop_user, today):
    with pytest.raises(booths.FairNotFull):
        booths.join_waitlist(fair, coop_user("early"), utcnow(), today)


def test_illegal_decisions(db, fair, coop_user, today):
    request = ask(fair, "A1", coop_user("d"), today)
    booths.decide(request.id, "rejected", reason="Hồ sơ thiếu")
    with pytest.raises(booths.IllegalRequestMove):
        booths.decide(request.id, "approved")


# --- pages --------------------------------------------------------------------------------


def login(client, email):
    client.post("/login", data={"email": email, "password": TEST_PASSWORD})


def test_public_pages(client, fair, coop_user, today):
    booths.decide(ask(fair, "A1", coop_user("pub"), today).id, "approved")
    listing = client.get("/fairs").get_data(as_text=True)
    assert "Hội chợ OCOP Hậu Giang" in listing
    page = client.get(f"/fairs/{fair.slug}").get_data(as_text=True)
    assert "HTX pub" in page and "Sản phẩm pub" in page and "booth-taken" in page
    panel = client.get(f"/fairs/{fair.slug}/booths/A2", headers={"HX-Request": "true"})
    assert "<html" not in panel.get_data(as_text=True) and "Còn trống" in panel.get_data(
        as_text=True
    )
    assert client.get(f"/fairs/{fair.slug}/booths/Z9").status_code == 404
    assert client.get("/fairs/khong-co").status_code == 404
    assert "Hội chợ OCOP Hậu Giang" in client.get("/").get_data(as_text=True)


def test_request_through_the_page_and_cancel_from_the_dashboard(client, db, fair, coop_user):
    cooperative = coop_user("page")
    login(client, "page@example.vn")
    data = {"products": [cooperative.products[0].id], "contact_person": "Chị Lan",
            "contact_phone": "0912345678"}  # fmt: skip
    response = client.post(f"/fairs/{fair.slug}/booths/A3/request", data=data)
    assert response.status_code == 302
    assert "HTX page" in client.get(f"/fairs/{fair.slug}").get_data(as_text=True)
    mine = client.get("/dashboard/fairs").get_data(as_text=True)
    assert "Chờ duyệt" in mine
    request_id = db.session.scalar(select(BoothRequest.id))
    assert client.post(f"/dashboard/fairs/requests/{request_id}/cancel").status_code == 302
    db.session.rollback()
    assert db.session.get(BoothRequest, request_id).status == "cancelled"


def test_request_errors_keep_the_form(client, fair, coop_user):
    coop_user("err")
    login(client, "err@example.vn")
    page = client.post(f"/fairs/{fair.slug}/booths/A1/request",
                       data={"contact_person": "Chị Lan", "contact_phone": "12"}).get_data(as_text=True)  # fmt: skip
    assert "Hãy chọn ít nhất một sản phẩm" in page and 'value="Chị Lan"' in page


def test_who_may_request_and_cancel(client, make, db, fair, coop_user, today):
    other = coop_user("other")
    theirs = ask(fair, "B3", other, today)
    coop_user("me")
    make.user(email="buyer@example.vn")
    assert client.post(f"/fairs/{fair.slug}/booths/A1/request").status_code == 302  # guest: login
    login(client, "buyer@example.vn")
    assert client.post(f"/fairs/{fair.slug}/booths/A1/request").status_code == 403
    assert client.get("/dashboard/fairs").status_code == 403
    client.post("/logout")
    login(client, "me@example.vn")
    assert client.post(f"/dashboard/fairs/requests/{theirs.id}/cancel").status_code == 404
    db.session.rollback()
    assert db.session.get(BoothRequest, theirs.id).status == "requested"


def test_admin_creates_a_fair_and_decides(client, make, db, coop_user, today):
    make.user(email="admin@example.vn", role="admin")
    coop_user("nobody")
    login(client, "nobody@example.vn")
    assert client.get("/admin/fairs").status_code == 403
    client.post("/logout")
    assert client.get("/admin/fairs").status_code == 302
    login(client, "admin@example.vn")
    form = {
        "name": "Hội chợ Xuân", "venue": "Vị Thanh", "address": "TP Vị Thanh",
        "starts_on": (today + timedelta(days=30)).isoformat(),
        "ends_on": (today + timedelta(days=32)).isoformat(),
        "registration_deadline": (today + timedelta(days=20)).isoformat(),
        "hold_hours": "24", "grid-rows": "4", "grid-cols": "6", "grid-pattern": "{row}{col}",
        "grid-zone": "Thủ công", "grid-size": "3 × 3 m", "grid-price": "0",
        "form_token": new_form_token(),
    }  # fmt: skip
    response = client.post("/admin/fairs/new", data=form)
    assert response.status_code == 302
    created = booths.fair_by_slug("hoi-cho-xuan")
    assert len(created.booths) == 24 and created.booths[2].code == "A3"
    bad = client.post(
        "/admin/fairs/new",
        data={**form, "name": "Khác", "grid-pattern": "{x}", "form_token": new_form_token()},
    )
    assert "Mẫu mã không hợp lệ" in bad.get_data(as_text=True)
    csv_text = client.get(f"/admin/fairs/{created.id}/exhibitors.csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeffbooth,zone,cooperative")


def test_the_first_in_line_is_told_by_email_when_a_booth_frees(app, client, make, db, fair,
                                                                coop_user, today):  # fmt: skip
    from email import message_from_bytes, policy
    from pathlib import Path

    requests = _fill(fair, coop_user, today)
    booths.join_waitlist(fair, coop_user("waiting"), utcnow(), today)
    make.user(email="admin@example.vn", role="admin")
    login(client, "admin@example.vn")
    client.post(f"/admin/fairs/requests/{requests[0].id}", data={"to": "cancelled"})
    mails = [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in Path(app.config["MAIL_OUTBOX"]).glob("*.eml")
    ]
    offers = [m for m in mails if m["To"] == "waiting@example.vn"]
    assert len(offers) == 1 and fair.name in offers[0]["Subject"]


# --- the same click twice, and input out of range ---------------------------------------------


@pytest.fixture()
def office(client, make):
    make.user(email="admin@example.vn", role="admin")
    login(client, "admin@example.vn")
    return client


def _audit(db, action):
    from core.audit import AuditEvent

    db.session.rollback()
    return db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == action)).all()


def test_a_booth_price_past_integer_is_explained_and_what_was_typed_stays(office, db, fair):
    a2 = booth(fair, "A2")
    page = office.post(
        f"/admin/fairs/{fair.id}/booths/{a2.id}",
        data={"zone": "Thủ công", "size": "3 × 6 m", "price": "2147483648"},
    )
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Giá thuê từ 0 đến 1 tỷ đồng." in body
    assert 'value="2147483648"' in body and 'value="Thủ công"' in body
    db.session.rollback()
    assert db.session.get(Booth, a2.id).price == 1_500_000
    assert _audit(db, "booth.edit") == []


def test_saving_a_booth_twice_is_one_change(office, db, fair):
    a2 = booth(fair, "A2")
    form = {"zone": "Thủ công", "size": "3 × 6 m", "price": "2.000.000", "closed": "1"}
    for _ in range(2):
        assert office.post(f"/admin/fairs/{fair.id}/booths/{a2.id}", data=form).status_code == 302
    db.session.rollback()
    saved = db.session.get(Booth, a2.id)
    assert (saved.zone, saved.size, saved.price, saved.closed) == (
        "Thủ công",
        "3 × 6 m",
        2_000_000,
        True,
    )
    assert _audit(db, "booth.edit") == ["A2: zone, size, price, closed"]


def _new_fair_form(today, name="Hội chợ Xuân"):
    from core.submissions import new_form_token

    return {
        "name": name, "venue": "Vị Thanh", "address": "TP Vị Thanh",
        "starts_on": (today + timedelta(days=30)).isoformat(),
        "ends_on": (today + timedelta(days=32)).isoformat(),
        "registration_deadline": (today + timedelta(days=20)).isoformat(),
        "hold_hours": "24", "grid-rows": "2", "grid-cols": "2", "grid-pattern": "{row}{col}",
        "grid-zone": "", "grid-size": "", "grid-price": "0", "form_token": new_form_token(),
    }  # fmt: skip


def test_a_new_fair_sent_twice_is_one_fair_and_both_go_to_it(office, db, today):
    from fairs.models import Fair

    form = _new_fair_form(today)
    answers = [office.post("/admin/fairs/new", data=form) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    db.session.rollback()
    assert db.session.scalars(select(Fair.slug)).all() == ["hoi-cho-xuan"]
    assert len(_audit(db, "fair.create")) == 1


def test_a_new_fair_without_its_token_makes_nothing_and_says_why(office, db, today):
    from fairs.models import Fair

    page = office.post("/admin/fairs/new", data={**_new_fair_form(today), "form_token": ""})
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Biểu mẫu đã cũ nên chưa được lưu" in body
    assert 'value="Hội chợ Xuân"' in body
    db.session.rollback()
    assert db.session.scalar(select(func.count(Fair.id))) == 0


def test_fair_dates_and_codes_out_of_range_are_explained(office, db, today):
    far = {**_new_fair_form(today), "ends_on": "9999-12-31", "hold_hours": "2147483648"}
    body = office.post("/admin/fairs/new", data=far).get_data(as_text=True)
    assert "Vui lòng chọn ngày từ" in body and "Từ 1 đến 720 giờ." in body
    long_codes = {**_new_fair_form(today), "grid-pattern": "{row}{col}-Nông-Xanh"}
    body = office.post("/admin/fairs/new", data=long_codes).get_data(as_text=True)
    assert "Mã gian hàng dài tối đa 10 ký tự" in body
    not_a_date = {**_new_fair_form(today), "starts_on": "ngày mai"}
    assert "Ngày không hợp lệ." in office.post("/admin/fairs/new", data=not_a_date).get_data(
        as_text=True
    )


def test_two_fairs_of_the_same_name_at_the_same_moment_get_two_slugs(app, db, today):
    from fairs.models import Fair

    def run():
        return booths.make_fair(
            actor_id=None,
            rows=1, cols=2, pattern="{row}{col}", zone="", size="", price=0,
            name="Hội chợ Trùng Tên", venue="Vị Thanh", address="TP Vị Thanh",
            starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=31),
            registration_deadline=today + timedelta(days=20), hold_hours=48,
        ).slug  # fmt: skip

    results = at_once(app, run, run)
    assert sorted(results) == ["hoi-cho-trung-ten", "hoi-cho-trung-ten-2"]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Fair.id))) == 2


def test_a_booth_request_sent_twice_is_one_request(client, db, fair, coop_user):
    cooperative = coop_user("twice")
    login(client, "twice@example.vn")
    data = {"products": [cooperative.products[0].id], "contact_person": "Chị Lan",
            "contact_phone": "0912345678"}  # fmt: skip
    for _ in range(2):
        response = client.post(f"/fairs/{fair.slug}/booths/A3/request", data=data)
        assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(func.count(BoothRequest.id))) == 1
    page = client.get(f"/fairs/{fair.slug}").get_data(as_text=True)
    assert "vừa có hợp tác xã khác đăng ký" not in page


def test_a_decision_sent_twice_is_one_decision(app, office, db, fair, coop_user, today):
    from email import message_from_bytes, policy
    from pathlib import Path

    requests = _fill(fair, coop_user, today)
    booths.join_waitlist(fair, coop_user("waiting2"), utcnow(), today)
    for _ in range(2):
        response = office.post(f"/admin/fairs/requests/{requests[0].id}", data={"to": "cancelled"})
        assert response.status_code == 302
    assert len(_audit(db, "booth_request.status")) == 1
    offers = [
        m for p in Path(app.config["MAIL_OUTBOX"]).glob("*.eml")
        if (m := message_from_bytes(p.read_bytes(), policy=policy.default))["To"] == "waiting2@example.vn"
    ]  # fmt: skip
    assert len(offers) == 1
    assert "Không thể đổi đăng ký này nữa." not in office.get(f"/admin/fairs/{fair.id}").get_data(
        as_text=True
    )


def test_joining_the_waiting_list_twice_is_one_place(client, db, fair, coop_user, today):
    _fill(fair, coop_user, today)
    coop_user("later")
    login(client, "later@example.vn")
    for _ in range(2):
        assert client.post(f"/fairs/{fair.slug}/waitlist").status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(func.count(WaitlistEntry.id))) == 1


def test_the_worker_passes_an_expired_hold_on_without_a_page_view(db, fair, coop_user, today):
    """fairs.jobs: the periodic job, not a visit to the fair's page, passes the booth on."""
    from fairs.jobs import pass_on_expired_holds

    requests = _fill(fair, coop_user, today)
    now = utcnow()
    first, second = coop_user("j1"), coop_user("j2")
    booths.join_waitlist(fair, first, now, today)
    booths.join_waitlist(fair, second, now, today)
    booths.decide(requests[0].id, "cancelled")
    freed = db.session.get(Booth, requests[0].booth_id)
    assert freed.held_for_id == first.id
    assert pass_on_expired_holds.call_local() == 0  # the hold has not run out
    freed.held_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert pass_on_expired_holds.call_local() == 1
    db.session.refresh(freed)
    assert freed.held_for_id == second.id
    assert pass_on_expired_holds.call_local() == 0  # nothing more has run out
