"""Telling people what changed: one message per person and event, in their language, by a
channel (mail today; Zalo ZNS or SMS are channels to add), sent by the job queue and never lost.

An area calls `notify(...)` inside the write transaction of the change. The message is written
in that transaction (a change rolled back tells no one), rendered at once in the recipient's
language, and its delivery is enqueued after the commit. Delivery retries with backoff; after
the last try the message is "failed" and listed for the office at /admin/messages, where "send
again" puts it back on the queue. Every message is also listed for its person on the site.
"""

import logging
import smtplib
from dataclasses import dataclass

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import select

from core.audit import record
from core.db import write_transaction
from core.extensions import db
from core.jobs import enqueue, job
from core.mail import send_mail
from core.models import Message, User, utcnow

log = logging.getLogger(__name__)

RETRIES = 6  # about 30 s, 1, 2, 4, 8, 16 minutes: half an hour of an SMTP server down
RETRY_DELAY = 30
RETRY_BACKOFF = 2


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str = "vi"
    user_id: int | None = None

    @classmethod
    def of(cls, user: User) -> "Recipient":
        return cls(address=user.email, language=user.language or "vi", user_id=user.id)


class ChannelError(RuntimeError):
    """A channel could not deliver; the queue tries again."""


def _send_by_mail(message: Message) -> None:
    try:
        send_mail(message.address, message.subject, message.text)
    except (OSError, smtplib.SMTPException) as error:
        raise ChannelError(f"{type(error).__name__}: {error}") from error


# name -> send(message); a channel raises ChannelError when it could not deliver.
CHANNELS = {"mail": _send_by_mail}


def site_link(endpoint: str, **values) -> str:
    """The full address of a page for a message, or "" when none can be built (a change made
    outside a request, e.g. from the command line, with no SERVER_NAME configured)."""
    if not has_request_context() and not current_app.config.get("SERVER_NAME"):
        return ""
    return url_for(endpoint, _external=True, **values)


def notify(event: str, recipient: Recipient, template: str, subject, **context) -> Message:
    """Write the message of `event` for `recipient` (mail/<template>.txt, in their language)
    and send it once the current write transaction commits."""
    with force_locale(recipient.language):
        message = Message(
            event=event,
            channel="mail",
            user_id=recipient.user_id,
            address=recipient.address,
            language=recipient.language,
            subject=str(subject)[:200],
            text=render_template(f"mail/{template}.txt", site_link=site_link, **context),
        )
    db.session.add(message)
    db.session.flush()
    enqueue(deliver, message.id)
    return message


@job(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=RETRY_BACKOFF, context=True)
def deliver(message_id: int, task=None) -> None:
    message = db.session.get(Message, message_id)
    if message is None or message.status == "sent":
        return
    try:
        CHANNELS[message.channel](message)
    except ChannelError as error:
        last_try = task is None or not task.retries
        with write_transaction():
            message.attempts += 1
            message.last_error = str(error)[:500]
            message.status = "failed" if last_try else "retrying"
        log.warning("message %s not sent (try %s): %s", message_id, message.attempts, error)
        if not last_try:
            raise
        return
    with write_transaction():
        message.attempts += 1
        message.status = "sent"
        message.sent_at = utcnow()
        message.last_error = ""


def send_again(message_id: int, actor_id: int) -> bool:
    """The office's "send again": a failed message goes back on the queue (audited)."""
    with write_transaction():
        updated = db.session.execute(
            db.update(Message)
            .where(Message.id == message_id, Message.status == "failed")
            .values(status="queued")
        ).rowcount
        if updated:
            record(actor_id, "message.send_again", "message", message_id)
            enqueue(deliver, message_id)
    return bool(updated)


def messages_of(user_id: int, limit: int = 50) -> list[Message]:
    return db.session.scalars(
        select(Message)
        .where(Message.user_id == user_id)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    ).all()


def messages_for_office(status: str | None, limit: int = 200) -> list[Message]:
    query = select(Message).order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)
    if status:
        query = query.where(Message.status == status)
    return db.session.scalars(query).all()
