"""Bank transfer details of an order: the VietQR code and the same details as text.

The transfer's text is the payable's reference with its check letter (payments.references),
so the bank notice that comes back can be matched to it (payments.matching).
"""

from dataclasses import dataclass

from sqlalchemy import and_, func

from payments.banks import bank_name
from payments.references import reference_for
from payments.vietqr import payload, qr_svg


@dataclass(frozen=True)
class BankTransfer:
    bank: str
    account: str
    holder: str
    purpose: str
    amount: int
    payload: str
    code: str

    @property
    def svg(self) -> str:
        """The QR as inline SVG, made when asked for (segno takes tens of milliseconds)."""
        return qr_svg(self.payload, title=f"VietQR {self.code}")


def takes_transfers(payee) -> bool:
    """The payee (a cooperative) gave a bank account: what it sells can be paid by transfer."""
    return bool(payee.bank_bin and payee.bank_account)


def takes_transfers_clause(payee_model):
    """takes_transfers as SQL, for a query that joins the payee's table."""
    return and_(
        func.coalesce(payee_model.bank_bin, "") != "",
        func.coalesce(payee_model.bank_account, "") != "",
    )


def transfer_to(payee, code: str, amount: int) -> BankTransfer | None:
    """The transfer of `amount` to the payee (a cooperative, with its bank_bin, bank_account
    and bank_account_name) for the payable `code`; None when the payee gave no bank account."""
    if not takes_transfers(payee) or amount <= 0:
        return None
    purpose = reference_for(code)
    data = payload(payee.bank_bin, payee.bank_account, amount, purpose)
    return BankTransfer(
        bank=bank_name(payee.bank_bin),
        account=payee.bank_account,
        holder=payee.bank_account_name or payee.name,
        purpose=purpose,
        amount=amount,
        payload=data,
        code=code,
    )


def transfer_for(order) -> BankTransfer | None:
    """What the order's buyer still has to transfer (all of it, or the rest of a part paid)."""
    return transfer_to(order.cooperative, order.code, order.total - order.paid_amount)
