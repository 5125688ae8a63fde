"""The shop profile (/dashboard/profile): story, logo, pick-up address, phone and Zalo, and the
bank account VietQR transfers go to, which changes only with the current password, is audited
and is told to the owner."""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.models import Message, User
from marketplace.lots import record_lot
from marketplace.models import Checkout, Cooperative
from marketplace.profile import BANK_CHANGED_EVENT, holder_name
from payments.transfers import transfer_for
from tests.conftest import TEST_PASSWORD
from tests.test_dashboard import picture_bytes

OWNER_PASSWORD = "mat-khau-htx-1"


def login(client, email, password=TEST_PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, "login failed"


def profile_form(cooperative, **changes) -> dict:
    """The profile form as the page gives it for the cooperative, with changes."""
    data = {
        "story": cooperative.story or "",
        "pickup_address": cooperative.pickup_address or "",
        "brand": cooperative.brand or "",
        "phone": cooperative.phone or "0912345678",
        "zalo_phone": cooperative.zalo_phone or "",
        "bank_bin": cooperative.bank_bin or "",
        "bank_account": cooperative.bank_account or "",
        "bank_account_name": cooperative.bank_account_name or "",
        "password": "",
    }
    data.update(changes)
    return data


def payment_choice(page: str, value: str) -> str:
    """The <input> of a payment choice on the checkout page."""
    return re.search(rf'<input[^>]*value="{value}"[^>]*>', page)[0]


def form_token(page: str) -> str:
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)[1]


def audit_events(db) -> list[AuditEvent]:
    db.session.rollback()
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == BANK_CHANGED_EVENT)
    ).all()


def bank_messages(db) -> list[Message]:
    db.session.rollback()
    return db.session.scalars(select(Message).where(Message.event == BANK_CHANGED_EVENT)).all()


def fresh(db, cooperative) -> Cooperative:
    db.session.rollback()
    return db.session.get(Cooperative, cooperative.id, populate_existing=True)


@pytest.fixture()
def owner(make):
    return make.user(email="chi.nhu@example.vn", role="cooperative", name="Nguyễn Thị Như")


@pytest.fixture()
def coop(make, owner):
    return make.cooperative(
        "HTX Kỳ Như",
        owner=owner,
        phone="0912345678",
        story="Nuôi cá thát lát.",
        bank_bin="970405",
        bank_account="7700205123456",
        bank_account_name="HTX KY NHU",
    )


@pytest.fixture()
def signed_in(client, owner, coop):
    login(client, owner.email)
    return client


# --- a cooperative from sign-up to a buyer's VietQR ----------------------------------------


def test_a_new_cooperative_gives_its_bank_account_and_a_buyers_vietqr_shows_it(app, make, db):
    district = make.district("Huyện Châu Thành A")
    shop = app.test_client()
    signed_up = shop.post(
        "/register",
        data={
            "account_type": "cooperative", "name": "Trần Văn Ba", "email": "ba@example.vn",
            "phone": "0987 654 321", "password": OWNER_PASSWORD,
            "password_confirm": OWNER_PASSWORD, "cooperative_name": "HTX Rạch Gòi",
            "cooperative_kind": "cooperative", "district_id": str(district.id),
        },
    )  # fmt: skip
    assert signed_up.status_code == 302
    cooperative = db.session.scalar(select(Cooperative).where(Cooperative.name == "HTX Rạch Gòi"))
    assert "Cửa hàng đang chờ duyệt" in shop.get("/dashboard/profile").get_data(as_text=True)

    office = app.test_client()
    make.user(email="office@example.vn", role="admin")
    login(office, "office@example.vn")
    assert office.post(f"/admin/cooperatives/{cooperative.id}/approve").status_code == 302

    # Where no account is given yet, the payments and listing pages lead to the profile.
    for where in ("/dashboard/payments", "/dashboard/tourism/new"):
        assert 'href="/dashboard/profile#bank-title"' in shop.get(where).get_data(as_text=True)
    page = shop.get("/dashboard/profile").get_data(as_text=True)
    assert "Hồ sơ cửa hàng" in page and 'aria-current="page"' in page
    assert "Chưa có tài khoản nhận tiền" in page
    assert "Agribank (970405) – Ngân hàng Nông nghiệp" in page  # name and BIN in the select

    saved = shop.post(
        "/dashboard/profile",
        data=profile_form(
            cooperative,
            phone="0987654321",
            bank_bin="970436",
            bank_account="0071 0012 34567",
            bank_account_name="Trần Văn Bá",
            password=OWNER_PASSWORD,
        ),
    )
    assert saved.status_code == 302
    cooperative = fresh(db, cooperative)
    assert (cooperative.bank_bin, cooperative.bank_account, cooperative.bank_account_name) == (
        "970436",
        "0071001234567",
        "TRAN VAN BA",
    )
    make.product("Bưởi Rạch Gòi", cooperative, price=80_000, stock=20)

    buyer = app.test_client()
    make.user(email="mua@example.vn")
    login(buyer, "mua@example.vn")
    product_id = cooperative.products[0].id
    buyer.post("/cart/add", data={"product_id": str(product_id), "quantity": "2"})
    checkout_page = buyer.get("/checkout").get_data(as_text=True)
    assert "disabled" not in payment_choice(checkout_page, "vietqr")
    assert "chỉ nhận thanh toán khi nhận hàng" not in checkout_page
    placed = buyer.post(
        "/checkout",
        data={
            "form_token": form_token(checkout_page),
            "name": "Lê Thị Mua", "phone": "0912345678", "email": "", "province": "Cần Thơ",
            "ward": "Phường Ninh Kiều", "street": "12 Mậu Thân", "note": "",
            "payment_method": "vietqr",
        },
    )  # fmt: skip
    assert placed.status_code == 302
    order_page = buyer.get(placed.headers["Location"]).get_data(as_text=True)
    assert "Chuyển khoản" in order_page and "qr.png" in order_page  # its transfer step
    assert "Vietcombank" in order_page and "0071001234567" in order_page
    assert "TRAN VAN BA" in order_page
    transfer = transfer_for(db.session.scalar(select(Checkout)).orders[0])
    assert "0006970436" in transfer.payload and "01130071001234567" in transfer.payload


