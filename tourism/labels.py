"""Names of tourism's fixed choices, in Vietnamese (translated where shown)."""

from core.labels import N_

KIND_NAMES = {
    "homestay": N_("Homestay"),
    "tour": N_("Tour"),
    "experience": N_("Trải nghiệm nhà vườn"),
}

BOOKING_STATUS_NAMES = {
    "awaiting_deposit": N_("Chờ đặt cọc"),
    "requested": N_("Chờ chủ nhà xác nhận"),
    "confirmed": N_("Đã xác nhận"),
    "completed": N_("Đã hoàn thành"),
    "cancelled": N_("Đã hủy"),
    "declined": N_("Chủ nhà từ chối"),
    "expired": N_("Hết hạn đặt cọc"),
}

DAY_STATE_NAMES = {
    "past": N_("Đã qua"),
    "closed": N_("Đóng"),
    "full": N_("Hết chỗ"),
    "few": N_("Sắp hết"),
    "free": N_("Còn chỗ"),
    "ahead": N_("Chưa nhận đặt"),  # beyond the booking horizon (tourism.picker)
}

DEPOSIT_KIND_NAMES = {
    "none": N_("Không cần đặt cọc"),
    "percent": N_("Phần trăm tổng tiền"),
    "fixed": N_("Số tiền cố định"),
}
