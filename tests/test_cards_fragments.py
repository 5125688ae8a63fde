"""The cached parts of the catalogue (marketplace.cards) show what they are given at once."""

from collections import namedtuple

from marketplace.cards import catalogue_filters, product_card
from marketplace.catalogue import CatalogueFilters, read_cards, visible_products

Place = namedtuple("Place", "slug name name_en")  # a district as the catalogue view reads it


def test_filter_form_follows_districts_and_choices(app, make):
    district = make.district("Huyện Châu Thành")
    rows = [Place(district.slug, district.name, "")]
    with app.test_request_context("/products"):
        form = catalogue_filters(CatalogueFilters(), rows)
        assert "Huyện Châu Thành" in form and "selected>Huyện" not in form
        renamed = catalogue_filters(CatalogueFilters(), [Place(district.slug, "Huyện Mới", "")])
        assert "Huyện Mới" in renamed and "Châu Thành" not in renamed
        chosen = catalogue_filters(CatalogueFilters(district=district.slug, q="khóm"), rows)
        assert f'value="{district.slug}" selected' in chosen and 'value="khóm"' in chosen


def test_card_rows_show_what_the_product_shows(app, make, today):
    product = make.product("Khóm Cầu Đúc", price=25000, stock=0)
    with app.test_request_context("/products"):
        (card,) = read_cards(visible_products())
        html = product_card(card, today)
    assert card.cooperative.name == product.cooperative.name
    assert card.cover.path == "img/products/placeholder.svg"
    assert "Khóm Cầu Đúc" in html and "25.000" in html and "Hết hàng" in html
