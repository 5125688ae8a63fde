"""Telling people what changed: one message per person and event, in their language, by a
channel (mail, and Zalo ZNS where it is configured; SMS is one more channel), sent by the job queue and never lost.

An area calls `notify(...)` inside the write transaction of the change. The message is written
in that transaction (a change rolled back tells no one), rendered at once in the recipient's
language, and its delivery is enqueued after the commit. Delivery retries with backoff; after
the last try the message is "failed" and listed for the office at /admin/messages, where "send
again" puts it back on the queue. Every message is also listed for its person on the site.
"""

import json
import logging
import re
import smtplib
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import select

from core import zalo
from core.audit import record
from core.db import insert_unless_taken, write_transaction
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
    phone: str | None = None  # for Zalo ZNS (or SMS) when that channel is on

    @classmethod
    def of(cls, user: User) -> "Recipient":
        return cls(
            address=user.email, language=user.language or "vi", user_id=user.id, phone=user.phone
        )


class ChannelError(RuntimeError):
    """A channel could not deliver; the queue tries again."""


class MailChannel:
    """Every message goes by mail: plain text and the same words in the site's HTML layout."""

    name = "mail"

    def address_of(self, recipient: Recipient, event: str) -> str | None:
        return recipient.address or None

    def send(self, message: Message) -> None:
        try:
            send_mail(message.address, message.subject, message.text, message.html or None)
        except (OSError, smtplib.SMTPException) as error:
            raise ChannelError(f"{type(error).__name__}: {error}") from error


class ZaloChannel:
    """Zalo ZNS, beside the mail, for the events that have an approved template (core.zalo)."""

    name = "zalo"

    def address_of(self, recipient: Recipient, event: str) -> str | None:
        if not zalo.is_on() or event not in zalo.templates():
            return None
        return zalo.zalo_phone(recipient.phone)

    def send(self, message: Message) -> None:
        template_id = zalo.templates().get(message.event)
        if template_id is None:
            raise ChannelError(f"no ZNS template for {message.event} any more")
        try:
            zalo.send_template(
                message.address, template_id, json.loads(message.params or "{}"), str(message.id)
            )
        except zalo.ZaloError as error:
            raise ChannelError(str(error)) from error


# An SMS gateway would be one more class with address_of() and send().
CHANNELS = {channel.name: channel for channel in (MailChannel(), ZaloChannel())}


def site_link(endpoint: str, **values) -> str:
    """The full address of a page for a message, or "" when none can be built (a change made
    outside a request, e.g. from the command line, with no SERVER_NAME configured)."""
    if not has_request_context() and not current_app.config.get("SERVER_NAME"):
        return ""
    return url_for(endpoint, _external=True, **values)


def notify(
    event: str,
    recipient: Recipient,
    template: str,
    subject,
    *,
    params: dict | None = None,
    once_key: str | None = None,
    **context,
) -> list[Message]:
    """Write the message of `event` for `recipient` (mail/<template>.txt, in their language,
    by every channel that reaches them) and send it once the current write transaction
    commits. `params` fill a Zalo template. With `once_key`, a message already written under
    that key (by an earlier run of a job, or one at the same moment) means nothing is written.
    """
    with force_locale(recipient.language):
        subject = str(subject)[:200]
        text = render_template(f"mail/{template}.txt", site_link=site_link, **context).strip()
        html = render_template(
            "mail/_layout.html",
            subject=subject,
            paragraphs=mail_paragraphs(text),
            language=recipient.language,
        )
    written = []
    for channel in CHANNELS.values():
        address = channel.address_of(recipient, event)
        if address is None:
            continue
        message = Message(
            event=event,
            channel=channel.name,
            user_id=recipient.user_id,
            address=address,
            language=recipient.language,
            subject=subject,
            text=text,
            html=html if channel.name == "mail" else "",
            params=json.dumps(params or {}, ensure_ascii=False),
            once_key=f"{once_key}:{channel.name}" if once_key else None,
        )
        if once_key:
            if not insert_unless_taken(message):
                continue
        else:
            db.session.add(message)
        db.session.flush()
        enqueue(deliver, message.id)
        written.append(message)
    return written


# Web addresses, and phone numbers written as tel: links (a call from the mail, on a phone).
_LINK = re.compile(r"(https?://\S+|tel:\+?\d+)")
_LABELLED_LINK = re.compile(r"^(?P<label>[^:]+?):\s*(?P<href>https?://\S+|tel:\+?\d+)$")


def mail_paragraphs(text: str) -> list[list[list[tuple[str, str, str]]]]:
    """The plain text as paragraphs of lines of (words, link, kind) for the HTML layout to
    escape and show, so both parts of a mail say the same. A line "Label: address" becomes a
    button that says the label (kind "button"), or the picture itself when the address is of a
    PNG (kind "image": a QR code); another address in a line stays a plain link."""
    return [[_pieces(line) for line in block.splitlines()] for block in re.split(r"\n\s*\n", text)
            if block.strip()]  # fmt: skip


def _pieces(line: str) -> list[tuple[str, str, str]]:
    if labelled := _LABELLED_LINK.match(line.strip()):
        picture = urlsplit(labelled["href"]).path.endswith(".png")
        return [(labelled["label"], labelled["href"], "image" if picture else "button")]
    return [
        (piece, piece if index % 2 else "", "")
        for index, piece in enumerate(_LINK.split(line))
        if piece
    ]


@job(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=RETRY_BACKOFF, context=True)
def deliver(message_id: int, task=None) -> None:
    message = db.session.get(Message, message_id)
    if message is None or message.status == "sent":
        return
    try:
        CHANNELS[message.channel].send(message)
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
    """A person's messages, each once: a Zalo copy says what its mail says."""
    return db.session.scalars(
        select(Message)
        .where(Message.user_id == user_id, Message.channel == "mail")
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    ).all()


def messages_for_office(status: str | None, limit: int = 200) -> list[Message]:
    query = select(Message).order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)
    if status:
        query = query.where(Message.status == status)
    return db.session.scalars(query).all()
