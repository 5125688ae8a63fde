"""The lots' invariant, checked by the tests that move units: a product's stock is the sum of
its selling lots' units left (marketplace.lots), and no lot is below zero or above its packing."""

from sqlalchemy import func, select

from core.extensions import db
from marketplace.models import Lot, Product


def assert_stock_matches_lots(*products: Product) -> None:
    """For the given products (every product if none): stock == sum of selling lots' units."""
    db.session.rollback()  # read what other sessions committed
    ids = [p.id for p in products] or db.session.scalars(select(Product.id)).all()
    for product_id in ids:
        stock = db.session.scalar(select(Product.stock).where(Product.id == product_id))
        in_lots = db.session.scalar(
            select(func.coalesce(func.sum(Lot.units_left), 0)).where(
                Lot.product_id == product_id, Lot.status == "selling"
            )
        )
        assert stock == in_lots, f"product {product_id}: stock {stock}, selling lots {in_lots}"
    broken = db.session.scalar(
        select(func.count(Lot.id)).where((Lot.units_left < 0) | (Lot.units_left > Lot.quantity))
    )
    assert broken == 0, f"{broken} lots below zero or above their packing"
