"""Outgoing mail.

In development (MAIL_SERVER not set) mails are not sent: each one is written to
instance/outbox/ (the MAIL_OUTBOX folder) as one .eml file, which any mail client can open.
"""

import secrets
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app


def send_mail(to: str | list[str], subject: str, text: str, html: str | None = None) -> None:
    """Send a mail, or write it to the outbox when no MAIL_SERVER is configured.

    Raises OSError or smtplib.SMTPException when it could not: the job queue
    (core.notifications) tries again later, so this runs in the worker, never in a request.
    """
    config = current_app.config
    message = _build_message(config["MAIL_SENDER"], to, subject, text, html)
    if config["MAIL_SERVER"]:
        _send_smtp(message)
    else:
        _write_outbox(message)


def _build_message(
    sender: str, to: str | list[str], subject: str, text: str, html: str | None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to if isinstance(to, str) else ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    # An explicit domain: without one make_msgid asks DNS for this host's name, which can hang.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text, charset="utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def _write_outbox(message: EmailMessage) -> None:
    outbox = Path(current_app.config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    # Timestamped names sort in sending order; the random suffix keeps two mails written in
    # the same microsecond apart, and mode "xb" refuses to overwrite should they still meet.
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = outbox / f"{stamp}-{secrets.token_hex(4)}.eml"
    with path.open("xb") as file:
        file.write(message.as_bytes())
    current_app.logger.info("Mail %r written to %s", message["Subject"], path)
