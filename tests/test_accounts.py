"""Register, log in, log out, account page and roles."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from core.models import User
from marketplace.models import Cooperative
from tests.concurrency import at_once
from tests.conftest import TEST_PASSWORD, Factories

REGISTRATION = {
    "account_type": "buyer",
    "name": "Lê Văn An",
    "email": "an@example.vn",
    "phone": "",
    "password": "matkhau123",
    "password_confirm": "matkhau123",
}


def register(client, **fields):
    return client.post("/register", data={**REGISTRATION, **fields})


def login(client, email, password=TEST_PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_register_buyer_logs_in_and_hashes_the_password(client, db):
    response = register(client, email="An@Example.vn")
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "an@example.vn"))
    assert user.role == "buyer"
    assert user.password_hash != "matkhau123" and user.password_hash.startswith("scrypt:")
    assert "Lê Văn An" in client.get("/account").get_data(as_text=True)


def test_short_password_is_refused_and_the_form_keeps_what_was_typed(client, db):
    response = register(client, password="ngan", password_confirm="ngan", name="Trần Bình")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Mật khẩu cần ít nhất 8 ký tự." in body
    assert 'value="Trần Bình"' in body and 'value="an@example.vn"' in body
    assert db.session.scalar(select(User)) is None


def test_mismatched_passwords_and_bad_phone_are_explained(client, db):
    body = register(client, password_confirm="khac12345", phone="12345").get_data(as_text=True)
    assert "Hai mật khẩu không khớp." in body
    assert "Số điện thoại chưa đúng" in body


def test_email_taken(client, make):
    make.user(email="an@example.vn")
    body = register(client).get_data(as_text=True)
    assert "Email này đã có tài khoản" in body


def test_register_cooperative_creates_a_pending_cooperative(client, make, db):
    district = make.district("Huyện Phụng Hiệp")
    response = register(
        client,
        account_type="cooperative",
        email="htx@example.vn",
        phone="+84 912 345 678",
        cooperative_name="HTX Thạnh Hòa",
        cooperative_kind="cooperative",
        district_id=str(district.id),
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "htx@example.vn"))
    cooperative = db.session.scalar(select(Cooperative))
    assert user.role == "cooperative" and user.phone == "0912345678"
    assert (cooperative.name, cooperative.slug, cooperative.approved) == (
        "HTX Thạnh Hòa",
        "htx-thanh-hoa",
        False,
    )
    assert cooperative.owner_id == user.id
    assert "Đang chờ Văn phòng OCOP duyệt" in client.get("/account").get_data(as_text=True)


def test_cooperative_registration_needs_its_fields(client, db):
    body = register(client, account_type="cooperative").get_data(as_text=True)
    assert body.count("Vui lòng điền mục này.") >= 2
    assert "Vui lòng chọn huyện / thành phố." in body
    assert db.session.scalar(select(User)) is None


def test_login_logout(client, make):
    make.user(email="mai@example.vn", name="Trần Thị Mai")
    assert login(client, "mai@example.vn").status_code == 302
    assert "Trần Thị Mai" in client.get("/account").get_data(as_text=True)
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, make):
    make.user(email="mai@example.vn")
    response = login(client, "mai@example.vn", "sai-mat-khau")
    assert response.status_code == 200
    assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_login_never_redirects_to_another_site(client, make):
    make.user(email="mai@example.vn")
    response = client.post(
        "/login?next=https://evil.example/x",
        data={"email": "mai@example.vn", "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/account"
    client.post("/logout")
    response = client.post(
        "/login?next=/products?q=khom",
        data={"email": "mai@example.vn", "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/products?q=khom"


def test_account_needs_login(client, db):
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["buyer", "cooperative", "admin"])
def test_roles_shown_on_the_account_page(client, make, role):
    make.user(email=f"{role}@example.vn", role=role)
    login(client, f"{role}@example.vn")
    names = {"buyer": "Người mua", "cooperative": "Hợp tác xã", "admin": "Văn phòng OCOP"}
    assert names[role] in client.get("/account").get_data(as_text=True)


def test_user_flags(make):
    assert make.user(role="admin").is_admin
    assert not make.user(role="buyer").is_admin


def test_logging_out_ends_the_session_even_for_a_copied_cookie(app, make):
    make.user(email="mai@example.vn")
    browser = app.test_client()
    browser.post("/login", data={"email": "mai@example.vn", "password": TEST_PASSWORD})
    stolen = app.test_client()
    stolen.set_cookie("session", browser.get_cookie("session").value)
    assert stolen.get("/account").status_code == 200
    browser.post("/logout")
    assert browser.get("/account").status_code == 302
    assert stolen.get("/account").status_code == 302


def test_changing_the_password_ends_the_other_sessions(app, make, db):
    make.user(email="mai@example.vn")
    here, elsewhere = app.test_client(), app.test_client()
    for device in (here, elsewhere):
        device.post("/login", data={"email": "mai@example.vn", "password": TEST_PASSWORD})
    wrong = here.post(
        "/account/password",
        data={"current": "sai", "new": "matkhau-moi-1", "confirm": "matkhau-moi-1"},
    )
    assert "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)
    response = here.post(
        "/account/password",
        data={"current": TEST_PASSWORD, "new": "matkhau-moi-1", "confirm": "matkhau-moi-1"},
    )
    assert response.status_code == 302
    assert here.get("/account").status_code == 200  # this device stays logged in
    assert elsewhere.get("/account").status_code == 302  # the other one is out
    assert here.post("/logout").status_code == 302
    assert (
        here.post(
            "/login", data={"email": "mai@example.vn", "password": "matkhau-moi-1"}
        ).status_code
        == 302
    )


def test_a_forged_session_id_is_refused(app, make):
    user = make.user(email="mai@example.vn")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}-not-the-token"
    assert client.get("/account").status_code == 302
    with client.session_transaction() as session:
        session["_user_id"] = "1" * 40
    assert client.get("/account").status_code == 302


# --- the same form sent twice ---------------------------------------------------------------


def _registration(**fields):
    from core.submissions import new_form_token

    data = {
        "account_type": "buyer", "name": "Lê Văn An", "email": "an@example.vn", "phone": "",
        "password": "matkhau123", "password_confirm": "matkhau123",
        "form_token": new_form_token(),
    }  # fmt: skip
    data.update(fields)
    return data


def _users(db) -> list[str]:
    db.session.rollback()
    return db.session.scalars(select(User.email)).all()


def test_the_register_page_carries_a_one_time_token(client, db):
    body = client.get("/register").get_data(as_text=True)
    assert 'name="form_token" type="hidden" value="' in body


def test_a_registration_sent_twice_is_one_account_and_both_answers_log_in(app, db):
    form = _registration()
    first, second = app.test_client(), app.test_client()  # the same form, two submits
    answers = [browser.post("/register", data=form) for browser in (first, second)]
    assert [a.status_code for a in answers] == [302, 302]
    assert {a.headers["Location"] for a in answers} == {"/account"}
    assert _users(db) == ["an@example.vn"]
    for browser in (first, second):
        assert "Lê Văn An" in browser.get("/account").get_data(as_text=True)


def test_a_registration_sent_twice_at_the_same_moment_is_one_account(app, db):
    form = _registration(account_type="cooperative", phone="0912345678",
                         cooperative_name="HTX Hai Lần", cooperative_kind="cooperative")  # fmt: skip
    district = Factories().district("Huyện Hai Lần")
    form["district_id"] = str(district.id)
    db.session.commit()
    answers = at_once(
        app, *[lambda: app.test_client().post("/register", data=form).status_code] * 2
    )
    assert answers == [302, 302]
    assert _users(db) == ["an@example.vn"]
    assert db.session.scalars(select(Cooperative.slug)).all() == ["htx-hai-lan"]


def test_the_repeat_of_a_registration_needs_the_password_of_the_account_it_made(client, db):
    form = _registration()
    assert client.post("/register", data=form).status_code == 302
    client.post("/logout")
    other = client.post("/register", data={**form, "password": "khac-hoan-toan", "password_confirm": "khac-hoan-toan"})  # fmt: skip
    assert other.status_code == 200
    assert "Email này đã có tài khoản" in other.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # not logged in


def test_a_used_form_sent_again_with_another_email_registers_that_email(client, db):
    form = _registration()
    assert client.post("/register", data=form).status_code == 302
    client.post("/logout")
    again = client.post("/register", data={**form, "email": "binh@example.vn"})
    assert again.status_code == 302
    assert sorted(_users(db)) == ["an@example.vn", "binh@example.vn"]


def test_registration_without_a_token_still_works_and_a_bad_one_is_explained(client, db):
    assert client.post("/register", data=_registration(form_token="")).status_code == 302
    client.post("/logout")
    stale = client.post("/register", data=_registration(email="c@example.vn", form_token="t" * 500))
    assert stale.status_code == 200
    assert "Biểu mẫu đã cũ nên chưa được lưu" in stale.get_data(as_text=True)
    assert 'value="c@example.vn"' in stale.get_data(as_text=True)
    assert _users(db) == ["an@example.vn"]


def test_a_password_change_sent_twice_is_one_change(app, make, db):
    make.user(email="mai@example.vn")
    browser = app.test_client()
    browser.post("/login", data={"email": "mai@example.vn", "password": TEST_PASSWORD})
    cookie = browser.get_cookie("session").value
    twin = app.test_client()
    twin.set_cookie("session", cookie)  # the same click, sent again before the answer came
    form = {"current": TEST_PASSWORD, "new": "matkhau-moi-1", "confirm": "matkhau-moi-1"}
    assert browser.post("/account/password", data=form).status_code == 302
    # The first ended the session the twin carries: it is sent to log in, without an error.
    assert twin.post("/account/password", data=form).status_code == 302
    assert browser.get("/account").status_code == 200
    user = db.session.scalar(select(User).where(User.email == "mai@example.vn"))
    assert user.check_password("matkhau-moi-1")


def test_the_twin_of_a_password_change_that_waited_for_the_first_is_answered_as_it(app, make, db):
    from core import accounts

    user = make.user(email="mai@example.vn")
    accounts.change_password(user.id, TEST_PASSWORD, "matkhau-moi-1")
    # The twin read the old password before the first committed, then waited on the row:
    again = accounts.change_password(user.id, TEST_PASSWORD, "matkhau-moi-1")
    assert again.id == user.id
    with pytest.raises(accounts.WrongPassword):
        accounts.change_password(user.id, TEST_PASSWORD, "mot-mat-khau-khac")


def test_logging_out_twice_is_no_error(app, make):
    make.user(email="mai@example.vn")
    browser = app.test_client()
    browser.post("/login", data={"email": "mai@example.vn", "password": TEST_PASSWORD})
    twin = app.test_client()
    twin.set_cookie("session", browser.get_cookie("session").value)
    assert browser.post("/logout").status_code == 302
    assert twin.post("/logout").status_code == 302
    assert twin.get("/account").status_code == 302


def test_two_cooperatives_of_the_same_name_signing_up_at_once_get_two_slugs(app, db):
    district_id = str(Factories().district("Huyện Cùng Tên").id)
    db.session.commit()

    def send(n):
        form = _registration(email=f"htx{n}@example.vn", account_type="cooperative",
                             phone="0912345678", cooperative_name="HTX Cùng Tên",
                             cooperative_kind="cooperative", district_id=district_id)  # fmt: skip
        return app.test_client().post("/register", data=form).status_code

    answers = at_once(app, lambda: send(0), lambda: send(1))
    assert answers == [302, 302]
    db.session.rollback()
    slugs = sorted(db.session.scalars(select(Cooperative.slug)).all())
    assert slugs == ["htx-cung-ten", "htx-cung-ten-2"]


# --- where a login lands -------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_",
    [
        "//evil.example/x",
        "/\\evil.example/x",
        "https://evil.example/x",
        "/\t/evil.example",
        "javascript:x",
    ],
)
def test_a_next_to_another_site_lands_on_the_role_home(client, make, next_):
    make.user(email="mai@example.vn")
    response = client.post(
        "/login",
        query_string={"next": next_},
        data={"email": "mai@example.vn", "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize(
    "role, home", [("buyer", "/account"), ("cooperative", "/dashboard"), ("admin", "/admin")]
)
def test_without_next_each_role_lands_on_its_own_home(client, make, role, home):
    make.user(email=f"{role}@example.vn", role=role)
    assert login(client, f"{role}@example.vn").headers["Location"] == home


@pytest.mark.parametrize("here", ["/cart", "/tourism/homestay-x?lang=en", "/products?q=khom"])
def test_the_header_login_link_comes_back_to_the_page(client, make, here):
    """From any page: the header's login link carries the page, and logging in returns there."""
    page = client.get(here).get_data(as_text=True)
    link = re.search(r'href="(/login\?[^"]*)"', page)[1]
    assert parse_qs(urlsplit(html.unescape(link)).query) == {"next": [here]}
    make.user(email="mai@example.vn")
    response = client.post(
        "/login",
        query_string={"next": here},
        data={"email": "mai@example.vn", "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == here


def test_the_login_page_passes_its_next_on_to_sign_up(client, db):
    """Someone sent to log in from the cart who has no account yet signs up and is back at the
    cart: the login page's sign-up link keeps the `next`, and so does the sign-up."""
    page = client.get("/login?next=/cart").get_data(as_text=True)
    assert 'href="/register?next=/cart"' in page
    assert "next=/login" not in page  # the login page never sends back to itself
    response = client.post("/register?next=/cart", data=REGISTRATION)
    assert response.headers["Location"] == "/cart"


def test_a_guest_sent_to_log_in_from_the_dashboard_returns_there(client, make):
    owner = make.user(email="htx@example.vn", role="cooperative")
    make.cooperative(owner=owner)
    sent = client.get("/dashboard/orders")
    assert sent.status_code == 302
    back = client.post(
        sent.headers["Location"], data={"email": "htx@example.vn", "password": TEST_PASSWORD}
    )
    assert back.headers["Location"] == "/dashboard/orders"
