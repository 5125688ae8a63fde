"""Product cards, rendered once per process for each distinct thing a card shows.

A catalogue page shows 24 cards; rendering them through Jinja is most of its cost. The cache
key holds every value the card displays, so a changed price, stock state, rating or name
simply makes a new key: nothing needs invalidating.
"""

from collections import OrderedDict
from datetime import date
from threading import Lock

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup

from marketplace.catalogue import CardProduct
from marketplace.ratings import current_stars, is_expired

MAX_CARDS = 20_000
_cards: OrderedDict = OrderedDict()
_lock = Lock()


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
    key = _card_key(product, today)
    with _lock:
        html = _cards.get(key)
        if html is not None:
            _cards.move_to_end(key)
            return html
    html = Markup(render_template("marketplace/_product_card.html", product=product, today=today))
    with _lock:
        _cards[key] = html
        if len(_cards) > MAX_CARDS:
            _cards.popitem(last=False)
    return html
