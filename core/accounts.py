"""Accounts: registering buyers and cooperatives, logging in and out, changing the password,
and setting a new one through a mailed link when it is forgotten.

Every change is one write_transaction() (core.db). A registration sent twice makes one
account (the email is unique); with the form's one-time token the repeat is answered as the
first was. Logging out and changing the password replace the session token only if it is
still the one the request saw, so a double click is one change, not two.

A password reset link carries the account's id and a fingerprint of its password hash and
session token, signed (itsdangerous, with SECRET_KEY and a salt of its own) and dated: it
works for PASSWORD_RESET_MAX_AGE seconds, and only until the password changes or the
account's sessions end, so once it has set a password it is dead.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta

from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core import clock
from core.db import TryAgain, insert_unless_taken, write_transaction
from core.extensions import db
from core.i18n import current_language
from core.models import Message, User, utcnow
from core.notifications import Recipient, notify, site_link
from core.submissions import submit_once, valid_form_token
from core.text import nfc, same_secret, slugify, whole_number

MIN_PASSWORD_LENGTH = 8
# How often a change refused by a unique constraint (a slug or an email taken by another
# request at the same moment) is tried again, seeing the other's row, before TryAgain.
ATTEMPTS = 3


class AccountError(ValueError):
    """A registration that cannot go through."""


class EmailTaken(AccountError):
    pass


class PasswordTooShort(AccountError):
    pass


class WrongPassword(AccountError):
    """The current password typed to change it is not the account's."""


class InvalidResetLink(AccountError):
    """A password reset link that was tampered with, cut short, or already used (the password
    it was made for has changed since)."""


