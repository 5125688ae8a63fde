"""Product cards and the catalogue's filter form, rendered once per process for each
distinct thing they show.

A catalogue page shows 24 cards and a filter form of some forty options; rendering them
through Jinja is most of its cost. Each cache key holds every value the part displays (and
the language), so a changed price, stock state, rating, name or district simply makes a new
key: nothing needs invalidating.
"""

from datetime import date

from flask import render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from core.page_parts import Rendered
from marketplace.catalogue import CardProduct, CatalogueFilters
from marketplace.ratings import current_stars, is_expired

MAX_CARDS = 20_000
MAX_FILTER_FORMS = 2_000  # one per distinct query and filters: searches vary


_cards = Rendered(MAX_CARDS)
_filter_forms = Rendered(MAX_FILTER_FORMS)


def _card_key(product: CardProduct, today: date) -> tuple:
    cover = product.cover
    return (
        str(get_locale()),
        product.id,
        product.slug,
        product.name,
        product.name_en,
        product.price,
        product.unit,
        product.stock > 0,
        current_stars(product, today),
        is_expired(product, today),
        cover.path if cover else None,
        product.cooperative.name,
        product.review_count,
        product.review_stars_total,
    )


def product_card(product: CardProduct, today: date) -> Markup:
    return _cards.get(
        _card_key(product, today),
        lambda: _render("marketplace/_product_card.html", product=product, today=today),
    )


def catalogue_filters(filters: CatalogueFilters, districts: list) -> Markup:
    """The filter form with what the visitor chose; districts: rows of slug, name, name_en."""
    key = (str(get_locale()), request.script_root, filters, tuple(map(tuple, districts)))
    return _filter_forms.get(
        key, lambda: _render("marketplace/_filters.html", filters=filters, districts=districts)
    )


def _render(template: str, **context) -> Markup:
    return Markup(render_template(template, **context))
