"""Models every area shares: people and places."""

import secrets
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.extensions import db

ROLES = ("buyer", "cooperative", "admin")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="buyer")
    # The language the person reads the site in: their messages are written in it.
    language: Mapped[str] = mapped_column(String(5), default="vi", server_default="vi")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of the id every login session carries (get_id): a new token ends every session
    # made with the old one, on every device (logout, password change).
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))

    cooperative = relationship("Cooperative", back_populates="owner", uselist=False)

    def get_id(self) -> str:
        return f"{self.id}-{self.session_token}"

    def end_sessions(self) -> None:
        self.session_token = secrets.token_hex(16)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class District(db.Model):
    """A district-level unit: city (TP), town (TX) or rural district (huyện)."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    # The display name in English ("Phụng Hiệp District"), "" where there is none.
    name_en: Mapped[str] = mapped_column(String(80), default="", server_default="")
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # city, town, district

    communes = relationship("Commune", back_populates="district", order_by="Commune.name")


class Commune(db.Model):
    __tablename__ = "communes"
    __table_args__ = (UniqueConstraint("district_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(
        String(80), default="", server_default=""
    )  # "Hỏa Tiến Commune"

    district = relationship("District", back_populates="communes")


class FormSubmission(db.Model):
    """A one-time form token and what its first submit made (core.submissions)."""

    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    outcome: Mapped[str] = mapped_column(String(300))  # the address of what it made
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Message(db.Model):
    """One message to one person by one channel: kept from the moment it is written (in the
    change's own transaction) until it is sent, or failed for the office to send again."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(40), index=True)  # e.g. "order.shipped"
    channel: Mapped[str] = mapped_column(String(20), default="mail")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    address: Mapped[str] = mapped_column(String(254))  # e-mail address (or phone for SMS/Zalo)
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(db.Text)
    html: Mapped[str] = mapped_column(db.Text, default="")  # the mail's HTML part
    # A channel's own fields, as JSON (a Zalo template's parameters).
    params: Mapped[str] = mapped_column(db.Text, default="")
    # Set for a message that must go once only (a reminder, a certificate warning): a job that
    # runs again, or twice at once, finds the key taken and writes nothing.
    once_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]

    user = relationship(User)