class ResetLinkExpired(InvalidResetLink):
    """A password reset link older than PASSWORD_RESET_MAX_AGE."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.check_password(password or ""):
        return None
    return user


def log_in(user: User, *, remember: bool = False) -> None:
    """Log the visitor in as user. What the areas do on login (the guest's cart joins the
    account, through Flask-Login's user_logged_in signal) is part of the same change."""
    with write_transaction():
        login_user(user, remember=remember)


def end_sessions(user_id: int, seen_token: str) -> bool:
    """End every session of the account (logout: a copy of the cookie must not outlive it),
    unless a request at the same moment (a double click) already did: False then."""
    with write_transaction():
        return _renew_session_token(user_id, seen_token)


def _renew_session_token(user_id: int, seen_token: str) -> bool:
    return (
        db.session.execute(
            update(User)
            .where(User.id == user_id, User.session_token == seen_token)
            .values(session_token=secrets.token_hex(16))
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def change_password(user_id: int, current: str, new: str) -> User:
    """Set a new password and end every session made with the old one; the caller logs this
    device in again. The change of a request sent twice is made once: the twin, finding the
    password already changed to the new one, changes nothing and is answered as the first."""
    with write_transaction():
        # Locked: the twin waits here and then reads the password the first one set.
        user = db.session.get(User, user_id, with_for_update=True, populate_existing=True)
        if not user.check_password(current):
            if user.check_password(new):
                return user  # already done, by the same form sent a moment before
            raise WrongPassword()
        user.set_password(new)
        user.end_sessions()
    return user


# --- a forgotten password -------------------------------------------------------------------

RESET_EVENT = "account.password_reset"
RESET_SALT = "core.accounts.password-reset"
# Longer than any link made here (about 100 characters): refused before it is decoded.
RESET_TOKEN_MAX = 300
# A reset mail asked for again this soon after the last one (a double click, a form sent
# twice on a bad network) sends nothing more: the link of the first one works.
RESET_MAIL_INTERVAL = timedelta(seconds=60)


class _ClockSigner(TimestampSigner):
    """Dates links by core.clock, so that tests can move time forward."""

    def get_timestamp(self) -> int:
        return clock.timestamp()


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=RESET_SALT, signer=_ClockSigner
    )


def _fingerprint(user: User) -> str:
    """What a reset link must still match: it changes with the password and the session token
    (a new password, every session ended), so a link made before either no longer works. A
    keyed hash, so the link, which can be read, tells nothing of the password hash."""
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else str(key).encode()
    seen = f"{user.id}\n{user.email}\n{user.password_hash}\n{user.session_token}"
    return hmac.new(key, seen.encode(), hashlib.sha256).hexdigest()[:32]


def password_reset_token(user: User) -> str:
    """The token of the account's reset link, as it is now."""
    return _reset_serializer().dumps([user.id, _fingerprint(user)])


def _read_reset_token(token: str, max_age: int) -> tuple[int, str]:
    """(user id, fingerprint) of a well-signed token not older than max_age seconds."""
    if not token or len(token) > RESET_TOKEN_MAX:
        raise InvalidResetLink()
    try:
        claim = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise ResetLinkExpired() from error
    except BadSignature as error:
        raise InvalidResetLink() from error
    match claim:
        case [int() as user_id, str() as fingerprint]:
            return user_id, fingerprint
    raise InvalidResetLink()


def user_for_reset_link(token: str, *, max_age: int) -> User:
    """The account a reset link still works for; InvalidResetLink (ResetLinkExpired) if none."""
    user_id, fingerprint = _read_reset_token(token, max_age)
    user = db.session.get(User, user_id)
    if user is None or not same_secret(fingerprint, _fingerprint(user)):
        raise InvalidResetLink()
    return user


def send_password_reset(email: str, *, max_age: int) -> bool:
    """Mail the account of `email` a link to set a new password, in its language. An address
    without an account gets nothing; the caller answers the same either way, so the form
    does not tell who has an account. False when nothing was sent: no account, or a mail
    sent less than RESET_MAIL_INTERVAL ago (the same form sent twice)."""
    with write_transaction():
        # Locked: of two asking at once, the second waits here and then sees the first's mail.
        user = db.session.scalar(
            select(User)
            .where(User.email == normalise_email(email))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if user is None:
            return False
        just_sent = db.session.scalar(
            select(Message.id)
            .where(
                Message.user_id == user.id,
                Message.event == RESET_EVENT,
                Message.created_at > utcnow() - RESET_MAIL_INTERVAL,
            )
            .limit(1)
        )
        if just_sent is not None:
            return False
        notify(
            RESET_EVENT,
            Recipient.of(user),
            "password_reset",
            _l("Đặt lại mật khẩu OCOP Hậu Giang"),
            user=user,
            link=site_link("core.reset_password", token=password_reset_token(user)),
            minutes=max_age // 60,
        )
    return True


def reset_password(token: str, new_password: str, *, max_age: int) -> User:
    """Set the password of the account a reset link works for, and end every session made
    with the old one; the caller logs this device in. The link is dead afterwards.

    The same form sent twice sets the password once: the twin, finding the link dead because
    the password is already the new one, changes nothing and is answered as the first
    (knowing the new password, it could log in anyway)."""
    if len(new_password or "") < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort()
    user_id, fingerprint = _read_reset_token(token, max_age)
    with write_transaction():
        # Locked: the twin waits here and then reads the password the first one set.
        user = db.session.get(User, user_id, with_for_update=True, populate_existing=True)
        if user is None:
            raise InvalidResetLink()
        if not same_secret(fingerprint, _fingerprint(user)):
            if user.check_password(new_password):
                return user  # already done, by the same form sent a moment before
            raise InvalidResetLink()
        user.set_password(new_password)
        user.end_sessions()
    return user


def register_user(*, email: str, name: str, password: str, role: str = "buyer", phone=None):
    """A new account, added to the current transaction (see register_account)."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort()
    if find_user_by_email(email):
        raise EmailTaken(email)
    user = User(
        email=normalise_email(email),
        name=nfc(name).strip(),
        role=role,
        phone=phone,
        language=current_language() if has_request_context() else "vi",
    )
    user.set_password(password)
    db.session.add(user)
    return user


# What a registration's token records: the address it sent to, and the account it made.
_MADE = "#account-"


def register_account(
    make: Callable[[], User], *, token: str | None, email: str, password: str, address: str
) -> User:
    """The account a registration form makes: make() adds it (register_user, or the
    cooperative sign-up), in one transaction.

    Sent twice, the form makes one account: the email is unique (a twin on PostgreSQL is
    refused by the constraint, tried again and finds the email taken: EmailTaken). With the
    form's one-time token the repeat is answered as the first was: it gets the account the
    first made, if the email and password typed are that account's (the token proves it is
    the same form; the password, that it is the same person). A form sent again after it was
    changed (back, another email) registers that email as a new form would.
    """
    for _attempt in range(ATTEMPTS):
        try:
            if valid_form_token(token):
                made = _register_once(make, token, email, password, address)
                if made is not None:
                    return made
            with write_transaction():
                user = make()
                db.session.flush()
            return user
        except IntegrityError:
            continue  # taken at this very moment: again, now seeing the other's row
    raise TryAgain()


def _register_once(make, token: str, email: str, password: str, address: str) -> User | None:
    made = []

    def create() -> str:
        user = make()
        db.session.flush()
        made.append(user)
        return f"{address}{_MADE}{user.id}"

    outcome = submit_once(token, create)
    if made:
        return made[0]
    user_id = whole_number((outcome or "").rpartition(_MADE)[2], max_digits=11)
    user = db.session.get(User, user_id) if user_id else None
    if user is None or user.email != normalise_email(email):
        return None  # the token made another account: this is a new registration
    if not user.check_password(password):
        raise EmailTaken(email)
    return user


def unique_slug(model, text: str) -> str:
    """A slug for text that no row of model has yet: 'htx-ky-nhu', 'htx-ky-nhu-2', ...

    Two requests at the same moment may both be given the same one: add the row with
    add_with_unique_slug, or be ready for the unique constraint's refusal."""
    base = slugify(text)
    taken = set(
        db.session.scalars(
            select(model.slug).where((model.slug == base) | model.slug.like(f"{base}-%"))
        )
    )
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def add_with_unique_slug(model, text: str, build: Callable[[str], object]):
    """Add build(slug) to the current transaction under a slug no row has yet. Of two requests
    naming a row alike at the same moment, the second is refused by the unique slug in a
    savepoint and takes the next free one (on PostgreSQL it sees the first's row once that
    is committed). TryAgain when refused every time."""
    for _attempt in range(ATTEMPTS + 2):
        row = build(unique_slug(model, text))
        if insert_unless_taken(row):
            return row
    raise TryAgain()
