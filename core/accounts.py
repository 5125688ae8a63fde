"""Accounts: registering buyers and cooperatives, logging in."""

from sqlalchemy import select

from core.extensions import db
from core.models import User
from core.text import nfc, slugify

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A registration that cannot go through."""


class EmailTaken(AccountError):
    pass


class PasswordTooShort(AccountError):
    pass


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.check_password(password or ""):
        return None
    return user


def register_user(*, email: str, name: str, password: str, role: str = "buyer", phone=None):
    """A new account; the caller commits."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort()
    if find_user_by_email(email):
        raise EmailTaken(email)
    user = User(email=normalise_email(email), name=nfc(name).strip(), role=role, phone=phone)
    user.set_password(password)
    db.session.add(user)
    return user


def unique_slug(model, text: str) -> str:
    """A slug for text that no row of model has yet: 'htx-ky-nhu', 'htx-ky-nhu-2', ..."""
    base = slugify(text)
    taken = set(
        db.session.scalars(
            select(model.slug).where((model.slug == base) | model.slug.like(f"{base}-%"))
        )
    )
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)
