"""Products: adding them, what the public sees, what the search index knows of them; the
cooperative's own products in its shop (create, edit, price and stock, hide, pictures).

Every query of the shop's products takes the cooperative's id, so a cooperative reaches only
its own products: someone else's id simply finds nothing, and the route says 404.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from core.accounts import unique_slug
from core.db import TryAgain, after_commit, insert_unless_taken, write_transaction
from core.extensions import db
from core.submissions import submit_once
from core.text import fold, nfc
from core.uploads import PreparedImage, delete_stored, store_image
from marketplace import lots
from marketplace.labels import GROUP_NAMES
from marketplace.models import Cooperative, Product, ProductImage


def product_search_text(product: Product) -> str:
    """Everything a buyer might type to find this product, in Vietnamese or English, folded
    (core.text.fold). The Vietnamese name comes first (the catalogue ranks names starting with the
    query first). Its migration (0559407459b3) recomputes existing rows in this composition."""
    parts = [
        product.name,
        product.name_en,
        GROUP_NAMES.get(product.group, ""),
        product.cooperative.name if product.cooperative else "",
        product.district.name if product.district else "",
        product.district.name_en if product.district else "",
        product.commune.name if product.commune else "",
        product.commune.name_en if product.commune else "",
        product.certifications,
        product.description,
        product.description_en,
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


# A slug taken by a product made at the same moment (PostgreSQL) is tried again with the next
# free one; after this many tries the person is asked to try again.
SLUG_ATTEMPTS = 5


def add_product(cooperative: Cooperative, *, name: str, **fields) -> Product:
    """A new product of the cooperative, made where the cooperative is unless told otherwise;
    the caller commits.

    The slug is the name's, made unique: the insert runs in a savepoint, so a slug that a
    product made at the same moment took first (the unique constraint refuses it) is simply
    the next one, never an aborted transaction."""
    db.session.flush()  # the cooperative has its id; the savepoint holds the product alone
    fields.setdefault("district_id", cooperative.district_id)
    fields.setdefault("commune_id", cooperative.commune_id)
    name = nfc(name).strip()
    slug = fields.pop("slug", None)
    for _attempt in range(1 if slug else SLUG_ATTEMPTS):
        # By id, not by the relationship: a refused product must not stay in the
        # cooperative's collection, whence a later flush would insert it again.
        product = Product(
            cooperative_id=cooperative.id,
            name=name,
            slug=slug or unique_slug(Product, name),
            **fields,
        )
        if insert_unless_taken(product):
            break
    else:
        raise TryAgain()
    refresh_listing(product)
    product.search_text = product_search_text(product)
    if product.stock:
        # Its stock is a lot's units left, like any product's (marketplace.lots).
        lots.count_stock(product, product.stock, 0)
    return product


# --- the cooperative's own products (its shop, /dashboard/products) ---------------------

MAX_PRICE = 1_000_000_000
MAX_STOCK = lots.MAX_STOCK
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
    # The English versions, "" where the cooperative wrote none.
    name_en: str = ""
    description_en: str = ""
    # The GTIN-14 (marketplace.gs1.normalise_gtin), None when the product has none.
    gtin: str | None = None


class GtinTaken(Exception):
    """Another product already has this GTIN; nothing was saved."""


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
        "name_en": nfc(data.name_en).strip(),
        "description_en": nfc(data.description_en).strip(),
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
    stored: list[str] | None = None,
) -> Product:
    """A new product with its first picture, in one transaction (or in the caller's). The
    picture's file is written once the product row is in; it is removed again if the change
    fails here. `stored` collects its path for a caller whose own transaction may still fail."""
    stored = [] if stored is None else stored
    try:
        with write_transaction():
            product = add_product(cooperative, name=data.name, **_clean_fields(data))
            _write_gtin(product, data.gtin)
            if picture:
                stored.append(store_image(picture, upload_folder))
                db.session.add(
                    ProductImage(product_id=product.id, path=stored[-1], alt=product.name)
                )
                db.session.flush()
    except BaseException:
        _delete_files(stored, upload_folder)
        raise
    return product


def _write_gtin(product: Product, gtin: str | None) -> None:
    """Give the product its GTIN, in a savepoint: GtinTaken when another product has it, even
    one saved at the same moment (the unique constraint refuses it, and the change stops
    there, with nothing saved)."""
    if product.gtin == gtin:
        return
    try:
        with db.session.begin_nested():
            product.gtin = gtin
            db.session.flush()
    except IntegrityError as error:
        raise GtinTaken(gtin) from error


def _delete_files(paths: list[str], upload_folder: str) -> None:
    for path in paths:
        delete_stored(path, upload_folder)
    paths.clear()


def create_product_once(
    token: str,
    cooperative: Cooperative,
    data: ProductData,
    picture: PreparedImage | None = None,
    *,
    upload_folder: str,
    address: Callable[[Product], str],
) -> tuple[str, bool]:
    """The new-product form, made once per form token (core.submissions): the same form sent
    again, at once or later, makes nothing more. Returns the address of the product the token
    made (address(product)) and whether this call made it. ValueError for a token that is not
    one; TryAgain when the database is busy."""
    made, stored = [], []

    def make() -> str:
        product = create_product(
            cooperative, data, picture, upload_folder=upload_folder, stored=stored
        )
        made.append(product.id)
        return address(product)

    try:
        outcome = submit_once(token, make)
    except BaseException:
        _delete_files(stored, upload_folder)  # the product was not committed
        raise
    return outcome, bool(made)


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
            _write_gtin(product, data.gtin)
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
    """The stock typed is a stock count (kiểm kho): the lots follow it (lots.count_stock)."""
    mine = [Product.id == product.id, Product.cooperative_id == product.cooperative_id]
    # The product's row held first (as the checkout does), so the count and the lots agree.
    current = db.session.scalar(select(Product.stock).where(*mine).with_for_update())
    if current is None:
        raise StockChanged(None)
    values = {"price": price}
    if stock_seen is None or stock != stock_seen:
        # Still what the form showed, or already what it asks for (the same form saved
        # twice: a double click, a resend): nothing of anyone else's is overwritten.
        if stock_seen is not None and current not in (stock_seen, stock):
            raise StockChanged(current)
        values["stock"] = stock
    db.session.execute(
        update(Product)
        .where(*mine)
        .values(**values)
        # The session's copy is refreshed after the commit.
        .execution_options(synchronize_session=False)
    )
    if "stock" in values:
        lots.count_stock(product, stock, current)


def set_active(product: Product, active: bool) -> Product:
    """Hide a product from the shop, or show it again (if the cooperative is approved). Doing
    it again is doing it once."""
    with write_transaction():
        product.active = active
        refresh_listing(product)
    db.session.refresh(product)
    return product


def remove_image(
    cooperative_id: int, product_id: int, image_id: int, *, upload_folder: str
) -> bool:
    """Delete a picture of the cooperative's product; its files go once the change is
    committed. False when there is no such picture (any more: a second click); LookupError
    when the picture is another product's."""
    with write_transaction():
        found = db.session.execute(
            select(ProductImage.path, ProductImage.product_id, Product.cooperative_id)
            .join(Product, Product.id == ProductImage.product_id)
            .where(ProductImage.id == image_id)
        ).first()
        if found is None:
            return False
        path, owner_product_id, owner_id = found
        if (owner_product_id, owner_id) != (product_id, cooperative_id):
            raise LookupError(image_id)
        deleted = db.session.execute(
            delete(ProductImage)
            .where(ProductImage.id == image_id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if deleted != 1:  # deleted by a click at the same moment
            return False
        after_commit(lambda: delete_stored(path, upload_folder))
    return True
