"""Products: adding them, what the public sees, what the search index knows of them."""

from sqlalchemy import select

from core.accounts import unique_slug
from core.extensions import db
from core.text import fold, nfc
from marketplace.labels import GROUP_NAMES
from marketplace.models import Cooperative, Product


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


def refresh_listing(product: Product) -> None:
    """Whether the public sees the product: active, not hidden by the office, and its
    cooperative approved and not suspended."""
    product.listed = bool(
        product.active and not product.hidden_reason and product.cooperative.is_public
    )


def refresh_cooperative_listings(cooperative: Cooperative) -> None:
    for product in db.session.scalars(
        select(Product).where(Product.cooperative_id == cooperative.id)
    ):
        refresh_listing(product)


def add_product(cooperative: Cooperative, *, name: str, **fields) -> Product:
    """A new product of the cooperative, made where the cooperative is unless told otherwise;
    the caller commits."""
    fields.setdefault("district_id", cooperative.district_id)
    fields.setdefault("commune_id", cooperative.commune_id)
    product = Product(
        cooperative=cooperative,
        name=nfc(name).strip(),
        slug=fields.pop("slug", None) or unique_slug(Product, name),
        **fields,
    )
    db.session.add(product)
    db.session.flush()  # loads district and commune for the search text
    refresh_listing(product)
    product.search_text = product_search_text(product)
    return product
