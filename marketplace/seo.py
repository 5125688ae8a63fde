"""schema.org descriptions of the marketplace's pages (JSON-LD, see core.seo.json_ld)."""

from datetime import date

from flask import url_for
from flask_babel import gettext

from core.i18n import localized
from core.pictures import image_url
from core.reviews import ld_rating
from marketplace.labels import GROUP_NAMES
from marketplace.ratings import current_stars


def _image(path: str | None) -> str | None:
    return image_url(path, external=True) if path else None


def product_ld(product, today: date, reviews=()) -> dict:
    """The product with its offer, its OCOP stars and (once it has visible reviews) its
    buyers' average and newest reviews."""
    data = {
        "@type": "Product",
        "name": localized(product, "name"),
        "description": localized(product, "description"),
        "url": url_for("marketplace.product", slug=product.slug, _external=True),
        "image": [_image(i.path) for i in product.images],
        "category": gettext(GROUP_NAMES[product.group]) if product.group in GROUP_NAMES else "",
        # The registered brand (nhãn hiệu) where the cooperative has one, else the maker.
        "brand": {"@type": "Brand", "name": product.cooperative.brand}
        if product.cooperative.brand
        else {"@type": "Organization", "name": product.cooperative.name},
        "offers": {
            "@type": "Offer",
            "price": product.price,
            "priceCurrency": "VND",
            "availability": "https://schema.org/InStock"
            if product.stock > 0
            else "https://schema.org/OutOfStock",
            "seller": {"@type": "Organization", "name": product.cooperative.name},
        },
    }
    stars = current_stars(product, today)
    if stars:
        data["award"] = f"OCOP {stars}★"
    data.update(ld_rating(product.review_count, product.review_stars_total, list(reviews)))
    return data


def cooperative_ld(cooperative) -> dict:
    return {
        "@type": "Organization",
        "name": cooperative.name,
        "url": url_for("marketplace.cooperative", slug=cooperative.slug, _external=True),
        "description": localized(cooperative, "story"),
        "telephone": cooperative.phone,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": cooperative.address,
            "addressLocality": localized(cooperative.district, "name"),
            "addressRegion": "Hậu Giang",
            "addressCountry": "VN",
        },
        **({"foundingDate": str(cooperative.founded_year)} if cooperative.founded_year else {}),
        **(
            {"logo": image_url(cooperative.logo_path, external=True)}
            if cooperative.logo_path
            else {}
        ),
    }
