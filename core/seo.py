"""For search engines and sharing: robots.txt, sitemap.xml, and the structured data
(schema.org JSON-LD) of products, cooperatives, listings and fairs."""

import json

from flask import Blueprint, Response, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select

from core.extensions import db

bp = Blueprint("seo", __name__)


@bp.get("/robots.txt")
def robots():
    lines = [
        "User-agent: *",
        "Disallow: /admin",
        "Disallow: /dashboard",
        "Disallow: /account",
        "Disallow: /cart",
        "Disallow: /checkout",
        "Disallow: /orders/",
        "Disallow: /bookings/",
        f"Sitemap: {url_for('seo.sitemap', _external=True)}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap():
    from fairs.models import Fair
    from marketplace.models import Cooperative, Product
    from tourism.listings import visible_listings

    urls = [url_for("marketplace.home", _external=True)]
    for endpoint in ("marketplace.products", "marketplace.cooperatives", "tourism.index",
                     "fairs.fairs_index"):  # fmt: skip
        urls.append(url_for(endpoint, _external=True))
    urls += [
        url_for("marketplace.product", slug=slug, _external=True)
        for slug in db.session.scalars(select(Product.slug).where(Product.listed.is_(True)))
    ]
    urls += [
        url_for("marketplace.cooperative", slug=slug, _external=True)
        for slug in db.session.scalars(
            select(Cooperative.slug).where(
                Cooperative.approved.is_(True), Cooperative.suspended.is_(False)
            )
        )
    ]
    urls += [
        url_for("tourism.listing", slug=listing.slug, _external=True)
        for listing in db.session.scalars(visible_listings())
    ]
    urls += [
        url_for("fairs.fair", slug=slug, _external=True)
        for slug in db.session.scalars(select(Fair.slug))
    ]
    body = render_template("sitemap.xml", urls=urls)
    return Response(body, mimetype="application/xml")


def json_ld(data: dict) -> Markup:
    """A JSON-LD block; '<' is escaped so no text in it can close the script element."""
    text = json.dumps({"@context": "https://schema.org", **data}, ensure_ascii=False)
    return Markup(
        '<script type="application/ld+json">' + text.replace("<", "\\u003c") + "</script>"
    )


def canonical_url() -> str:
    """This page's address without the language switch or empty parameters."""
    args = {k: v for k, v in request.args.items() if k != "lang" and v}
    return url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)


@bp.record_once
def register_template_globals(state):
    state.app.jinja_env.globals.update({"json_ld": json_ld, "canonical_url": canonical_url})
