"""An iCalendar (.ics) file for a booking, so the stay or tour lands in the guest's calendar.

Built with the `icalendar` library, which folds long lines (75 octets), escapes the text and
writes the VTIMEZONE of Asia/Ho_Chi_Minh that the times name. One event per booking, its UID
the booking's code: a file taken again replaces the one imported before when its SEQUENCE is
higher (Booking.sequence, raised by every status move). A booking that will not happen any
more (cancelled, declined, expired) gives the same event with STATUS:CANCELLED, sent as
METHOD:CANCEL, so calendars drop it; a live one is METHOD:PUBLISH.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from tourism.models import Booking
from tourism.practical import arrival, clock

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ENDED = ("cancelled", "declined", "expired")
DEFAULT_MINUTES = 120  # a tour without a duration
# A booking the host has still to accept, or whose deposit is awaited, is not certain yet.
STATUSES = {"requested": "TENTATIVE", "awaiting_deposit": "TENTATIVE"}


def event_times(booking: Booking) -> tuple[datetime | date, datetime | date]:
    """A stay from its check-in time on the first day to its check-out time on the last; a
    tour from its start for its duration; a tour without a start time is the whole day."""
    listing, facts = booking.listing, arrival(booking.listing)
    if listing.is_stay:
        return (
            datetime.combine(booking.check_in, facts.check_in_time, TIMEZONE),
            datetime.combine(booking.check_out, facts.check_out_time, TIMEZONE),
        )
    if listing.start_time is None:
        return booking.check_in, booking.check_in + timedelta(days=1)
    begins = datetime.combine(booking.check_in, listing.start_time, TIMEZONE)
    return begins, begins + timedelta(minutes=listing.duration_minutes or DEFAULT_MINUTES)


def description(booking: Booking, url: str) -> str:
    """What the guest needs on the day, in the language of the request (the guest's)."""
    facts = arrival(booking.listing)
    lines = [booking.code, facts.address]
    if facts.is_stay:
        lines.append(_("Nhận phòng từ %(time)s", time=clock(facts.check_in_time)))
        lines.append(_("Trả phòng trước %(time)s", time=clock(facts.check_out_time)))
    else:
        if facts.start_time:
            lines.append(_("Giờ khởi hành: %(time)s", time=clock(facts.start_time)))
        if facts.meeting_point:
            lines.append(_("Điểm hẹn: %(place)s", place=facts.meeting_point))
    if facts.phone:
        lines.append(_("Điện thoại chủ nhà: %(phone)s", phone=facts.phone_reading))
    if facts.zalo_url:
        lines.append(f"Zalo: {facts.zalo_url}")
    if facts.directions:
        lines.append(_("Cách đi đến: %(text)s", text=facts.directions))
    if facts.what_to_bring:
        lines.append(_("Nên mang theo: %(text)s", text=facts.what_to_bring))
    if facts.google_url:
        lines.append(_("Bản đồ: %(url)s", url=facts.google_url))
    lines.append(url)
    return "\n".join(line for line in lines if line)


def booking_ics(booking: Booking, title: str, url: str, now: datetime, organizer: str) -> bytes:
    """The booking's calendar file; url is the booking's page for its guest (with the
    guest's token), organizer the address the site's mails come from."""
    facts = arrival(booking.listing)
    ended = booking.status in ENDED
    calendar = Calendar()
    calendar.add("prodid", "-//OCOP Hau Giang//Booking//VI")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if ended else "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.code}@ocop-haugiang")
    event.add("dtstamp", now)
    event.add("sequence", booking.sequence)
    starts, ends = event_times(booking)
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", title)
    event.add("location", facts.address)
    if facts.latitude is not None:
        event.add("geo", (facts.latitude, facts.longitude))
    event.add("description", description(booking, url))
    event.add("url", url)
    event.add("status", "CANCELLED" if ended else STATUSES.get(booking.status, "CONFIRMED"))
    # The site organises (its address is the one mails come from, and it takes no replies);
    # the host's name and phone are in the description.
    site = vCalAddress(f"mailto:{organizer}")
    site.params["cn"] = vText("OCOP Hậu Giang")
    event.add("organizer", site)
    if ended:  # iTIP's CANCEL names who is told
        guest = vCalAddress(f"mailto:{booking.email}")
        guest.params["cn"] = vText(booking.name)
        event.add("attendee", guest)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
