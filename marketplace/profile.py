"""The shop profile a cooperative keeps (/dashboard/profile): its story, logo, pick-up address,
phone and Zalo number, and the bank account buyers' VietQR transfers go to.

The bank account is where the money goes, so changing it asks for the current password again
(a stolen session alone cannot redirect the shop's payments), is written to the audit log, and
is told to the cooperative's owner, with the way to reach the OCOP office if it was not them.
The rest of the profile needs no password. A cooperative with no bank account takes cash on
delivery only (marketplace.checkout.pays_by_transfer).
"""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from core import audit
from core.accounts import WrongPassword
from core.db import after_commit, write_transaction
from core.extensions import db
from core.models import User, utcnow
from core.notifications import Recipient, notify
from core.text import fold, nfc, normalise_phone
from core.uploads import PreparedImage, delete_stored, store_image
from marketplace.models import Cooperative
from payments.banks import bank_name

BANK_CHANGED_EVENT = "cooperative.bank_changed"
ACCOUNT_DIGITS = (6, 19)  # the shortest and longest account numbers Vietnamese banks give
# What a bank prints as the holder: capitals without diacritics, digits, a little punctuation.
HOLDER_PATTERN = re.compile(r"[A-Z0-9 .,&()/-]+")
_ACCOUNT_SEPARATORS = re.compile(r"[\s.\-]")


class PasswordRequired(ValueError):
    """The bank account changes, and the current password was not typed."""


def account_number(text: str | None) -> str:
    """An account number as people copy it ('7700 205 123456', '7700-205-123456'): its
    characters without the spaces, dots and dashes between groups."""
    return _ACCOUNT_SEPARATORS.sub("", text or "")


def is_account_number(text: str) -> bool:
    low, high = ACCOUNT_DIGITS
    return text.isascii() and text.isdigit() and low <= len(text) <= high


def holder_name(text: str | None) -> str:
    """The account holder as banks print it: 'Nguyễn Văn Đức' -> 'NGUYEN VAN DUC'."""
    return fold(text).upper()


@dataclass(frozen=True)
class BankAccount:
    """Where VietQR transfers go; all empty when the cooperative takes no transfers."""

    bin: str = ""
    number: str = ""
    holder: str = ""

    @classmethod
    def of(cls, cooperative: Cooperative) -> "BankAccount":
        """As stored (the holder as banks print it, so an old spelling is no change)."""
        return cls(
            cooperative.bank_bin or "",
            cooperative.bank_account or "",
            holder_name(cooperative.bank_account_name),
        )

    @property
    def given(self) -> bool:
        return bool(self.bin and self.number)

    @property
    def last_digits(self) -> str:
        return self.number[-4:]

    def describe(self) -> str:
        """For the audit log: the bank and the last digits, never the whole number."""
        if not self.given:
            return "none"
        return f"{bank_name(self.bin)} ({self.bin}) …{self.last_digits} {self.holder}"


@dataclass(frozen=True)
class ShopDetails:
    story: str
    pickup_address: str
    phone: str
    zalo_phone: str
    story_en: str = ""  # "" where the cooperative wrote no English
    brand: str = ""  # the registered brand; "" where it has none


def save_profile(
    cooperative_id: int,
    actor_id: int,
    details: ShopDetails,
    bank: BankAccount,
    password: str,
    *,
    logo: PreparedImage | None = None,
    remove_logo: bool = False,
    upload_folder: str,
    office: dict,
) -> bool:
    """Save the profile in one change; True when the bank account changed.

    A new bank account (or none, where there was one) needs the actor's current password:
    PasswordRequired or WrongPassword, and nothing at all is saved. The cooperative's row is
    locked first, so the same form sent twice compares with what the first one saved and
    changes the account, logs it and tells the owner once. A new logo replaces the old one,
    whose files go once the change is committed.
    """
    stored = store_image(logo, upload_folder) if logo else None
    try:
        with write_transaction():
            cooperative = db.session.get(
                Cooperative, cooperative_id, with_for_update=True, populate_existing=True
            )
            before = BankAccount.of(cooperative)
            changed = bank != before
            if changed:
                _check_password(actor_id, password)
            _write_details(cooperative, details)
            if stored or remove_logo:
                _replace_logo(cooperative, stored, upload_folder)
            if changed:
                _write_bank(cooperative, bank)
                audit.record(
                    actor_id,
                    BANK_CHANGED_EVENT,
                    "cooperative",
                    cooperative.id,
                    f"{before.describe()} -> {bank.describe()}",
                )
                _tell_bank_changed(cooperative, bank, office)
    except BaseException:
        if stored:
            delete_stored(stored, upload_folder)
        raise
    db.session.refresh(cooperative)
    return changed


def _check_password(actor_id: int, password: str) -> None:
    if not password:
        raise PasswordRequired()
    user = db.session.get(User, actor_id)
    if user is None or not user.check_password(password):
        raise WrongPassword()


def _write_details(cooperative: Cooperative, details: ShopDetails) -> None:
    cooperative.story = nfc(details.story).strip()
    cooperative.story_en = nfc(details.story_en).strip()
    cooperative.pickup_address = nfc(details.pickup_address).strip()
    cooperative.brand = " ".join(nfc(details.brand).split())
    cooperative.phone = normalise_phone(details.phone) or ""
    cooperative.zalo_phone = normalise_phone(details.zalo_phone) or ""


def _replace_logo(cooperative: Cooperative, stored: str | None, upload_folder: str) -> None:
    old = cooperative.logo_path
    cooperative.logo_path = stored
    if old and old != stored:
        after_commit(lambda: delete_stored(old, upload_folder))


def _write_bank(cooperative: Cooperative, bank: BankAccount) -> None:
    cooperative.bank_bin = bank.bin or None
    cooperative.bank_account = bank.number or None
    cooperative.bank_account_name = bank.holder or None


def _tell_bank_changed(cooperative: Cooperative, bank: BankAccount, office: dict) -> None:
    owner = cooperative.owner
    if owner is None:
        return
    notify(
        BANK_CHANGED_EVENT,
        Recipient.of(owner),
        "bank_changed",
        _l("Tài khoản nhận tiền đã thay đổi"),
        cooperative=cooperative,
        bank=bank_name(bank.bin) if bank.given else "",
        last_digits=bank.last_digits,
        changed_at=utcnow(),
        office=office,
    )
