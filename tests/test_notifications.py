"""core.notifications and core.jobs: a message is written with its change and sent after the
commit; a server that is down is tried again; after the last try the office sends it again."""

import pytest
from sqlalchemy import func, select

from core import notifications
from core.db import write_transaction
from core.extensions import db as _db
from core.models import Message
from tests.test_mail import (  # noqa: F401 - fixtures
    _free_port,
    mail_by_smtp_to,
    outbox,
    smtp_server,
)


def _message(status="queued", **values) -> Message:
    values.setdefault("address", "khach@example.vn")
    values.setdefault("text", "Đơn hàng HG-2026-000001 đã giao.")
    message = Message(
        event="test.event",
        channel="mail",
        language="vi",
        subject="Đơn hàng đã giao",
        status=status,
        **values,
    )
    _db.session.add(message)
    _db.session.commit()
    return message


@pytest.fixture()
def smtp_down(app, monkeypatch):
    mail_by_smtp_to(app, monkeypatch, _free_port())  # nothing listens there


class LastTry:
    retries = 0


class NotLastTry:
    retries = 3


def test_delivery_sends_once_and_marks_it_sent(app, db, smtp_server):  # noqa: F811
    message = _message()
    notifications.deliver.call_local(message.id)
    notifications.deliver.call_local(message.id)  # a duplicate job sends nothing more
    _db.session.refresh(message)
    assert message.status == "sent" and message.attempts == 1 and message.sent_at
    assert len(smtp_server.envelopes) == 1


def test_a_server_down_is_tried_again_then_kept_as_failed(app, db, smtp_down):
    message = _message()
    with pytest.raises(notifications.ChannelError):  # the queue retries on this
        notifications.deliver.call_local(message.id, task=NotLastTry())
    _db.session.refresh(message)
    assert message.status == "retrying" and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error

    notifications.deliver.call_local(message.id, task=LastTry())  # the last try: no raise
    _db.session.refresh(message)
    assert message.status == "failed" and message.attempts == 2


def test_the_office_sends_a_failed_message_again(app, db, client, make, smtp_server):  # noqa: F811
    from tests.test_dashboard import login

    message = _message(status="failed", last_error="SMTPServerDisconnected")
    admin = make.user(role="admin")
    login(client, admin)
    page = client.get("/admin/messages")
    assert page.status_code == 200 and "SMTPServerDisconnected" in page.text
    assert client.post(f"/admin/messages/{message.id}/send").status_code == 302
    _db.session.refresh(message)
    assert message.status == "sent" and len(smtp_server.envelopes) == 1
    # A second click finds nothing failed to send.
    assert client.post(f"/admin/messages/{message.id}/send").status_code == 302
    assert len(smtp_server.envelopes) == 1


def test_only_the_office_sees_the_messages(app, db, client, make):
    from tests.test_dashboard import login

    assert client.get("/admin/messages").status_code == 302  # to the login page
    login(client, make.user())
    assert client.get("/admin/messages").status_code == 403


def test_a_person_sees_their_own_messages_only(app, db, client, make):
    from tests.test_dashboard import login

    buyer, other = make.user(), make.user()
    _message(user_id=buyer.id, address=buyer.email)
    _message(user_id=other.id, address=other.email, text="Thư của người khác.")
    login(client, buyer)
    page = client.get("/account/messages")
    assert "HG-2026-000001" in page.text and "người khác" not in page.text


def test_a_rolled_back_change_tells_no_one(app, db, outbox):  # noqa: F811
    with app.test_request_context("/"), pytest.raises(RuntimeError), write_transaction():
        _db.session.add(
            Message(event="x", address="a@example.vn", language="vi", subject="s", text="t")
        )
        raise RuntimeError("the change fails")
    assert _db.session.scalar(select(func.count(Message.id))) == 0
    assert not outbox.exists()


def test_a_person_s_language_is_the_one_they_read_the_site_in(app, db, client, make):
    from tests.test_dashboard import login

    buyer = make.user()
    assert buyer.language == "vi"
    login(client, buyer)
    client.get("/products?lang=en")
    _db.session.refresh(buyer)
    assert buyer.language == "en"
    client.get("/products?lang=vi")
    _db.session.refresh(buyer)
    assert buyer.language == "vi"
