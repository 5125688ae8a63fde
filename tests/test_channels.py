"""The channels of core.notifications: every mail with its HTML part in the one layout, and
Zalo ZNS, built to Zalo's template-message API and tried against a local stub of it."""

import email
import json
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from core import notifications, zalo
from core.models import Message
from tests.test_mail import outbox  # noqa: F401 - fixture
from tests.test_notifications import LastTry
from tests.test_notifications_events import (
    _guest_checkout,
    messages,
    owned,  # noqa: F401 - fixture
)
from tests.test_orders import two_coops  # noqa: F401 - fixture

TOKEN = "oa-access-token-test"


def test_a_mail_has_the_same_words_as_html_in_the_sites_layout(
    client,
    db,
    owned,  # noqa: F811
    outbox,  # noqa: F811
):
    pineapple, _fish = owned
    _guest_checkout(client, pineapple, lang="en", name="Lan <Nguyễn> & Co")
    placed = messages("order.placed")[0]
    path = next(p for p in sorted(outbox.glob("*.eml")) if placed.address in p.read_text("utf-8", "replace"))  # fmt: skip
    mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Thank you" in text and "Thank you" in html
    assert '<html lang="en">' in html and 'name="viewport"' in html  # readable on a phone
    assert "Lan &lt;Nguyễn&gt; &amp; Co" in html and "Lan <Nguyễn>" not in html  # escaped
    link = next(word for word in text.split() if word.startswith("http"))
    assert f'<a href="{link.replace("&", "&amp;")}"' in html  # the order's link, clickable
    assert "Messages in your account" in html  # the layout's footer, in their language


class ZaloStub(BaseHTTPRequestHandler):
    """Answers as business.openapi.zalo.me/message/template does: HTTP 200 and a JSON body
    whose "error" is 0 on success, negative otherwise."""

    received: list = []
    answer: dict = {}

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append({"token": self.headers.get("access_token"), **body})
        payload = json.dumps(self.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture()
def zalo_stub(app, monkeypatch):
    ZaloStub.received = []
    ZaloStub.answer = {"error": 0, "message": "Success", "data": {"msg_id": "a1b2c3"}}
    server = ThreadingHTTPServer(("127.0.0.1", 0), ZaloStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setitem(app.config, "ZALO_ZNS_ACCESS_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "ZALO_ZNS_URL", f"http://127.0.0.1:{server.server_port}/")
    monkeypatch.setitem(
        app.config, "ZALO_ZNS_TEMPLATES", "order.placed=301122, order.shipped=301123"
    )
    yield ZaloStub
    server.shutdown()
    server.server_close()


def test_without_configuration_zalo_is_off(client, db, owned):  # noqa: F811
    pineapple, _fish = owned
    _guest_checkout(client, pineapple)
    assert {m.channel for m in messages()} == {"mail"}


def test_an_order_placed_goes_by_zalo_too_with_its_template_and_the_buyers_phone(
    client,
    db,
    owned,  # noqa: F811
    zalo_stub,
):
    pineapple, _fish = owned
    checkout = _guest_checkout(client, pineapple, phone="0912 345 678")
    (by_zalo,) = db.session.scalars(select(Message).where(Message.channel == "zalo")).all()
    assert by_zalo.event == "order.placed" and by_zalo.status == "sent"
    assert by_zalo.address == "84912345678"
    (sent,) = zalo_stub.received
    assert sent["token"] == TOKEN and sent["phone"] == "84912345678"
    assert sent["template_id"] == "301122" and sent["tracking_id"] == str(by_zalo.id)
    assert sent["template_data"] == {"order_code": checkout.code, "customer_name": checkout.name}
    # The cooperative's notice has no template configured: mail only.
    assert {m.channel for m in messages("order.new")} == {"mail"}


def test_zalo_refusing_is_retried_and_kept_as_failed_with_its_reason(
    client,
    db,
    owned,  # noqa: F811
    zalo_stub,
):
    zalo_stub.answer = {"error": -124, "message": "Access token invalid"}
    pineapple, _fish = owned
    _guest_checkout(client, pineapple, phone="0912345678")
    (by_zalo,) = db.session.scalars(select(Message).where(Message.channel == "zalo")).all()
    assert by_zalo.status == "retrying" and "-124" in by_zalo.last_error
    notifications.deliver.call_local(by_zalo.id, task=LastTry())  # the queue's last try
    db.session.refresh(by_zalo)
    assert by_zalo.status == "failed" and by_zalo.attempts == 2
    assert "Access token invalid" in by_zalo.last_error and len(zalo_stub.received) == 2
    assert {m.status for m in messages() if m.channel == "mail"} == {"sent"}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("0912345678", "84912345678"), ("+84 912 345 678", "84912345678"), ("+4915123", None), ("", None),
     ("0293 3876 543", None)],  # a landline has no Zalo
)  # fmt: skip
def test_zalo_wants_the_phone_with_84_in_front(typed, expected):
    assert zalo.zalo_phone(typed) == expected
