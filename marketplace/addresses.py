"""A buyer's address book (/account/addresses): the addresses they deliver to, one of them the
default that checkout fills in. Any account that buys has one.

Every change is one write_transaction that first locks the account's row (on SQLite the
transaction's BEGIN IMMEDIATE already serialises them): two changes of the same book at once
(two "make default" clicks, two checkouts each saving the first address) run one after the
other, so the book never has two defaults; the partial unique index on (user_id) where
is_default is the database's own guard behind it. A default moves in two statements, the old
one cleared before the new one is set, so the index never sees two at any moment.
"""

from contextlib import suppress

from sqlalchemy import func, select, update

from core.db import write_transaction
from core.extensions import db
from core.models import User
from marketplace.models import SavedAddress

MAX_ADDRESSES = 20
FIELDS = ("name", "phone", "province", "ward", "street")


class AddressBookFull(Exception):
    """The account has MAX_ADDRESSES already."""


class AddressNotFound(Exception):
    """No such address in this account's book (deleted, or someone else's)."""


def addresses_of(user_id: int) -> list[SavedAddress]:
    """The book, the default first, then in the order they were saved."""
    return list(
        db.session.scalars(
            select(SavedAddress)
            .where(SavedAddress.user_id == user_id)
            .order_by(SavedAddress.is_default.desc(), SavedAddress.id)
        )
    )


def own_address(user_id: int, address_id: int) -> SavedAddress | None:
    return db.session.scalar(
        select(SavedAddress).where(SavedAddress.id == address_id, SavedAddress.user_id == user_id)
    )


def default_address(user_id: int) -> SavedAddress | None:
    return db.session.scalar(
        select(SavedAddress).where(SavedAddress.user_id == user_id, SavedAddress.is_default)
    )


def _lock_book(user_id: int) -> None:
    """Wait for any other change of this account's book (PostgreSQL: the account's row)."""
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def _count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SavedAddress).where(SavedAddress.user_id == user_id)
    )


def _set_default(user_id: int, address_id: int) -> None:
    db.session.execute(
        update(SavedAddress)
        .where(
            SavedAddress.user_id == user_id,
            SavedAddress.is_default,
            SavedAddress.id != address_id,
        )
        .values(is_default=False)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(SavedAddress)
        .where(SavedAddress.id == address_id, SavedAddress.user_id == user_id)
        .values(is_default=True)
        .execution_options(synchronize_session=False)
    )


def add_address(user_id: int, fields: dict, *, make_default: bool = False) -> SavedAddress:
    """Save a new address; the account's first is its default. The same address saved again
    is the one there. AddressBookFull past MAX_ADDRESSES."""
    with write_transaction():
        _lock_book(user_id)
        existing = _same(user_id, _only_fields(fields))
        if existing is not None:
            if make_default:
                _set_default(user_id, existing.id)
            return existing
        if _count(user_id) >= MAX_ADDRESSES:
            raise AddressBookFull()
        first = default_address(user_id) is None
        address = SavedAddress(user_id=user_id, is_default=False, **_only_fields(fields))
        db.session.add(address)
        db.session.flush()
        if first or make_default:
            _set_default(user_id, address.id)
    return address


def update_address(user_id: int, address_id: int, fields: dict, *, make_default=False) -> None:
    with write_transaction():
        _lock_book(user_id)
        address = own_address(user_id, address_id)
        if address is None:
            raise AddressNotFound()
        for name, value in _only_fields(fields).items():
            setattr(address, name, value)
        db.session.flush()
        if make_default:
            _set_default(user_id, address.id)


def delete_address(user_id: int, address_id: int) -> bool:
    """Delete it (False when it is gone already: a second click); when it was the default, the
    oldest of the others becomes the default."""
    with write_transaction():
        _lock_book(user_id)
        address = own_address(user_id, address_id)
        if address is None:
            return False
        was_default = address.is_default
        db.session.delete(address)
        db.session.flush()
        if was_default:
            oldest = db.session.scalar(
                select(SavedAddress.id)
                .where(SavedAddress.user_id == user_id)
                .order_by(SavedAddress.id)
                .limit(1)
            )
            if oldest is not None:
                _set_default(user_id, oldest)
    return True


def make_default(user_id: int, address_id: int) -> None:
    """This address becomes the default, the one before it no longer is."""
    with write_transaction():
        _lock_book(user_id)
        if own_address(user_id, address_id) is None:
            raise AddressNotFound()
        _set_default(user_id, address_id)


def remember(user_id: int, fields: dict) -> None:
    """Checkout's "Lưu địa chỉ này": the address joins the book unless it is there already
    (or the book is full, when the order matters more than the book); the account's first
    becomes the default. Joins the checkout's transaction."""
    # AddressBookFull comes before add_address writes anything, so the order goes on.
    with suppress(AddressBookFull):
        add_address(user_id, fields)


def _same(user_id: int, fields: dict) -> SavedAddress | None:
    return db.session.scalar(
        select(SavedAddress)
        .where(
            SavedAddress.user_id == user_id,
            *(getattr(SavedAddress, name) == value for name, value in fields.items()),
        )
        .limit(1)
    )


def _only_fields(fields: dict) -> dict:
    return {name: fields[name] for name in FIELDS}
