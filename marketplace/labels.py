"""Names of the marketplace's fixed choices, in Vietnamese (translated where shown)."""

from core.labels import N_

GROUP_NAMES = {
    "food": N_("Thực phẩm"),
    "beverage": N_("Đồ uống"),
    "herbal": N_("Thảo dược"),
    "handicraft": N_("Thủ công mỹ nghệ"),
    "ornamental": N_("Sinh vật cảnh"),
    "tourism": N_("Du lịch cộng đồng"),
}

COOPERATIVE_KIND_NAMES = {
    "cooperative": N_("Hợp tác xã"),
    "enterprise": N_("Doanh nghiệp"),
    "household": N_("Hộ sản xuất"),
}

UNIT_NAMES = {
    "kg": N_("kg"),
    "trái": N_("trái"),
    "hộp": N_("hộp"),
    "chai": N_("chai"),
    "túi": N_("túi"),
    "gói": N_("gói"),
    "hũ": N_("hũ"),
    "cái": N_("cái"),
    "bộ": N_("bộ"),
    "chậu": N_("chậu"),
}

CRITERIA_NAMES = {
    "1048": N_("Quyết định 1048/QĐ-TTg (2019)"),
    "148": N_("Quyết định 148/QĐ-TTg (2023)"),
}

COUNCIL_NAMES = {
    "district": N_("Hội đồng cấp huyện"),
    "province": N_("Hội đồng cấp tỉnh"),
    "central": N_("Hội đồng cấp Trung ương"),
}

ORDER_STATUS_NAMES = {
    "pending": N_("Chờ xác nhận"),
    "confirmed": N_("Đã xác nhận"),
    "shipping": N_("Đang giao"),
    "delivered": N_("Đã giao"),
    "cancelled": N_("Đã hủy"),
    "paid": N_("Đã thanh toán"),
    "received": N_("Người mua đã nhận hàng"),  # an event (confirm_receipt), not a status
}

LOT_STATUS_NAMES = {
    "selling": N_("Đang bán"),
    "expired": N_("Hết hạn"),
    "recalled": N_("Đã thu hồi"),
}

PAYMENT_NAMES = {
    "cod": N_("Trả tiền mặt khi nhận hàng (COD)"),
    "vietqr": N_("Chuyển khoản VietQR"),
}
