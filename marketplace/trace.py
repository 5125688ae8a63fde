"""A lot's trace record: the address its label's QR carries, finding the lot from that
address, and counting the scans.

The QR is a GS1 Digital Link (https://<site>/01/<GTIN>/10/<lot>) when the product has a GTIN,
so any GS1 reader finds the item; else the site's short address /t/<trace code>. Both open the
same page (marketplace.views.trace). A scan is counted by one UPDATE of the lot's counter:
nothing about the person who scanned is kept.
"""

from flask import url_for
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from core.db import write_transaction
from core.extensions import db
from marketplace.gs1 import digital_link
from marketplace.lots import TRACE_ALPHABET
from marketplace.models import TRACE_CODE_LENGTH, Cooperative, Lot, Product


def lot_uri(lot: Lot) -> str:
    """The full address a lot's label carries (built with url_for, as the mails' links are)."""
    if lot.product.gtin:
        site = url_for("marketplace.home", _external=True)
        return digital_link(site, lot.product.gtin, lot.code)
    return url_for("marketplace.trace_lot", code=lot.trace_code, _external=True)


def _with_record():
    """A lot with everything its page shows: the product, its pictures and ratings, the
    cooperative and their places."""
    return select(Lot).options(
        joinedload(Lot.product).options(
            joinedload(Product.cooperative).options(
                joinedload(Cooperative.district), joinedload(Cooperative.commune)
            ),
            joinedload(Product.district),
            joinedload(Product.commune),
            selectinload(Product.images),
            selectinload(Product.ratings),
        )
    )


def lot_by_trace_code(code: str) -> Lot | None:
    """The lot of a short code, read off a label in any case ('ab2c…' is 'AB2C…')."""
    code = (code or "").upper()
    if len(code) != TRACE_CODE_LENGTH or not set(code) <= set(TRACE_ALPHABET):
        return None
    return db.session.scalar(_with_record().where(Lot.trace_code == code))


def lot_by_gtin(gtin14: str, lot_code: str) -> Lot | None:
    """The lot of a GS1 Digital Link: the product of that GTIN, its lot of that code."""
    return db.session.scalar(
        _with_record()
        .join(Product, Product.id == Lot.product_id)
        .where(Product.gtin == gtin14, Lot.code == lot_code)
    )


def product_by_gtin(gtin14: str) -> Product | None:
    return db.session.scalar(select(Product).where(Product.gtin == gtin14))


def count_scan(lot_id: int) -> None:
    """One more opening of the lot's page: one atomic UPDATE, so two scans at once are two."""
    with write_transaction():
        db.session.execute(
            update(Lot)
            .where(Lot.id == lot_id)
            .values(scans=Lot.scans + 1)
            .execution_options(synchronize_session=False)
        )


def own_lot(cooperative_id: int, lot_id: int) -> Lot | None:
    """A lot of the cooperative's products; someone else's id finds nothing."""
    return db.session.scalar(
        _with_record()
        .join(Product, Product.id == Lot.product_id)
        .where(Lot.id == lot_id, Product.cooperative_id == cooperative_id)
    )


def standards_of(lot: Lot) -> list[str]:
    """The standards the lot was made to and the product's certifications, each once."""
    seen, standards = set(), []
    for name in [lot.standard, *lot.product.certification_list]:
        name = (name or "").strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            standards.append(name)
    return standards
