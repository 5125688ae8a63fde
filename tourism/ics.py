"""An iCalendar (.ics) file for a booking, so the stay or tour lands in the guest's calendar."""

from datetime import datetime, timedelta

from tourism.models import Booking


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def booking_ics(booking: Booking, title: str, url: str, now: datetime) -> str:
    listing = booking.listing
    if listing.is_stay or listing.start_time is None:
        start = f"DTSTART;VALUE=DATE:{booking.check_in:%Y%m%d}"
        end = f"DTEND;VALUE=DATE:{booking.check_out:%Y%m%d}"
    else:
        begins = datetime.combine(booking.check_in, listing.start_time)
        ends = begins + timedelta(minutes=listing.duration_minutes or 120)
        start = f"DTSTART;TZID=Asia/Ho_Chi_Minh:{begins:%Y%m%dT%H%M%S}"
        end = f"DTEND;TZID=Asia/Ho_Chi_Minh:{ends:%Y%m%dT%H%M%S}"
    where = listing.meeting_point or (listing.district.name + ", Hậu Giang")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//OCOP Hau Giang//Booking//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{booking.code}@ocop-haugiang",
        f"DTSTAMP:{now:%Y%m%dT%H%M%SZ}",
        start,
        end,
        f"SUMMARY:{_escape(title)}",
        f"LOCATION:{_escape(where)}",
        f"DESCRIPTION:{_escape(booking.code + ' · ' + url)}",
        f"URL:{url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"
