"""Bank transfer details of an order: the VietQR code and the same details as text.

An order here is anything with a `code`, a `total` and the `cooperative` it is paid to (with
its bank_bin, bank_account and bank_account_name): a marketplace order today.
"""

from dataclasses import dataclass

from payments.vietqr import payload, qr_svg, transfer_purpose

BANK_NAMES = {
    "970436": "Vietcombank",
    "970415": "VietinBank",
    "970418": "BIDV",
    "970405": "Agribank",
    "970422": "MB",
    "970407": "Techcombank",
    "970416": "ACB",
    "970403": "Sacombank",
}


@dataclass(frozen=True)
class BankTransfer:
    bank: str
    account: str
    holder: str
    purpose: str
    payload: str
    svg: str


def transfer_for(order) -> BankTransfer | None:
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