# --- changing the bank account ------------------------------------------------------------


NEW_BANK = {
    "bank_bin": "970422",
    "bank_account": "0123456789012",
    "bank_account_name": "HTX KY NHU",
}


@pytest.mark.parametrize("password", ["", "khong-phai-mat-khau"])
def test_a_bank_change_without_the_right_password_changes_nothing(signed_in, coop, db, password):
    response = signed_in.post(
        "/dashboard/profile",
        data=profile_form(coop, story="Câu chuyện mới", password=password, **NEW_BANK),
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    if password:
        assert "Mật khẩu hiện tại không đúng. Chưa có gì được lưu." in body
    else:
        assert "Nhập mật khẩu hiện tại để thay đổi tài khoản nhận tiền." in body
    assert 'value="0123456789012"' in body and "Câu chuyện mới" in body  # kept as typed
    saved = fresh(db, coop)
    assert (saved.bank_bin, saved.bank_account, saved.story) == (
        "970405",
        "7700205123456",
        "Nuôi cá thát lát.",
    )
    assert audit_events(db) == [] and bank_messages(db) == []


def test_a_bank_change_with_the_password_is_audited_and_told_to_the_owner(
    app, signed_in, coop, owner, db
):
    response = signed_in.post(
        "/dashboard/profile", data=profile_form(coop, password=TEST_PASSWORD, **NEW_BANK)
    )
    assert response.status_code == 302
    saved = fresh(db, coop)
    assert (saved.bank_bin, saved.bank_account) == ("970422", "0123456789012")
    [event] = audit_events(db)
    assert event.actor_id == owner.id and event.subject_id == coop.id
    assert "Agribank" in event.detail and "…3456" in event.detail and "MB" in event.detail
    assert "7700205123456" not in event.detail  # never the whole number in the log
    [message] = bank_messages(db)
    assert message.user_id == owner.id and message.address == owner.email
    assert message.subject == "Tài khoản nhận tiền đã thay đổi"
    assert "MB" in message.text and "9012" in message.text
    assert app.config["OFFICE_CONTACT"]["phone"] in message.text
    assert "Nếu không phải bạn thay đổi" in message.text
    assert re.search(r"\d{2}:\d{2}", message.text)  # when
    # The same form again (a resend): nothing more to change, log or tell.
    again = signed_in.post(
        "/dashboard/profile", data=profile_form(coop, password=TEST_PASSWORD, **NEW_BANK)
    )
    assert again.status_code == 302
    assert len(audit_events(db)) == 1 and len(bank_messages(db)) == 1


def test_the_rest_of_the_profile_needs_no_password(signed_in, coop, db):
    response = signed_in.post(
        "/dashboard/profile",
        data=profile_form(
            coop,
            story="  Cá thát lát nuôi ở Long Mỹ.  ",
            pickup_address="Ấp 3, xã Long Trị, Long Mỹ",
            phone="+84 912 000 111",
            zalo_phone="0912.000.222",
            bank_account_name="htx kỳ như",  # the same holder, as a person may type it
        ),
    )
    assert response.status_code == 302
    saved = fresh(db, coop)
    assert (saved.story, saved.pickup_address, saved.phone, saved.zalo_phone) == (
        "Cá thát lát nuôi ở Long Mỹ.",
        "Ấp 3, xã Long Trị, Long Mỹ",
        "0912000111",
        "0912000222",
    )
    assert audit_events(db) == [] and bank_messages(db) == []
    public = signed_in.get(f"/cooperatives/{coop.slug}").get_data(as_text=True)
    assert "Ấp 3, xã Long Trị, Long Mỹ" in public and "https://zalo.me/0912000222" in public


def test_the_registered_brand_is_the_trace_records_brand(signed_in, client, coop, db, make):
    """Circular 02's "Nhãn hiệu" comes from the shop profile; emptied, it is not applicable."""
    lot = record_lot(
        make.product("Cá thát lát rút xương", coop), quantity=5, packed_on=date(2026, 11, 2)
    )
    trace = f"/t/{lot.trace_code}"
    form = profile_form(coop, brand="  Thát Lát   Kỳ Như ")
    assert signed_in.post("/dashboard/profile", data=form).status_code == 302
    assert fresh(db, coop).brand == "Thát Lát Kỳ Như"
    assert "Thát Lát Kỳ Như" in signed_in.get("/dashboard/profile").get_data(as_text=True)
    brand = re.compile(r"<dt>Nhãn hiệu</dt><dd>(.*?)</dd>", re.S)
    assert brand.search(client.get(trace).get_data(as_text=True)).group(1) == "Thát Lát Kỳ Như"
    assert (
        signed_in.post("/dashboard/profile", data=profile_form(coop, brand="")).status_code == 302
    )
    shown = brand.search(client.get(trace).get_data(as_text=True)).group(1)
    assert "không áp dụng" in shown and "Kỳ Như" not in shown


def test_removing_the_bank_account_needs_the_password_and_leaves_cash_on_delivery(
    signed_in, coop, db
):
    empty = {"bank_bin": "", "bank_account": "", "bank_account_name": ""}
    refused = signed_in.post("/dashboard/profile", data=profile_form(coop, **empty))
    assert refused.status_code == 200 and fresh(db, coop).bank_account == "7700205123456"
    done = signed_in.post(
        "/dashboard/profile", data=profile_form(coop, password=TEST_PASSWORD, **empty)
    )
    assert done.status_code == 302
    saved = fresh(db, coop)
    assert (saved.bank_bin, saved.bank_account, saved.bank_account_name) == (None, None, None)
    [message] = bank_messages(db)
    assert "chỉ thanh toán khi nhận hàng (COD)" in message.text
    assert "Chưa có tài khoản nhận tiền" in signed_in.get("/dashboard/profile").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Nguyễn Văn A", "NGUYEN VAN A"),
        ("  đặng   thị  ánh  ", "DANG THI ANH"),
        ("HTX Nông nghiệp Đức Hòa", "HTX NONG NGHIEP DUC HOA"),
        ("Công ty TNHH Ứng Dụng", "CONG TY TNHH UNG DUNG"),
    ],
)
def test_the_holder_is_written_as_banks_print_it(typed, printed):
    assert holder_name(typed) == printed


