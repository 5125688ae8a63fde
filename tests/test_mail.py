"""core.mail: the development outbox, a real SMTP server, and a server that is down."""

import email
import logging
import socket
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from core.mail import send_mail

SUBJECT = "Đơn hàng HG-2026-000123 đã được đặt"
TEXT = "Cảm ơn bạn đã đặt mua Khóm Cầu Đúc Hậu Giang. Tổng cộng: 150.000 ₫."
HTML = "<p>Cảm ơn bạn đã đặt mua <strong>Khóm Cầu Đúc</strong>.</p>"


def _free_port() -> int:
    # aiosmtpd 1.4.6 cannot listen on port 0: its Controller checks readiness by
    # connecting to self.port, so pick a free port first.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CollectingHandler:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def mail_by_smtp_to(app, monkeypatch, port: int) -> None:
    """The app sends its mail by SMTP to 127.0.0.1:port, without TLS or a login."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", None)


@pytest.fixture()
def smtp_server(app, monkeypatch):
    """A real SMTP server on localhost, with the app configured to use it."""
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    mail_by_smtp_to(app, monkeypatch, controller.port)
    yield handler
    controller.stop()


@pytest.fixture()
def outbox(app, monkeypatch, tmp_path):
    """The development setup: no server, mails go to a (not yet existing) folder."""
    folder = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(folder))
    return folder


def _parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)


def test_outbox_gets_one_eml_file_per_mail(app, outbox):
    with app.app_context():
        send_mail("khach@example.vn", SUBJECT, TEXT)
        files = list(outbox.glob("*.eml"))
        assert len(files) == 1

        message = _parse(files[0].read_bytes())
        assert message["From"] == app.config["MAIL_SENDER"]
        assert message["To"] == "khach@example.vn"
        assert message["Subject"] == SUBJECT
        assert message["Date"] and message["Message-ID"]
        assert TEXT in message.get_body(preferencelist=("plain",)).get_content()

        send_mail("khach@example.vn", SUBJECT, TEXT)
        assert len(list(outbox.glob("*.eml"))) == 2


def test_outbox_logs_the_path(app, outbox, caplog):
    with app.app_context(), caplog.at_level(logging.INFO, logger=app.logger.name):
        send_mail(["a@example.vn", "b@example.vn"], SUBJECT, TEXT)
    (path,) = outbox.glob("*.eml")
    assert str(path) in caplog.text
    assert _parse(path.read_bytes())["To"] == "a@example.vn, b@example.vn"


def test_smtp_server_receives_the_mail(app, smtp_server):
    with app.app_context():
        send_mail("khach@example.vn", SUBJECT, TEXT, html=HTML)

    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["khach@example.vn"]
    message = _parse(envelope.original_content)
    assert message["To"] == "khach@example.vn"
    assert message["Subject"] == SUBJECT
    assert TEXT in message.get_body(preferencelist=("plain",)).get_content()
    assert HTML in message.get_body(preferencelist=("html",)).get_content()


def test_smtp_without_html_has_no_html_part(app, smtp_server):
    with app.app_context():
        send_mail(["a@example.vn", "b@example.vn"], SUBJECT, TEXT)

    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["a@example.vn", "b@example.vn"]
    message = _parse(envelope.original_content)
    assert message.get_body(preferencelist=("html",)) is None
    assert TEXT in message.get_content()


def test_server_down_raises_for_the_queue_to_try_again(app, monkeypatch):
    mail_by_smtp_to(app, monkeypatch, _free_port())  # nothing listens there
    outbox = Path(app.config["MAIL_OUTBOX"])
    before = set(outbox.glob("*.eml"))

    with app.app_context(), pytest.raises(OSError):
        send_mail("khach@example.vn", SUBJECT, TEXT)

    assert set(outbox.glob("*.eml")) == before  # not silently written to the outbox instead
