"""Products: adding them, what the public sees, what the search index knows of them; the
cooperative's own products in its shop (create, edit, price and stock, hide, pictures).

Every query of the shop's products takes the cooperative's id, so a cooperative reaches only
its own products: someone else's id simply finds nothing, and the route says 404.
"""

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.accounts import unique_slug
from core.db import write_transaction
from core.extensions import db
from core.text import fold, nfc
from marketplace.labels import GROUP_NAMES
from marketplace.models import Cooperative, Product, ProductImage
from marketplace.uploads import PreparedImage, delete_stored, store_image


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


# --- the cooperative's own products (its shop, /dashboard/products) ---------------------

MAX_PRICE = 1_000_000_000
MAX_STOCK = 1_000_000
LOW_STOCK = 5


@dataclass(frozen=True)
class ProductData:
    name: str
    group: str
    description: str
    unit: str
    price: int
    stock: int
    certifications: str


class StockChanged(Exception):
    """The stock changed (an order came in) since the cooperative read it; nothing was saved."""

    def __init__(self, current: int | None):
        super().__init__(current)
        self.current = current


def products_of(cooperative_id: int) -> list[Product]:
    return db.session.scalars(
        select(Product)
        .where(Product.cooperative_id == cooperative_id)
        .options(selectinload(Product.images))
        .order_by(Product.active.desc(), Product.name, Product.id)
    ).all()


def own_product(cooperative_id: int, product_id: int) -> Product | None:
    return db.session.scalar(
        select(Product)
        .where(Product.id == product_id, Product.cooperative_id == cooperative_id)
        .options(selectinload(Product.images))
    )


def own_image(cooperative_id: int, product_id: int, image_id: int) -> ProductImage | None:
    return db.session.scalar(
        select(ProductImage)
        .join(Product, Product.id == ProductImage.product_id)
        .where(
            ProductImage.id == image_id,
            ProductImage.product_id == product_id,
            Product.cooperative_id == cooperative_id,
        )
    )


def _clean_fields(data: ProductData) -> dict:
    return {
        "group": data.group,
        "description": nfc(data.description).strip(),
        "unit": data.unit,
        "price": data.price,
        "stock": data.stock,
        "certifications": nfc(data.certifications).strip(),
    }


def create_product(
    cooperative: Cooperative,
    data: ProductData,
    picture: PreparedImage | None = None,
    *,
    upload_folder: str,
) -> Product:
    """A new product with its first picture, in one transaction."""
    stored = store_image(picture, upload_folder) if picture else None
    try:
        for attempt in (1, 2):
            try:
                with write_transaction():
                    product = add_product(cooperative, name=data.name, **_clean_fields(data))
                    if stored:
                        db.session.add(ProductImage(product=product, path=stored, alt=product.name))
                break
            except IntegrityError:
                # Two products of the same name at the same moment took the same slug.
                if attempt == 2:
                    raise
    except BaseException:
        if stored:
            delete_stored(stored, upload_folder)
        raise
    return product


def update_product(
    product: Product,
    data: ProductData,
    picture: PreparedImage | None = None,
    *,
    upload_folder: str,
    stock_seen: int | None = None,
) -> Product:
    """Save the edit form; the new picture, if any, goes after the others.

    The stock is written only if the cooperative changed it, and only if it is still what the
    form showed (stock_seen): an order placed meanwhile is never undone. StockChanged otherwise.
    """
    stored = store_image(picture, upload_folder) if picture else None
    try:
        with write_transaction():
            _write_price_and_stock(product, data.price, data.stock, stock_seen)
            fields = _clean_fields(data)
            del fields["price"], fields["stock"]
            product.name = nfc(data.name).strip()
            for key, value in fields.items():
                setattr(product, key, value)
            db.session.flush()
            product.search_text = product_search_text(product)
            refresh_listing(product)
            if stored:
                position = db.session.scalar(
                    select(func.coalesce(func.max(ProductImage.position) + 1, 0)).where(
                        ProductImage.product_id == product.id
                    )
                )
                db.session.add(
                    ProductImage(
                        product_id=product.id, path=stored, alt=product.name, position=position
                    )
                )
    except BaseException:
        if stored:
            delete_stored(stored, upload_folder)
        raise
    db.session.refresh(product)
    return product


def save_price_and_stock(
    product: Product, price: int, stock: int, stock_seen: int | None = None
) -> Product:
    """The products list's in-place edit. StockChanged as in update_product."""
    with write_transaction():
        _write_price_and_stock(product, price, stock, stock_seen)
    db.session.refresh(product)
    return product


def _write_price_and_stock(product: Product, price: int, stock: int, stock_seen) -> None:
    conditions = [Product.id == product.id, Product.cooperative_id == product.cooperative_id]
    values = {"price": price}
    if stock_seen is None or stock != stock_seen:
        values["stock"] = stock
        if stock_seen is not None:
            conditions.append(Product.stock == stock_seen)
    written = db.session.execute(
        update(Product)
        .where(*conditions)
        .values(**values)
        # The session's copy is refreshed after the commit.
        .execution_options(synchronize_session=False)
    ).rowcount
    if written != 1:
        raise StockChanged(db.session.scalar(select(Product.stock).where(Product.id == product.id)))


def set_active(product: Product, active: bool) -> Product:
    """Hide a product from the shop, or show it again (if the cooperative is approved)."""
    product.active = active
    refresh_listing(product)
    db.session.commit()
    return product


def remove_image(image: ProductImage, *, upload_folder: str) -> None:
    path = image.path
    db.session.delete(image)
    db.session.commit()
    delete_stored(path, upload_folder)
