"""A lot's public trace page, opened from its label's QR (/t/<code>, or the GS1 Digital Link
/01/<GTIN>/10/<lot>), and the cooperative's label sheet of the lot (on the dashboard's
blueprint). Rules in marketplace.trace and marketplace.lot_labels."""

from contextlib import suppress

from flask import Response, abort, g, redirect, render_template, request, url_for

from core.clock import today
from core.db import TryAgain
from marketplace import lot_labels, trace
from marketplace.gs1 import parse_digital_link
from marketplace.lots import is_sellable
from marketplace.ratings import certificate_of, current_stars
from marketplace.views import bp
from marketplace.views.dashboard import dashboard

# Link checkers and crawlers open pages too; they are not people holding the product.
BOT_MARKERS = ("bot", "crawl", "spider", "slurp", "preview", "facebookexternalhit")


def _is_person() -> bool:
    agent = (request.user_agent.string or "").lower()
    return request.method == "GET" and not any(marker in agent for marker in BOT_MARKERS)


def _trace_page(lot):
    if lot is None:
        abort(404)
    if _is_person():
        # A scan not counted while the database is busy: the page matters more.
        with suppress(TryAgain):
            trace.count_scan(lot.id)
    product = lot.product
    day = today()
    return render_template(
        "marketplace/trace.html",
        lot=lot,
        product=product,
        cooperative=product.cooperative,
        rating=certificate_of(product),
        standards=trace.standards_of(lot),
        sellable=is_sellable(lot, day) and product.listed and product.stock > 0,
        lot_expired=lot.status == "expired"
        or (lot.expires_on is not None and lot.expires_on < day),
        today=day,
    )


@bp.get("/t/<code>")
def trace_lot(code: str):
    return _trace_page(trace.lot_by_trace_code(code))


@bp.get("/01/<path:rest>")
def trace_gs1(rest: str):
    """A GS1 Digital Link: the lot's page, or the product's page for a GTIN alone."""
    link = parse_digital_link(request.path)
    if link is None:
        abort(404)
    if link.lot is None:
        product = trace.product_by_gtin(link.gtin)
        if product is None or not product.listed:
            abort(404)
        return redirect(url_for("marketplace.product", slug=product.slug))
    return _trace_page(trace.lot_by_gtin(link.gtin, link.lot))


@dashboard.get("/lots/<int:lot_id>/labels.pdf")
def lot_labels_pdf(lot_id: int):
    lot = trace.own_lot(g.cooperative.id, lot_id)
    if lot is None:
        abort(404)
    pdf = lot_labels.label_sheet(
        lot,
        trace.lot_uri(lot),
        lot_labels.label_count(request.args.get("count")),
        stars=current_stars(lot.product, today()) or 0,
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="nhan-lo-{lot.id}.pdf"'
    return response