def test_the_holder_is_saved_in_capitals_without_diacritics(signed_in, coop, db):
    form = profile_form(coop, password=TEST_PASSWORD, bank_account_name="Hợp tác xã Kỳ Như Đức")
    assert signed_in.post("/dashboard/profile", data=form).status_code == 302
    assert fresh(db, coop).bank_account_name == "HOP TAC XA KY NHU DUC"


# --- bad input: a clear message, what was typed kept, never a 500 ---------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bank_account": "12ab5678"}, "Số tài khoản chỉ gồm chữ số, từ 6 đến 19 số."),
        ({"bank_account": "12345"}, "Số tài khoản chỉ gồm chữ số, từ 6 đến 19 số."),
        ({"bank_account": "1" * 20}, "Số tài khoản chỉ gồm chữ số, từ 6 đến 19 số."),
        ({"bank_bin": "999999"}, "Vui lòng chọn ngân hàng trong danh sách."),
        ({"bank_bin": ""}, "Vui lòng chọn ngân hàng."),
        ({"bank_account": ""}, "Vui lòng nhập số tài khoản."),
        ({"bank_account_name": ""}, "Vui lòng nhập tên chủ tài khoản."),
        ({"bank_account_name": "张三"}, "Tên chủ tài khoản chỉ gồm chữ cái"),
        ({"phone": "12345"}, "Số điện thoại chưa đúng"),
        ({"phone": ""}, "Vui lòng điền mục này."),
        ({"zalo_phone": "zalo của tôi"}, "Số điện thoại chưa đúng"),
        ({"story": "ơ" * 5001}, "Tối đa 5000 ký tự."),
        ({"pickup_address": "ơ" * 256}, "Tối đa 255 ký tự."),
        ({"brand": "ơ" * 121}, "Tối đa 120 ký tự."),
        ({"password": "x" * 201}, "Tối đa 200 ký tự."),
    ],
)
def test_bad_input_is_explained_and_kept(signed_in, coop, db, changes, message):
    form = profile_form(coop, password=TEST_PASSWORD, **{"story": "Giữ nguyên điều đã gõ"})
    form.update(changes)
    response = signed_in.post("/dashboard/profile", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in body
    if "story" not in changes:
        assert "Giữ nguyên điều đã gõ" in body
    typed = changes.get("bank_account") or changes.get("zalo_phone")
    if typed:
        assert f'value="{typed}"' in body
    assert fresh(db, coop).story == "Nuôi cá thát lát."


# --- the logo -------------------------------------------------------------------------------


def _stored(app) -> set[str]:
    return {path.name for path in Path(app.config["UPLOAD_FOLDER"]).iterdir()}


def test_a_logo_is_re_encoded_shown_replaced_and_removed(app, signed_in, coop, db):
    before = _stored(app)
    form = profile_form(coop, logo=(io.BytesIO(picture_bytes("PNG", (300, 300))), "logo.png"))
    assert signed_in.post("/dashboard/profile", data=form).status_code == 302
    logo = fresh(db, coop).logo_path
    assert logo.startswith("uploads/") and len(_stored(app) - before) == 2  # picture, thumbnail
    thumb = logo.removeprefix("uploads/").replace(".", "-thumb.")
    assert f"/dashboard/uploads/{thumb}" in signed_in.get("/dashboard").get_data(as_text=True)
    public = signed_in.get(f"/cooperatives/{coop.slug}").get_data(as_text=True)
    assert f"/dashboard/uploads/{thumb}" in public and "Logo của HTX Kỳ Như" in public

    form = profile_form(coop, logo=(io.BytesIO(picture_bytes("JPEG")), "moi.jpg"))
    assert signed_in.post("/dashboard/profile", data=form).status_code == 302
    replaced = fresh(db, coop).logo_path
    assert replaced != logo and logo.removeprefix("uploads/") not in _stored(app)

    form = profile_form(coop, remove_logo="y")
    assert signed_in.post("/dashboard/profile", data=form).status_code == 302
    assert fresh(db, coop).logo_path is None and _stored(app) == before


def test_a_file_that_is_no_picture_is_refused_with_the_form_kept(app, signed_in, coop, db):
    before = _stored(app)
    form = profile_form(
        coop, story="Câu chuyện đã gõ", logo=(io.BytesIO(b"%PDF-1.4 not a picture"), "logo.png")
    )
    response = signed_in.post("/dashboard/profile", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Tệp này không phải là ảnh." in body
    assert "Câu chuyện đã gõ" in body
    assert fresh(db, coop).logo_path is None and _stored(app) == before


def test_a_refused_bank_change_keeps_no_new_logo(app, signed_in, coop, db):
    before = _stored(app)
    form = profile_form(coop, logo=(io.BytesIO(picture_bytes()), "logo.png"), **NEW_BANK)
    assert signed_in.post("/dashboard/profile", data=form).status_code == 200
    assert fresh(db, coop).logo_path is None and _stored(app) == before


# --- who may come in ------------------------------------------------------------------------


def test_only_the_cooperatives_own_account_reaches_its_profile(client, make, coop, db):
    assert client.get("/dashboard/profile").status_code == 302  # a guest: to login
    make.user(email="mua@example.vn")
    login(client, "mua@example.vn")
    assert client.get("/dashboard/profile").status_code == 403
    assert db.session.scalar(select(func.count(User.id))) == 2
