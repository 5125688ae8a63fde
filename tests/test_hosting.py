"""The host's rules: owner-scoped lookups, capacity per day, closed days, guests per day."""

from datetime import timedelta

import pytest

from tests.tourism_fixtures import book, taken
from tourism import bookings, hosting
from tourism.availability import free_units


def test_a_host_reaches_only_their_own(make, db, tour, today):
    other = make.cooperative("HTX Khác")
    assert hosting.host_listing(tour.host_id, tour.id) == tour
    with pytest.raises(hosting.NotFound):
        hosting.host_listing(other.id, tour.id)
    booking = book(tour, today + timedelta(days=3), guests=2, today=today)
    assert hosting.host_booking(tour.host_id, booking.id).id == booking.id
    with pytest.raises(hosting.NotFound):
        hosting.host_booking(other.id, booking.id)
    assert hosting.host_bookings(other.id) == []


def test_capacity_per_day_never_below_what_is_booked(db, tour, today):
    day = today + timedelta(days=5)
    book(tour, day, guests=4, today=today)
    hosting.set_capacity(tour, day, day + timedelta(days=2), 6)
    assert free_units(tour, [day], today) == 2
    assert free_units(tour, [day + timedelta(days=2)], today) == 6
    with pytest.raises(hosting.CapacityBelowTaken) as raised:
        hosting.set_capacity(tour, day - timedelta(days=1), day, 3)
    assert raised.value.day == day and raised.value.taken == 4
    assert free_units(tour, [day], today) == 2  # nothing changed
    with pytest.raises(hosting.BadRange):
        hosting.set_capacity(tour, day, day - timedelta(days=1), 3)


def test_closed_days_refuse_new_bookings_and_reopen(db, tour, today):
    day = today + timedelta(days=7)
    hosting.set_closed(tour, day, day, True)
    with pytest.raises(bookings.DatesUnavailable):
        book(tour, day, guests=1, today=today)
    hosting.set_closed(tour, day, day, False)
    assert book(tour, day, guests=1, today=today).status == "confirmed"
    assert taken(db, tour.id, day) == 1


def test_guests_per_day(db, homestay, tour, today):
    arrive = today + timedelta(days=10)
    book(homestay, arrive, arrive + timedelta(days=2), guests=2, today=today)
    book(tour, arrive + timedelta(days=1), guests=3, today=today)
    cancelled = book(tour, arrive, guests=5, today=today)
    bookings.change_booking_status(cancelled.id, "cancelled", actor_id=None, today=today)
    assert hosting.guests_per_day(homestay.host_id, arrive, arrive + timedelta(days=3)) == {
        arrive: 2,
        arrive + timedelta(days=1): 5,
    }
