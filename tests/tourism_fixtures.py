"""Tourism fixtures and helpers shared by the tourism tests (a pytest plugin, see conftest)."""

from datetime import date, time

import pytest
from sqlalchemy import select

from tourism import bookings
from tourism.models import Listing, Slot


@pytest.fixture()
def host(make):
    return make.cooperative("HTX Khóm Cầu Đúc", kind="household")


# A host who signs in: the owner's account and its household cooperative (the host's pages).
@pytest.fixture()
def owner(make):
    return make.user(role="cooperative", name="Lê Văn Thắng")


@pytest.fixture()
def mine(make, owner):
    return make.cooperative("HTX Du Lịch Hỏa Tiến", owner=owner, kind="household")


@pytest.fixture()
def homestay(db, host):
    listing = Listing(
        host=host, kind="homestay", slug="homestay-muong-dinh", title="Homestay Mương Đình",
        title_en="Mương Đình homestay", district_id=host.district_id, price=500_000,
        capacity=2, max_guests=2, free_cancel_days=3, late_cancel_fee_percent=50,
    )  # fmt: skip
    db.session.add(listing)
    db.session.commit()
    return listing


@pytest.fixture()
def tour(db, host):
    listing = Listing(
        host=host, kind="tour", slug="tour-khom", title="Tour cánh đồng khóm Cầu Đúc",
        title_en="Cầu Đúc pineapple fields tour", district_id=host.district_id, price=150_000,
        capacity=10, max_guests=6, start_time=time(7, 30), duration_minutes=180,
        meeting_point="Ấp Thạnh Thắng", free_cancel_days=2, late_cancel_fee_percent=100,
        instant_booking=True,
    )  # fmt: skip
    db.session.add(listing)
    db.session.commit()
    return listing


CONTACT = bookings.Contact(name="Anna Schmidt", phone="+4915123456789", email="anna@example.de",
                           country="Germany")  # fmt: skip


def book(listing, check_in, check_out=None, guests=2, token=None, today=None):
    return bookings.book(
        listing.id if isinstance(listing, Listing) else listing,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        contact=CONTACT,
        user_id=None,
        form_token=token or bookings.new_form_token(),
        today=today or date.today(),
    )


def taken(db, listing_id, day):
    db.session.rollback()
    slot = db.session.scalar(select(Slot).where(Slot.listing_id == listing_id, Slot.day == day))
    return slot.taken if slot else 0
