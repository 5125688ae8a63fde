"""Finding listings, and showing each in the reader's language."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core.bounds import day_arg, number_arg
from core.extensions import db
from core.i18n import localized
from core.models import District
from core.pictures import image_url
from core.reviews import ld_rating
from marketplace.models import Cooperative
from tourism.availability import day_state, units_needed
from tourism.models import LISTING_KINDS, Listing, ListingProduct, Slot

MAX_GUESTS_FILTER = 50


@dataclass(frozen=True)
class ListingFilters:
    kind: str = ""
    district: str = ""
    day: date | None = None
    guests: int = 1
    max_price: int | None = None

    @classmethod
    def from_args(cls, args) -> "ListingFilters":
        """Each filter as asked, or ignored (clamped for numbers) when out of range: a day
        within core.bounds.day_range, a price within INTEGER."""
        kind = args.get("kind", "")
        return cls(
            kind=kind if kind in LISTING_KINDS else "",
            district=args.get("district", "")[:80],
            day=day_arg(args.get("date")),
            guests=number_arg(args.get("guests"), 1, MAX_GUESTS_FILTER) or 1,
            max_price=number_arg(args.get("max_price")),
        )

    @property
    def active_filters(self) -> int:
        """How many filters are on, for the drawer's summary ("Lọc (2)"): the kind, the
        district, the day, more than one guest, the highest price."""
        return sum(
            (
                bool(self.kind),
                bool(self.district),
                self.day is not None,
                self.guests > 1,
                self.max_price is not None,
            )
        )


def visible_listings():
    return (
        select(Listing)
        .join(Listing.host)
        .where(
            Listing.active.is_(True),
            Listing.hidden_reason == "",
            Cooperative.approved.is_(True),
            Cooperative.suspended.is_(False),
        )
    )


def find_listings(filters: ListingFilters, today: date) -> list[Listing]:
    query = visible_listings().options(
        selectinload(Listing.images), joinedload(Listing.district), joinedload(Listing.host)
    )
    if filters.kind:
        query = query.where(Listing.kind == filters.kind)
    if filters.district:
        query = query.join(Listing.district).where(District.slug == filters.district)
    if filters.max_price is not None:
        query = query.where(Listing.price <= filters.max_price)
    listings = db.session.scalars(query.order_by(Listing.kind, Listing.title)).unique().all()
    if filters.day is None:
        return [x for x in listings if filters.guests <= _most_guests(x)]
    slots = {
        slot.listing_id: slot
        for slot in db.session.scalars(
            select(Slot).where(
                Slot.day == filters.day, Slot.listing_id.in_([x.id for x in listings])
            )
        )
    }
    return [
        x
        for x in listings
        if filters.guests <= _most_guests(x)
        and (state := day_state(x, slots.get(x.id), filters.day, today)).bookable
        and state.free >= units_needed(x, filters.guests)
    ]


def _most_guests(listing: Listing) -> int:
    return listing.max_guests * listing.capacity if listing.is_stay else listing.max_guests


def listings_with_product(product) -> list[Listing]:
    """The tours and stays a product belongs with, for its page."""
    return db.session.scalars(
        visible_listings()
        .join(ListingProduct, ListingProduct.listing_id == Listing.id)
        .where(ListingProduct.product_id == product.id)
        .order_by(Listing.title)
    ).all()


def featured_listings(limit: int = 4) -> list[Listing]:
    """A few listings for the home page, one of each kind first."""
    listings = db.session.scalars(
        visible_listings().options(selectinload(Listing.images)).order_by(Listing.id)
    ).all()
    firsts = {}
    for listing in listings:
        firsts.setdefault(listing.kind, listing)
    chosen = list(firsts.values())
    chosen += [x for x in listings if x not in chosen]
    return chosen[:limit]


def listing_ld(listing, reviews=()) -> dict:
    """schema.org: a homestay is a LodgingBusiness, a tour or experience a TouristTrip; with
    its guests' average and newest reviews once it has visible ones."""
    from flask import url_for

    common = {
        "name": localized(listing, "title"),
        "description": localized(listing, "description"),
        "url": url_for("tourism.listing", slug=listing.slug, _external=True),
        "image": [image_url(i.path, external=True) for i in listing.images],
    }
    common.update(ld_rating(listing.review_count, listing.review_stars_total, list(reviews)))
    offer = {"@type": "Offer", "price": listing.price, "priceCurrency": "VND"}
    if listing.is_stay:
        return {
            "@type": "LodgingBusiness",
            **common,
            "address": {"@type": "PostalAddress", "addressLocality": localized(listing.district, "name"),
                        "addressRegion": "Hậu Giang", "addressCountry": "VN"},
            "makesOffer": offer,
        }  # fmt: skip
    return {"@type": "TouristTrip", **common, "offers": offer,
            "provider": {"@type": "Organization", "name": listing.host.name}}  # fmt: skip
