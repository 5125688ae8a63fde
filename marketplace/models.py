"""Cooperatives, their products, the products' OCOP ratings, orders and their buyers' reviews."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import utcnow
from core.reviews import ReviewMixin

COOPERATIVE_KINDS = ("cooperative", "enterprise", "household")

# Product groups of Decision 148/QĐ-TTg.
OCOP_GROUPS = ("food", "beverage", "herbal", "handicraft", "ornamental", "tourism")


class Cooperative(db.Model):
    """A producer behind OCOP products: an HTX, an enterprise or a registered household."""

    __tablename__ = "cooperatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="cooperative")
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id"))
    address: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    story: Mapped[str] = mapped_column(Text, default="")
    story_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    founded_year: Mapped[int | None]
    approved: Mapped[bool] = mapped_column(default=False, index=True)
    approved_at: Mapped[datetime | None]
    # The OCOP office's moderation (programme.moderation): a rejected sign-up, or an approved
    # cooperative suspended for a while; the reason is shown to the cooperative.
    rejected_at: Mapped[datetime | None]
    suspended: Mapped[bool] = mapped_column(default=False)
    moderation_reason: Mapped[str] = mapped_column(String(300), default="")
    bank_bin: Mapped[str | None] = mapped_column(String(6))
    bank_account: Mapped[str | None] = mapped_column(String(30))
    bank_account_name: Mapped[str | None] = mapped_column(String(120))
    # The shop profile (/dashboard/profile): where buyers may pick up, the Zalo number, a logo.
    pickup_address: Mapped[str] = mapped_column(String(255), default="")
    zalo_phone: Mapped[str] = mapped_column(String(20), default="")
    logo_path: Mapped[str | None] = mapped_column(String(255))
    # The brand (nhãn hiệu) its products are sold under, as registered; "" when it has none.
    # A trace record's "Nhãn hiệu" (Circular 02/2024/TT-BKHCN); products have no brand of
    # their own.
    brand: Mapped[str] = mapped_column(String(120), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner = relationship("User", back_populates="cooperative")

    @property
    def is_public(self) -> bool:
        """Its products and listings are shown: approved and not suspended."""
        return self.approved and not self.suspended

    district = relationship("District")
    commune = relationship("Commune")
    products = relationship("Product", back_populates="cooperative", order_by="Product.name")


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("price > 0", name="price_positive"),
        # The catalogue's sorts, each read in index order (no sort of the whole table).
        Index("ix_products_by_price", "listed", "price", "name", "id"),
        Index("ix_products_by_newest", "listed", "created_at", "id"),
        # An index, not a constraint: added in place, where a constraint would make SQLite copy
        # the table and lose its FTS5 triggers.
        Index("uq_products_gtin", "gtin", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    # The English versions ("" where there is none: core.i18n.localized shows the Vietnamese).
    name_en: Mapped[str] = mapped_column(String(160), default="", server_default="")
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    group: Mapped[str] = mapped_column(String(20), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    unit: Mapped[str] = mapped_column(String(20))
    price: Mapped[int]
    stock: Mapped[int] = mapped_column(default=0)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id"))
    certifications: Mapped[str] = mapped_column(String(200), default="")
    # The GS1 trade item number printed under the barcode (8, 12, 13 or 14 digits, stored as
    # the 14-digit GTIN): a lot's QR is then a GS1 Digital Link (marketplace.gs1).
    gtin: Mapped[str | None] = mapped_column(String(14))
    # Few are: the index finds them without reading every product (the plan dashboard).
    flagship: Mapped[bool] = mapped_column(default=False, index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Hidden by the OCOP office for breaking the rules; the reason is shown to the owner.
    hidden_reason: Mapped[str] = mapped_column(String(300), default="")
    # Shown to the public: active and its cooperative approved. Kept by
    # marketplace.products.refresh_listing, so the catalogue needs no join to filter.
    listed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Folded name, cooperative, place and description, in both languages, for
    # accent-insensitive search (marketplace.products.product_search_text).
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Cached from the product's newest rating (marketplace.ratings), so the catalogue can
    # filter and sort by an index: the stars that count now, 0 when never rated or expired
    # (expire_ratings). `stars_valid_until` stays, to tell "expired" from "never rated".
    stars: Mapped[int] = mapped_column(SmallInteger, default=0)
    stars_valid_until: Mapped[date | None] = mapped_column(index=True)
    # Its buyers' reviews not hidden: how many, and their stars added up (core.reviews keeps
    # them in each review's transaction), so a card shows the average without a query.
    review_count: Mapped[int] = mapped_column(default=0, server_default="0")
    review_stars_total: Mapped[int] = mapped_column(default=0, server_default="0")

    cooperative = relationship("Cooperative", back_populates="products")
    district = relationship("District")
    commune = relationship("Commune")
    images = relationship(
        "ProductImage",
        back_populates="product",
        order_by="ProductImage.position",
        cascade="all, delete-orphan",
    )
    ratings = relationship(
        "OcopRating",
        back_populates="product",
        order_by="OcopRating.recognised_on.desc(), OcopRating.id.desc()",
    )

    @property
    def certification_list(self) -> list[str]:
        return [c.strip() for c in self.certifications.split(",") if c.strip()]

    @property
    def cover(self):
        return self.images[0] if self.images else None


# The catalogue's default sort, best rated first, read in index order.
Index("ix_products_by_stars", Product.listed, Product.stars.desc(), Product.name, Product.id)


class ProductImage(db.Model):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    # A path under static/ (demo pictures) or under the uploads folder ("uploads/...").
    path: Mapped[str] = mapped_column(String(255))
    alt: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    product = relationship("Product", back_populates="images")


class OcopRating(db.Model):
    """One star-rating decision for a product (Decision 1048/2019 or 148/2023)."""

    __tablename__ = "ocop_ratings"
    __table_args__ = (
        Index("ix_ocop_ratings_product_newest", "product_id", "recognised_on"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_1_to_5"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    criteria: Mapped[str] = mapped_column(String(4))  # "1048" or "148"
    points_a: Mapped[int] = mapped_column(SmallInteger)
    points_b: Mapped[int] = mapped_column(SmallInteger)
    points_c: Mapped[int] = mapped_column(SmallInteger)
    total: Mapped[int] = mapped_column(SmallInteger)
    stars: Mapped[int] = mapped_column(SmallInteger)
    council_level: Mapped[str] = mapped_column(String(10))  # district, province, central
    decision_number: Mapped[str] = mapped_column(String(60))
    recognised_on: Mapped[date]
    valid_until: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product = relationship("Product", back_populates="ratings")

    def is_valid_on(self, day: date) -> bool:
        return self.recognised_on <= day <= self.valid_until


LOT_STATUSES = ("selling", "expired", "recalled")
LOT_CODE_LENGTH = 20
TRACE_CODE_LENGTH = 8


class Lot(db.Model):
    """One packing (or harvest) of a product: the units it gave and those left, when and where
    it was grown and packed. With the product's and the cooperative's own facts it is the
    trace record of Circular 02/2024/TT-BKHCN. A product's stock is the sum of its selling
    lots' units_left (marketplace.lots keeps Product.stock so, in each change's transaction)."""

    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("product_id", "code", name="uq_lots_product_code"),
        CheckConstraint("units_left >= 0", name="units_not_negative"),
        CheckConstraint("units_left <= quantity", name="units_within_packed"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # First-expiring-first: a product's selling lots in the order orders take them.
        Index("ix_lots_product_fefo", "product_id", "status", "expires_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    # The cooperative's lot number, printed on the label (GS1 AI 10: up to 20 characters).
    code: Mapped[str] = mapped_column(String(LOT_CODE_LENGTH))
    # The short code of the lot's site URL (/t/<trace_code>), for products without a GTIN.
    trace_code: Mapped[str] = mapped_column(String(TRACE_CODE_LENGTH), unique=True)
    quantity: Mapped[int]
    units_left: Mapped[int]
    packed_on: Mapped[date]
    expires_on: Mapped[date | None] = mapped_column(index=True)
    # The growing area or pond code (mã số vùng trồng / vùng nuôi), and the standard applied.
    area_code: Mapped[str] = mapped_column(String(60), default="", server_default="")
    standard: Mapped[str] = mapped_column(String(60), default="", server_default="")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(10), default="selling", server_default="selling")
    recalled_at: Mapped[datetime | None]
    recall_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    recalled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # How many times its trace page was opened from the label (no personal data is kept).
    scans: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product = relationship("Product")
    recalled_by = relationship("User")


class OrderLineLot(db.Model):
    """The units of one lot that an order line took (first-expiring-first, at checkout)."""

    __tablename__ = "order_line_lots"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), primary_key=True)
    # Indexed: a recall finds the lines, hence the buyers, of one lot.
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), primary_key=True, index=True)
    quantity: Mapped[int]

    lot = relationship("Lot")


ORDER_STATUSES = ("pending", "confirmed", "shipping", "delivered", "cancelled")
PAYMENT_METHODS = ("cod", "vietqr")


class CartItem(db.Model):
    """A logged-in buyer's cart line (a guest's cart lives in the session)."""

    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("user_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int]


class SavedAddress(db.Model):
    """An address of a buyer's address book (/account/addresses), offered at checkout; at most
    one per account is the default (a partial unique index; marketplace.addresses writes it)."""

    __tablename__ = "saved_addresses"
    __table_args__ = (
        Index(
            "uq_saved_addresses_one_default",
            "user_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    province: Mapped[str] = mapped_column(String(60))  # core.provinces' short name
    ward: Mapped[str] = mapped_column(String(120))
    street: Mapped[str] = mapped_column(String(255))
    is_default: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Checkout(db.Model):
    """One checkout by a buyer: one order per cooperative, under one code (HG-2026-000123)."""

    __tablename__ = "checkouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    # The hidden one-time token of the checkout form: a second submit finds this checkout.
    form_token: Mapped[str] = mapped_column(String(64), unique=True)
    # The secret in the link that lets a guest see the checkout.
    access_token: Mapped[str] = mapped_column(String(64))
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The language of the page the checkout was made on: a guest's messages are written in it.
    language: Mapped[str] = mapped_column(String(5), default="vi", server_default="vi")
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    province: Mapped[str] = mapped_column(String(60))
    ward: Mapped[str] = mapped_column(String(120))
    street: Mapped[str] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(Text, default="")
    payment_method: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    orders = relationship("Order", back_populates="checkout", order_by="Order.id")

    @property
    def total(self) -> int:
        return sum(order.total for order in self.orders)


class Order(db.Model):
    """The part of a checkout that one cooperative prepares and ships."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_cooperative_status", "cooperative_id", "status"),
        CheckConstraint("refunded_amount <= paid_amount", name="refunded_within_paid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkouts.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    code: Mapped[str | None] = mapped_column(String(24), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    subtotal: Mapped[int]
    delivery_fee: Mapped[int]
    total: Mapped[int]
    # Money received for the order by transfer (payments: it may exceed the total, the excess
    # then being a refund due) and money given back; paid_at is set once received >= total.
    paid_amount: Mapped[int] = mapped_column(default=0, server_default="0")
    refunded_amount: Mapped[int] = mapped_column(default=0, server_default="0")
    paid_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    # When the buyer said "Đã nhận hàng" (marketplace.orders.confirm_receipt): reviews open.
    received_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    checkout = relationship("Checkout", back_populates="orders")
    cooperative = relationship("Cooperative")
    lines = relationship("OrderLine", back_populates="order", order_by="OrderLine.id")
    events = relationship("OrderEvent", back_populates="order", order_by="OrderEvent.id")


class OrderLine(db.Model):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    # Snapshots: what the buyer saw and paid, whatever the product becomes later.
    name: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160), default="", server_default="")
    unit: Mapped[str] = mapped_column(String(20))
    unit_price: Mapped[int]
    quantity: Mapped[int]

    order = relationship("Order", back_populates="lines")
    product = relationship("Product")
    lots = relationship("OrderLineLot", order_by="OrderLineLot.lot_id")

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity


class OrderEvent(db.Model):
    """A status change or payment of an order: who, when, from, to."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order = relationship("Order", back_populates="events")
    actor = relationship("User")


class ProductReview(ReviewMixin, db.Model):
    """A buyer's review of a product they received: one per order line (core.reviews)."""

    __tablename__ = "product_reviews"
    __table_args__ = (
        Index("ix_product_reviews_product", "product_id", "created_at"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_1_to_5"),
    )

    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))

    line = relationship("OrderLine")
    product = relationship("Product")
