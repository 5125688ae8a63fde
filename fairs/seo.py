"""schema.org description of a fair's page (JSON-LD, see core.seo.json_ld)."""

from flask import url_for

from core.i18n import localized


def fair_ld(fair) -> dict:
    return {
        "@type": "Event",
        "name": localized(fair, "name"),
        "description": localized(fair, "description"),
        "startDate": fair.starts_on.isoformat(),
        "endDate": fair.ends_on.isoformat(),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "eventStatus": "https://schema.org/EventScheduled",
        "url": url_for("fairs.fair", slug=fair.slug, _external=True),
        "location": {
            "@type": "Place",
            "name": fair.venue,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": fair.address,
                "addressRegion": "Hậu Giang",
                "addressCountry": "VN",
            },
        },  # fmt: skip
        "organizer": {"@type": "Organization", "name": "Văn phòng Điều phối OCOP tỉnh Hậu Giang"},
    }
