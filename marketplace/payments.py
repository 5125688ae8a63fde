"""Bank transfer details of an order: the VietQR code and the same details as text."""

from dataclasses import dataclass

from marketplace.labels import BANK_NAMES
from marketplace.models import Order
from marketplace.vietqr import payload, qr_svg, transfer_purpose


@dataclass(frozen=True)
class BankTransfer:
    bank: str
    account: str
    holder: str
    purpose: str
    payload: str
    svg: str


def transfer_for(order: Order) -> BankTransfer | None:
    """None when the cooperative has not given its bank account."""
    cooperative = order.cooperative
    if not (cooperative.bank_bin and cooperative.bank_account):
        return None
    purpose = transfer_purpose(order.code)
    data = payload(cooperative.bank_bin, cooperative.bank_account, order.total, purpose)
    return BankTransfer(
        bank=BANK_NAMES.get(cooperative.bank_bin, cooperative.bank_bin),
        account=cooperative.bank_account,
        holder=cooperative.bank_account_name or cooperative.name,
        purpose=purpose,
        payload=data,
        svg=qr_svg(data, title=f"VietQR {order.code}"),
    )
