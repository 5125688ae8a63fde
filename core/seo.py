"""For search engines and sharing: robots.txt, sitemap.xml (each area adds its addresses in
core.hooks), and the helpers of the structured data (schema.org JSON-LD) the areas' pages
carry."""

import json

from flask import Blueprint, Response, render_template, request, url_for
from markupsafe import Markup

from core import hooks

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
    body = render_template("sitemap.xml", urls=hooks.sitemap_urls())
    return Response(body, mimetype="application/xml")


def json_ld(data: dict) -> Markup:
    """A JSON-LD block; '<' is escaped so no text in it can close the script element."""
    text = json.dumps({"@context": "https://schema.org", **data}, ensure_ascii=False)
    return Markup(
        '<script type="application/ld+json">' + text.replace("<", "\\u003c") + "</script>"
    )


def canonical_url() -> str:
    """This page's address without the language switch or empty parameters. A parameter named
    like one of the route's own arguments (?token= on /account/reset/<token>) is left out:
    the address's own value is the page's."""
    path_args = request.view_args or {}
    args = {k: v for k, v in request.args.items() if k != "lang" and v and k not in path_args}
    return url_for(request.endpoint, **path_args, **args, _external=True)


@bp.record_once
def register_template_globals(state):
    state.app.jinja_env.globals.update({"json_ld": json_ld, "canonical_url": canonical_url})
