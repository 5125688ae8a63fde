"""What a guest needs to find a listing and arrive on time: the full address, the map links
from its coordinates, the host's phone and Zalo, a stay's check-in and check-out times or a
tour's start and meeting point, how to get there and what to bring; and the languages the
host speaks, named in the reader's language.

The booking page, the guest's mails (confirmation, reminder) and the calendar file
(tourism.ics) all read it from here, so they say the same.
"""

from dataclasses import dataclass
from datetime import time

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale

from core.text import fold, is_mobile, normalise_phone, phone_for_reading, tel_url
from tourism.listings import localized
from tourism.models import Listing

# Homestays here take guests from the early afternoon and want the room back by noon: what
# a new listing's form proposes, and what a listing saved before it had these fields keeps.
DEFAULT_CHECK_IN = time(14, 0)
DEFAULT_CHECK_OUT = time(12, 0)

# Vietnam's mainland and its islands (Phú Quốc to the Trường Sa), in degrees: a coordinate
# outside is a typing mistake (a swapped pair, a missing minus, a point in the sea).
LATITUDE_RANGE = (8.0, 23.5)
LONGITUDE_RANGE = (102.0, 118.0)
MAP_ZOOM = 16
PROVINCE = "Hậu Giang"


def within_vietnam(latitude: float | None, longitude: float | None) -> bool:
    return (
        latitude is not None
        and longitude is not None
        and LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]
        and LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]
    )


def full_address(listing: Listing) -> str:
    """The address the host gave, else what is known of the place: the meeting point, the
    commune, the district and the province."""
    if listing.address:
        return listing.address
    parts = [
        localized(listing, "meeting_point"),
        localized(listing.commune, "name"),
        localized(listing.district, "name"),
        PROVINCE,
    ]
    return ", ".join(part for part in parts if part)


def osm_link(latitude: float, longitude: float) -> str:
    lat, lon = _coordinate(latitude), _coordinate(longitude)
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={MAP_ZOOM}/{lat}/{lon}"


def google_maps_link(latitude: float, longitude: float) -> str:
    return (
        "https://www.google.com/maps/search/?api=1&query="
        f"{_coordinate(latitude)},{_coordinate(longitude)}"
    )


def _coordinate(value: float) -> str:
    """Six decimals (about 10 cm), without trailing zeros."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def contact_phone(listing: Listing) -> str:
    """The listing's own number, else the host cooperative's (normalised)."""
    return normalise_phone(listing.contact_phone) or normalise_phone(listing.host.phone) or ""


def contact_zalo(listing: Listing) -> str:
    """The listing's Zalo number, else the cooperative's Zalo, else its phone when a mobile."""
    host = listing.host
    for number in (listing.zalo_phone, host.zalo_phone, listing.contact_phone, host.phone):
        if is_mobile(normalised := normalise_phone(number)):
            return normalised
    return ""


@dataclass(frozen=True)
class Arrival:
    """A listing's practical information as the guest reads it, in the reader's language."""

    address: str
    latitude: float | None
    longitude: float | None
    osm_url: str
    google_url: str
    phone: str  # as stored: 0912345678
    phone_reading: str  # as read: 0912 345 678
    tel_url: str
    zalo: str
    zalo_url: str
    is_stay: bool
    check_in_time: time | None
    check_out_time: time | None
    start_time: time | None
    meeting_point: str
    directions: str
    what_to_bring: str

    @property
    def has_map(self) -> bool:
        return bool(self.osm_url)


def arrival(listing: Listing) -> Arrival:
    lat, lon = listing.latitude, listing.longitude
    mapped = within_vietnam(lat, lon)
    phone, zalo = contact_phone(listing), contact_zalo(listing)
    stay = listing.is_stay
    return Arrival(
        address=full_address(listing),
        latitude=lat if mapped else None,
        longitude=lon if mapped else None,
        osm_url=osm_link(lat, lon) if mapped else "",
        google_url=google_maps_link(lat, lon) if mapped else "",
        phone=phone,
        phone_reading=phone_for_reading(phone),
        tel_url=tel_url(phone),
        zalo=phone_for_reading(zalo),
        zalo_url=f"https://zalo.me/{zalo}" if zalo else "",
        is_stay=stay,
        check_in_time=(listing.check_in_time or DEFAULT_CHECK_IN) if stay else None,
        check_out_time=(listing.check_out_time or DEFAULT_CHECK_OUT) if stay else None,
        start_time=None if stay else listing.start_time,
        meeting_point=localized(listing, "meeting_point") if not stay else "",
        directions=localized(listing, "directions"),
        what_to_bring=localized(listing, "what_to_bring"),
    )


def clock(value: time | None) -> str:
    """A time of day as both languages write it on a booking: 14:00."""
    return value.strftime("%H:%M") if value else ""


# --- the languages a host speaks ------------------------------------------------------------

# What hosts type for a language (folded), and its code. Anything else is shown as typed.
_LANGUAGE_CODES = {
    "vi": ("tieng viet", "vietnamese", "viet", "vi"),
    "en": ("tieng anh", "english", "anh", "en"),
    "fr": ("tieng phap", "french", "francais", "fr"),
    "zh": ("tieng trung", "tieng hoa", "chinese", "zh", "中文"),
    "ja": ("tieng nhat", "japanese", "ja", "日本語"),
    "ko": ("tieng han", "korean", "ko", "한국어"),
    "de": ("tieng duc", "german", "deutsch", "de"),
    "km": ("tieng khmer", "khmer", "km"),
    "th": ("tieng thai", "thai", "th"),
    "ru": ("tieng nga", "russian", "ru"),
    "es": ("tieng tay ban nha", "spanish", "espanol", "es"),
}
_NAME_TO_CODE = {name: code for code, names in _LANGUAGE_CODES.items() for name in names}


def language_codes(text: str) -> list[str]:
    """The codes of the languages named in a listing's `languages` ("Tiếng Việt, English"
    → ["vi", "en"]); a name not known stays as it was typed."""
    found = []
    for name in (part.strip() for part in (text or "").replace(";", ",").split(",")):
        if name:
            code = _NAME_TO_CODE.get(fold(name), name)
            if code not in found:
                found.append(code)
    return found


def spoken_languages(text: str, reader: str | None = None) -> str:
    """The languages of a listing in the reader's language: "Tiếng Việt, English" reads
    "Vietnamese, English" in English and "Tiếng Việt, Tiếng Anh" in Vietnamese."""
    reader = reader or str(get_locale() or "vi")
    names = []
    for code in language_codes(text):
        try:
            name = Locale.parse(code).get_display_name(reader) if code in _LANGUAGE_CODES else code
        except (UnknownLocaleError, ValueError):
            name = code
        names.append(name[:1].upper() + name[1:])
    return ", ".join(names)
