"""Public marketplace pages: home, catalogue, product, cooperatives."""

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from core.clock import today
from core.extensions import db
from core.models import District
from core.page_cache import public_page
from core.page_parts import kept_part, render_kept_page
from core.pictures import image_url
from core.review_views import more_reviews, page_number
from marketplace import catalogue, seo
from marketplace import reviews as shop_reviews
from marketplace.cards import catalogue_filters, product_card
from marketplace.checkout import payment_of, pays_by_transfer
from marketplace.labels import (
    COOPERATIVE_KIND_NAMES,
    COUNCIL_NAMES,
    CRITERIA_NAMES,
    GROUP_NAMES,
    LOT_STATUS_NAMES,
    ORDER_STATUS_NAMES,
    PAYMENT_NAMES,
    UNIT_NAMES,
)
from marketplace.models import Cooperative, Product
from marketplace.ratings import certificate_of, current_stars, is_expired
from marketplace.views import bp


@bp.get("/")
@public_page
def home():
    day = today()
    return render_template(
        "marketplace/home.html",
        flagships=catalogue.flagships(),
        top_rated=catalogue.top_rated(day, limit=8),
        today=day,
    )


@bp.get("/products")
@public_page
def products():
    filters = catalogue.CatalogueFilters.from_args(request.args)
    results = kept_part("marketplace/_results.html", lambda: _results_context(filters))
    if request.htmx and not request.htmx.history_restore_request:
        response = current_app.make_response(
            render_template("marketplace/_results_answer.html", results=results, filters=filters)
        )
        # The address bar shows the clean, shareable URL, not every empty form field.
        response.headers["HX-Push-Url"] = url_for("marketplace.products", **filters.to_args())
    else:
        districts = db.session.execute(
            select(District.slug, District.name, District.name_en).order_by(District.name)
        ).all()
        response = current_app.make_response(
            render_template(
                "marketplace/products.html", districts=districts, filters=filters, results=results
            )
        )
    # The same URL answers with a fragment or a page: caches must keep them apart.
    response.vary.add("HX-Request")
    return response


def _results_context(filters: catalogue.CatalogueFilters) -> dict:
    day = today()
    result = catalogue.search_products(filters, day, current_app.config["CATALOGUE_PAGE_SIZE"])
    return {
        "filters": filters,
        "result": result,
        "suggestions": catalogue.did_you_mean(filters, result, day),
        "today": day,
    }


@bp.get("/products/<slug>")
@public_page
def product(slug: str):
    return render_kept_page("marketplace/product.html", lambda: _product_context(slug))


def _product_context(slug: str) -> dict:
    item = db.session.scalar(
        catalogue.visible_products()
        .where(Product.slug == slug)
        .options(
            joinedload(Product.cooperative).joinedload(Cooperative.district),
            joinedload(Product.district),
            joinedload(Product.commune),
            selectinload(Product.images),
            selectinload(Product.ratings),
        )
    )
    if item is None:
        abort(404)
    page = shop_reviews.REVIEWED.visible(item)
    return {
        "product": item,
        "rating": certificate_of(item),
        "related": catalogue.related_products(item),
        "today": today(),
        "page": page,
        "more_url": _more_reviews_url(item, page),
    }


def _more_reviews_url(item: Product, page) -> str | None:
    if not page.more:
        return None
    return url_for("marketplace.product_reviews", slug=item.slug, page=page.page + 1)


@bp.get("/products/<slug>/reviews")
@public_page
def product_reviews(slug: str):
    """More of the product's reviews ("Xem thêm"): ?page=2, 3, …"""
    item = db.session.scalar(catalogue.visible_products().where(Product.slug == slug))
    if item is None:
        abort(404)
    page = shop_reviews.REVIEWED.visible(item, page_number())
    more = _more_reviews_url(item, page)
    return more_reviews(item, page, more, "name", "marketplace.product", _("Đã mua hàng"))


@bp.get("/cooperatives")
@public_page
def cooperatives():
    product_counts = (
        select(Product.cooperative_id, func.count(Product.id).label("n"))
        .where(Product.listed.is_(True))
        .group_by(Product.cooperative_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Cooperative, func.coalesce(product_counts.c.n, 0))
        .outerjoin(product_counts, product_counts.c.cooperative_id == Cooperative.id)
        .where(Cooperative.approved.is_(True), Cooperative.suspended.is_(False))
        .options(joinedload(Cooperative.district), joinedload(Cooperative.commune))
        .order_by(Cooperative.name)
    ).all()
    return render_template("marketplace/cooperatives.html", rows=rows)


@bp.get("/cooperatives/<slug>")
@public_page
def cooperative(slug: str):
    return render_kept_page("marketplace/cooperative.html", lambda: _cooperative_context(slug))


def _cooperative_context(slug: str) -> dict:
    item = db.session.scalar(
        select(Cooperative)
        .where(
            Cooperative.slug == slug,
            Cooperative.approved.is_(True),
            Cooperative.suspended.is_(False),
        )
        .options(joinedload(Cooperative.district), joinedload(Cooperative.commune))
    )
    if item is None:
        abort(404)
    products = catalogue.read_cards(
        catalogue.visible_products()
        .where(Product.cooperative_id == item.id)
        .order_by(*catalogue.by_stars())
    )
    return {"cooperative": item, "products": products, "today": today()}


def sitemap_urls() -> list[str]:
    """The marketplace's addresses in /sitemap.xml (core.seo)."""
    urls = [url_for("marketplace.home", _external=True)]
    for endpoint in ("marketplace.products", "marketplace.cooperatives"):
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
    return urls


@bp.record_once
def register_template_globals(state):
    # Globals, not a context processor, so that imported macros see them too.
    state.app.jinja_env.globals.update(
        {
            "current_stars": current_stars,
            "rating_expired": is_expired,
            "unit_names": UNIT_NAMES,
            "group_names": GROUP_NAMES,
            "kind_names": COOPERATIVE_KIND_NAMES,
            "criteria_names": CRITERIA_NAMES,
            "council_names": COUNCIL_NAMES,
            "image_url": image_url,
            "product_card": product_card,
            "catalogue_filters": catalogue_filters,
            "status_names": ORDER_STATUS_NAMES,
            "lot_status_names": LOT_STATUS_NAMES,
            "payment_names": PAYMENT_NAMES,
            "pays_by_transfer": pays_by_transfer,
            "payment_of": payment_of,
            "product_ld": seo.product_ld,
            "cooperative_ld": seo.cooperative_ld,
        }
    )
