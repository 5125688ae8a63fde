"""Trade fairs (trade promotion, step 6 of the OCOP cycle): fairs, booths on a grid, booth
requests by cooperatives, and the waiting list of a full fair."""

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import utcnow

REQUEST_STATUSES = ("requested", "approved", "rejected", "cancelled")
HOLDING_STATUSES = ("requested", "approved")  # a booth with such a request is not free

booth_request_products = Table(
    "booth_request_products",
    db.metadata,
    Column("request_id", ForeignKey("booth_requests.id"), primary_key=True),
    Column("product_id", ForeignKey("products.id"), primary_key=True),
)


class Fair(db.Model):
    __tablename__ = "fairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="", server_default="")
    venue: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(255))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    registration_deadline: Mapped[date]
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    allow_multiple_booths: Mapped[bool] = mapped_column(default=False)
    # How long a freed booth is kept for the first cooperative on the waiting list.
    hold_hours: Mapped[int] = mapped_column(default=48)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    booths = relationship(
        "Booth",
        back_populates="fair",
        order_by="Booth.row, Booth.col",
        cascade="all, delete-orphan",
    )


class Booth(db.Model):
    __tablename__ = "booths"
    __table_args__ = (
        UniqueConstraint("fair_id", "code", name="uq_booths_fair_code"),
        UniqueConstraint("fair_id", "row", "col", name="uq_booths_fair_place"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    code: Mapped[str] = mapped_column(String(10))
    zone: Mapped[str] = mapped_column(String(80), default="")
    size: Mapped[str] = mapped_column(String(20), default="3 × 3 m")
    price: Mapped[int] = mapped_column(default=0)
    row: Mapped[int]
    col: Mapped[int]
    closed: Mapped[bool] = mapped_column(default=False)
    # A freed booth kept for the first on the waiting list until held_until.
    held_for_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"))
    held_until: Mapped[datetime | None]

    fair = relationship("Fair", back_populates="booths")
    held_for = relationship("Cooperative")


class BoothRequest(db.Model):
    __tablename__ = "booth_requests"
    __table_args__ = (
        # The database stands behind "one booth, one exhibitor": at most one live request.
        Index(
            "uq_booth_requests_live_booth",
            "booth_id",
            unique=True,
            sqlite_where=text("status IN ('requested', 'approved')"),
            postgresql_where=text("status IN ('requested', 'approved')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id"))
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="requested")
    contact_person: Mapped[str] = mapped_column(String(120))
    contact_phone: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    fair = relationship("Fair")
    booth = relationship("Booth")
    cooperative = relationship("Cooperative")
    products = relationship("Product", secondary=booth_request_products, order_by="Product.name")


class WaitlistEntry(db.Model):
    __tablename__ = "fair_waitlist"
    __table_args__ = (UniqueConstraint("fair_id", "cooperative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    # waiting → offered (a booth is held) → done; an offer not taken in time → expired.
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cooperative = relationship("Cooperative")
