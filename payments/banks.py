"""The banks a VietQR transfer can go to: the NAPAS member banks, each with its six-digit BIN
(the bank's code in the VietQR payload, payments.vietqr), the short name people know it by
and its full Vietnamese name.

Source: the bank list NAPAS publishes for VietQR, as served by https://api.vietqr.io/v2/banks
(fields `bin`, `shortName`, `name`). Written out here, not fetched: the site must not depend on
that API being up. Only banks whose BIN is certain are listed; a bank that is missing is
added here, with its BIN from that list. Banks rename (LienVietPostBank is LPBank, Viet
Capital Bank is BVBank): the BIN stays, so a stored account keeps working when a name changes.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bank:
    bin: str  # six digits, NAPAS's code of the bank
    short_name: str  # what people call it, what the transfer details show
    name: str  # the full Vietnamese name

    @property
    def label(self) -> str:
        """As a choice in a list: 'Agribank (970405) – Ngân hàng Nông nghiệp …'."""
        return f"{self.short_name} ({self.bin}) – {self.name}"


BANKS = (
    Bank("970436", "Vietcombank", "Ngân hàng TMCP Ngoại thương Việt Nam"),
    Bank("970415", "VietinBank", "Ngân hàng TMCP Công thương Việt Nam"),
    Bank("970418", "BIDV", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam"),
    Bank("970405", "Agribank", "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam"),
    Bank("970422", "MB", "Ngân hàng TMCP Quân đội"),
    Bank("970407", "Techcombank", "Ngân hàng TMCP Kỹ thương Việt Nam"),
    Bank("970416", "ACB", "Ngân hàng TMCP Á Châu"),
    Bank("970403", "Sacombank", "Ngân hàng TMCP Sài Gòn Thương Tín"),
    Bank("970432", "VPBank", "Ngân hàng TMCP Việt Nam Thịnh Vượng"),
    Bank("970423", "TPBank", "Ngân hàng TMCP Tiên Phong"),
    Bank("970437", "HDBank", "Ngân hàng TMCP Phát triển Thành phố Hồ Chí Minh"),
    Bank("970441", "VIB", "Ngân hàng TMCP Quốc tế Việt Nam"),
    Bank("970443", "SHB", "Ngân hàng TMCP Sài Gòn – Hà Nội"),
    Bank("970440", "SeABank", "Ngân hàng TMCP Đông Nam Á"),
    Bank("970448", "OCB", "Ngân hàng TMCP Phương Đông"),
    Bank("970426", "MSB", "Ngân hàng TMCP Hàng Hải Việt Nam"),
    Bank("970431", "Eximbank", "Ngân hàng TMCP Xuất Nhập khẩu Việt Nam"),
    Bank("970449", "LPBank", "Ngân hàng TMCP Lộc Phát Việt Nam"),
    Bank("970428", "Nam A Bank", "Ngân hàng TMCP Nam Á"),
    Bank("970425", "ABBANK", "Ngân hàng TMCP An Bình"),
    Bank("970409", "Bac A Bank", "Ngân hàng TMCP Bắc Á"),
    Bank("970427", "VietABank", "Ngân hàng TMCP Việt Á"),
    Bank("970412", "PVcomBank", "Ngân hàng TMCP Đại Chúng Việt Nam"),
    Bank("970438", "BaoViet Bank", "Ngân hàng TMCP Bảo Việt"),
    Bank("970452", "KienlongBank", "Ngân hàng TMCP Kiên Long"),
    Bank("970419", "NCB", "Ngân hàng TMCP Quốc Dân"),
    Bank("970400", "Saigonbank", "Ngân hàng TMCP Sài Gòn Công Thương"),
    Bank("970429", "SCB", "Ngân hàng TMCP Sài Gòn"),
    Bank("970454", "BVBank", "Ngân hàng TMCP Bản Việt (Viet Capital Bank)"),
    Bank("970433", "VietBank", "Ngân hàng TMCP Việt Nam Thương Tín"),
    Bank("970430", "PGBank", "Ngân hàng TMCP Thịnh vượng và Phát triển"),
    Bank("970446", "Co-opBank", "Ngân hàng Hợp tác xã Việt Nam"),
    Bank("546034", "CAKE", "Ngân hàng số CAKE by VPBank"),
    Bank("963388", "Timo", "Ngân hàng số Timo by Bản Việt Bank"),
    Bank("546035", "Ubank", "Ngân hàng số Ubank by VPBank"),
    Bank("970408", "GPBank", "Ngân hàng Thương mại TNHH MTV Dầu Khí Toàn Cầu"),
    Bank("970414", "Oceanbank", "Ngân hàng Thương mại TNHH MTV Đại Dương"),
    Bank("422589", "CIMB", "Ngân hàng TNHH MTV CIMB Việt Nam"),
    Bank("970424", "Shinhan Bank", "Ngân hàng TNHH MTV Shinhan Việt Nam"),
    Bank("970457", "Woori", "Ngân hàng TNHH MTV Woori Việt Nam"),
    Bank("458761", "HSBC", "Ngân hàng TNHH MTV HSBC (Việt Nam)"),
    Bank("970410", "Standard Chartered", "Ngân hàng TNHH MTV Standard Chartered Bank Việt Nam"),
    Bank("970458", "UOB", "Ngân hàng TNHH MTV United Overseas Bank (Việt Nam)"),
    Bank("970439", "Public Bank", "Ngân hàng TNHH MTV Public Việt Nam"),
    Bank("970442", "Hong Leong", "Ngân hàng TNHH MTV Hong Leong Việt Nam"),
    Bank("970434", "Indovina", "Ngân hàng TNHH Indovina"),
    Bank("970421", "VRB", "Ngân hàng Liên doanh Việt – Nga"),
)

BY_BIN = {bank.bin: bank for bank in BANKS}


def bank_of(bank_bin: str | None) -> Bank | None:
    return BY_BIN.get(bank_bin or "")


def bank_name(bank_bin: str | None) -> str:
    """The bank's short name, or the BIN itself for a bank not in the list."""
    bank = bank_of(bank_bin)
    return bank.short_name if bank else (bank_bin or "")


def by_short_name() -> list[Bank]:
    """The banks in the order a person looks for one: by short name."""
    return sorted(BANKS, key=lambda bank: bank.short_name.casefold())
