"""Marking strings for translation where they are defined, translating where they are shown.

`N_` only marks a Vietnamese string for extraction (babel.cfg lists it as a keyword); the
template or view passes it through `_` when it shows it, so the same dict serves search
(Vietnamese) and display (the reader's language).
"""


def N_(text: str) -> str:  # noqa: N802 - the conventional name for a no-op gettext marker
    return text


ROLE_NAMES = {
    "buyer": N_("Người mua"),
    "cooperative": N_("Hợp tác xã / cơ sở sản xuất"),
    "admin": N_("Văn phòng OCOP (quản trị)"),
}

MESSAGE_STATUS_NAMES = {
    "queued": N_("Chờ gửi"),
    "retrying": N_("Đang thử lại"),
    "sent": N_("Đã gửi"),
    "failed": N_("Gửi lỗi"),
}

CHANNEL_NAMES = {"mail": N_("Thư điện tử"), "zalo": N_("Zalo")}
