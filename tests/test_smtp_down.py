"""A real SMTP server (aiosmtpd) that is down when a buyer checks out: the checkout still
answers at once, the buyer's confirmation waits as "retrying" and goes out once the server is
back, on a retry of the queue's or by the office's "send again", and only once.

In tests jobs run where they are enqueued (JOBS_IMMEDIATE), with Huey's in-memory storage: a
failed delivery is put on its schedule with Huey's own retry delay and backoff, and nothing
runs it until the test does (`retries.run_due()`), as the consumer's scheduler would once
each retry's time came.
"""

import email
import time
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from huey.utils import utcnow
from sqlalchemy import select

from core import notifications
from core.extensions import db as _db
from core.jobs import queue
from core.models import Message
from marketplace.models import Checkout
from tests.test_dashboard import login
from tests.test_mail import CollectingHandler, _free_port, mail_by_smtp_to
from tests.test_orders import add, checkout_form, two_coops  # noqa: F401 - fixture

BUYER = "mai@example.vn"
# The buyer's confirmation, in Vietnamese (the buyer's language): "Đơn hàng %(code)s đã được đặt".
PLACED_SUBJECT = "Đơn hàng {code} đã được đặt"
# smtplib's timeout in core.mail is 10 s; a checkout that waited on mail would take that long.
AT_ONCE_SECONDS = 3


class Smtp:
    """An SMTP server on a port of its own, down until start()."""

    def __init__(self):
        self.port = _free_port()
        self.handler = CollectingHandler()
        self._controller = None

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self) -> list[tuple[list[str], str]]:
        """(recipients, subject) of each mail received."""
        return [
            (
                envelope.rcpt_tos,
                email.message_from_bytes(envelope.original_content, policy=policy.default)[
                    "Subject"
                ],
            )
            for envelope in self.handler.envelopes
        ]


@pytest.fixture()
def smtp(app, monkeypatch):
    """The app's mail goes to 127.0.0.1:<port>, where nothing listens yet."""
    server = Smtp()
    mail_by_smtp_to(app, monkeypatch, server.port)
    yield server
    server.stop()


class Retries:
    """The retries Huey has scheduled (its in-memory schedule in immediate mode)."""

    def scheduled(self) -> list:
        return queue.scheduled()

    def run_due(self, rounds: int | None = None) -> int:
        """Run the scheduled retries as if their time had come, and the retries those schedule
        in turn, for `rounds` rounds (all of them when None); how many ran."""
        ran = 0
        while rounds is None or rounds > 0:
            later = utcnow() + timedelta(days=1)  # after any retry's eta (at most 16 min)
            due = queue.read_schedule(later)
            if not due:
                break
            for task in due:
                queue.execute(task, timestamp=later)
                ran += 1
            rounds = None if rounds is None else rounds - 1
        return ran


@pytest.fixture()
def retries(app):
    assert queue.immediate, "the tests run jobs at once (JOBS_IMMEDIATE)"
    queue.storage.flush_schedule()  # nothing another test left behind
    yield Retries()
    queue.storage.flush_schedule()


@pytest.fixture()
def buyer_checkout(client, make, two_coops):  # noqa: F811
    """A logged-in buyer orders two pineapples; (the checkout, seconds the POST took). The
    cooperatives have no owners, so the buyer's confirmation is the one message."""
    pineapple, _fish = two_coops
    buyer = make.user(email=BUYER)
    login(client, buyer)
    add(client, pineapple, 2)
    form = checkout_form(client, email="")
    started = time.perf_counter()
    response = client.post("/checkout", data=form)
    took = time.perf_counter() - started
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    _db.session.rollback()
    checkout = _db.session.scalar(select(Checkout).order_by(Checkout.id.desc()))
    assert checkout is not None and checkout.buyer_id == buyer.id
    assert response.headers["Location"].startswith(f"/orders/{checkout.code}")
    return checkout, took


def the_message() -> Message:
    _db.session.rollback()  # read what the requests and the jobs committed
    (message,) = _db.session.scalars(select(Message)).all()
    return message


def test_smtp_down_the_checkout_answers_and_the_office_sends_the_mail_again(
    app, db, make, smtp, retries, buyer_checkout
):
    checkout, took = buyer_checkout
    # The redirect to the order page, at once: the failed delivery is not the buyer's wait.
    assert took < AT_ONCE_SECONDS
    message = the_message()
    assert (message.event, message.address) == ("order.placed", BUYER)
    assert message.status == "retrying" and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    # Huey will try again in 30 s (then 1, 2, 4, 8, 16 minutes).
    (retry,) = retries.scheduled()
    assert retry.retries == notifications.RETRIES - 1
    assert timedelta(seconds=25) < retry.eta - utcnow() <= timedelta(seconds=30)

    # The server stays down through every retry: after the last, the message is "failed".
    assert retries.run_due() == notifications.RETRIES
    message = the_message()
    assert message.status == "failed" and message.attempts == 1 + notifications.RETRIES
    assert "ConnectionRefusedError" in message.last_error
    assert retries.scheduled() == []

    smtp.start()
    admin = make.user(role="admin")
    office = app.test_client()
    login(office, admin)
    page = office.get("/admin/messages")
    assert page.status_code == 200 and checkout.code in page.get_data(as_text=True)
    assert office.post(f"/admin/messages/{message.id}/send").status_code == 302

    assert smtp.received() == [([BUYER], PLACED_SUBJECT.format(code=checkout.code))]
    message = the_message()
    assert message.status == "sent" and message.sent_at and message.last_error == ""
    assert message.attempts == 2 + notifications.RETRIES
    # Nothing left to send it a second time: no retry, and a second click sends nothing.
    assert retries.scheduled() == []
    assert office.post(f"/admin/messages/{message.id}/send").status_code == 302
    assert len(smtp.received()) == 1


def test_smtp_back_before_the_retries_run_out_sends_the_mail_once(
    app, db, smtp, retries, buyer_checkout
):
    checkout, took = buyer_checkout
    assert took < AT_ONCE_SECONDS
    assert the_message().status == "retrying"

    assert retries.run_due(rounds=1) == 1  # the retry after 30 s: still down
    message = the_message()
    assert message.status == "retrying" and message.attempts == 2
    (retry,) = retries.scheduled()
    assert retry.retries == notifications.RETRIES - 2
    assert timedelta(seconds=55) < retry.eta - utcnow() <= timedelta(seconds=60)  # backoff

    smtp.start()
    assert retries.run_due() == 1  # the retry after 1 minute: delivered, nothing rescheduled
    message = the_message()
    assert message.status == "sent" and message.attempts == 3 and message.last_error == ""
    assert smtp.received() == [([BUYER], PLACED_SUBJECT.format(code=checkout.code))]
    assert retries.scheduled() == []

    # A job that ran twice (a worker lost after sending, the queue's second delivery) sends
    # nothing more; and the office cannot send a message that was sent.
    notifications.deliver.call_local(message.id)
    assert notifications.send_again(message.id, actor_id=None) is False
    assert retries.run_due() == 0
    assert len(smtp.received()) == 1
