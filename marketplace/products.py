"""Products: what the search index knows of them."""

from core.text import fold, nfc
from marketplace.labels import GROUP_NAMES
from marketplace.models import Product


def product_search_text(product: Product) -> str:
    """Everything a buyer might type to find this product, folded (DOMAIN.md)."""
    parts = [
        product.name,
        GROUP_NAMES.get(product.group, ""),
        product.cooperative.name if product.cooperative else "",
        product.district.name if product.district else "",
        product.commune.name if product.commune else "",
        product.certifications,
        product.description,
    ]
    return fold(" ".join(nfc(p) for p in parts if p))
