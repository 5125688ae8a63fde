"""Community tourism: listings (homestays, tours, experiences), their capacity per day, and
bookings."""

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import utcnow
from core.reviews import ReviewMixin

LISTING_KINDS = ("homestay", "tour", "experience")
# awaiting_deposit: the nights or seats are held until Booking.pay_by for the deposit's
# transfer; expired: it did not come in time, and they were given back.
BOOKING_STATUSES = (
    "awaiting_deposit", "requested", "confirmed", "completed", "cancelled", "declined", "expired",
)  # fmt: skip
STATUS_LENGTH = 20  # "awaiting_deposit" and room to spare


class Listing(db.Model):
    """Something a tourist books: rooms per night (homestay) or seats per departure."""

    __tablename__ = "listings"

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    title_en: Mapped[str] = mapped_column(String(160), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id"))
    # VND per room per night (homestay) or per person (tour, experience).
    price: Mapped[int]
    # Rooms per night, or seats per departure, unless a day says otherwise (Slot.capacity).
    capacity: Mapped[int]
    # Guests one room sleeps (homestay), or the most guests one booking may bring.
    max_guests: Mapped[int]
    start_time: Mapped[time | None]
    duration_minutes: Mapped[int | None]
    meeting_point: Mapped[str] = mapped_column(String(255), default="")
    meeting_point_en: Mapped[str] = mapped_column(String(255), default="", server_default="")
    included: Mapped[str] = mapped_column(Text, default="")
    included_en: Mapped[str] = mapped_column(Text, default="")
    what_to_bring: Mapped[str] = mapped_column(Text, default="")
    what_to_bring_en: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[str] = mapped_column(String(120), default="Tiếng Việt")
    # What a guest needs to find the place (tourism.practical): the full address, its
    # coordinates (for the map links and the calendar file's GEO), the host's numbers for
    # this listing (empty: the cooperative's phone and Zalo), a stay's check-in and
    # check-out times, and how to get there.
    address: Mapped[str] = mapped_column(String(255), default="", server_default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    contact_phone: Mapped[str] = mapped_column(String(20), default="", server_default="")
    zalo_phone: Mapped[str] = mapped_column(String(20), default="", server_default="")
    check_in_time: Mapped[time | None]
    check_out_time: Mapped[time | None]
    directions: Mapped[str] = mapped_column(Text, default="", server_default="")
    directions_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    free_cancel_days: Mapped[int] = mapped_column(default=3)
    late_cancel_fee_percent: Mapped[int] = mapped_column(default=50)
    instant_booking: Mapped[bool] = mapped_column(default=False)
    # A deposit asked at booking: "none", "percent" (of the total) or "fixed" (VND), paid
    # within deposit_hours or the booking is released.
    deposit_kind: Mapped[str] = mapped_column(String(8), default="none", server_default="none")
    deposit_value: Mapped[int] = mapped_column(default=0, server_default="0")
    deposit_hours: Mapped[int] = mapped_column(default=24, server_default="24")
    active: Mapped[bool] = mapped_column(default=True)
    # Hidden by the OCOP office for breaking the rules; the reason is shown to the host.
    hidden_reason: Mapped[str] = mapped_column(String(300), default="")
    # Its guests' reviews not hidden, counted and added up (core.reviews), for the cards.
    review_count: Mapped[int] = mapped_column(default=0, server_default="0")
    review_stars_total: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    host = relationship("Cooperative")
    district = relationship("District")
    commune = relationship("Commune")
    images = relationship(
        "ListingImage",
        order_by="(ListingImage.position, ListingImage.id)",
        cascade="all, delete-orphan",
    )
    products = relationship("Product", secondary="listing_products", order_by="Product.name")

    @property
    def is_stay(self) -> bool:
        return self.kind == "homestay"

    @property
    def cover(self):
        """The photo cards show: the first one (tourism.photos keeps positions 0, 1, 2, …)."""
        return self.images[0] if self.images else None


class ListingImage(db.Model):
    __tablename__ = "listing_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    path: Mapped[str] = mapped_column(String(255))
    alt: Mapped[str] = mapped_column(String(200), default="")
    alt_en: Mapped[str] = mapped_column(String(200), default="", server_default="")
    position: Mapped[int] = mapped_column(default=0)


class ListingProduct(db.Model):
    """A product that belongs with a listing: the pineapple of the pineapple-field tour."""

    __tablename__ = "listing_products"

    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)


class Slot(db.Model):
    """One night of a homestay or one departure of a tour: its capacity and what is taken.

    A row exists once a day has been booked, closed or given its own capacity; a day without
    a row is open with the listing's capacity. `taken` only changes through conditional
    UPDATEs (tourism.bookings), and the check constraint stands behind them.
    """

    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("listing_id", "day"),
        CheckConstraint("taken >= 0 AND taken <= capacity", name="taken_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    day: Mapped[date]
    capacity: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)
    closed: Mapped[bool] = mapped_column(default=False)


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_listing_day", "listing_id", "check_in"),
        # The release job's question: which held bookings' deadlines have passed.
        Index("ix_bookings_status_pay_by", "status", "pay_by"),
        CheckConstraint("refunded_amount <= paid_amount", name="refunded_within_paid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    form_token: Mapped[str] = mapped_column(String(64), unique=True)
    access_token: Mapped[str] = mapped_column(String(64))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # A stay takes the nights check_in .. check_out - 1; a tour takes the day check_in.
    check_in: Mapped[date]
    check_out: Mapped[date]
    guests: Mapped[int]
    # Rooms (homestay) or seats (tour): what the booking takes from each day's capacity.
    units: Mapped[int]
    total: Mapped[int]
    status: Mapped[str] = mapped_column(String(STATUS_LENGTH), default="requested")
    cancel_fee: Mapped[int | None]
    # The deposit asked and its deadline; what was received and given back (payments).
    deposit: Mapped[int] = mapped_column(default=0, server_default="0")
    pay_by: Mapped[datetime | None]
    paid_amount: Mapped[int] = mapped_column(default=0, server_default="0")
    refunded_amount: Mapped[int] = mapped_column(default=0, server_default="0")
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    country: Mapped[str] = mapped_column(String(60))
    # The language of the page the booking was made on: the guest's messages are written in it.
    language: Mapped[str] = mapped_column(String(5), default="vi", server_default="vi")
    note: Mapped[str] = mapped_column(Text, default="")
    # The calendar file's SEQUENCE (tourism.ics): raised with every change the guest's
    # calendar should take in again (each status move), in the move's own transaction.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    listing = relationship("Listing")
    events = relationship("BookingEvent", order_by="BookingEvent.id")

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


class BookingEvent(db.Model):
    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(STATUS_LENGTH))
    to_status: Mapped[str] = mapped_column(String(STATUS_LENGTH))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListingReview(ReviewMixin, db.Model):
    """A guest's review of a stay or tour they completed: one per booking (core.reviews)."""

    __tablename__ = "listing_reviews"
    __table_args__ = (
        Index("ix_listing_reviews_listing", "listing_id", "created_at"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_1_to_5"),
    )

    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"))

    booking = relationship("Booking")
    listing = relationship("Listing")
