"""Product cards and the catalogue's filter form, rendered once per process for each
distinct thing they show.

A catalogue page shows 24 cards and a filter form of some forty options; rendering them
through Jinja is most of its cost. Each cache key holds every value the part displays (and
the language), so a changed price, stock state, rating, name or district simply makes a new
key: nothing needs invalidating.
"""

from collections import OrderedDict
from datetime import date
from threading import Lock

from flask import render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from marketplace.catalogue import CardProduct, CatalogueFilters
from marketplace.ratings import current_stars, is_expired

MAX_CARDS = 20_000
MAX_FILTER_FORMS = 2_000  # one per distinct query and filters: searches vary


class _Rendered:
    """At most `size` rendered templates, by key, the least recently used dropped first."""

    def __init__(self, size: int):
        self.size = size
        self._html: OrderedDict = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple, template: str, **context) -> Markup:
        with self._lock:
            html = self._html.get(key)
            if html is not None:
                self._html.move_to_end(key)
                return html
        html = Markup(render_template(template, **context))
        with self._lock:
            self._html[key] = html
            if len(self._html) > self.size:
                self._html.popitem(last=False)
        return html


_cards = _Rendered(MAX_CARDS)
_filter_forms = _Rendered(MAX_FILTER_FORMS)


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
        _card_key(product, today), "marketplace/_product_card.html", product=product, today=today
    )


def catalogue_filters(filters: CatalogueFilters, districts: list) -> Markup:
    """The filter form with what the visitor chose; districts: rows of slug, name, name_en."""
    key = (str(get_locale()), request.script_root, filters, tuple(map(tuple, districts)))
    return _filter_forms.get(key, "marketplace/_filters.html", filters=filters, districts=districts)
