"""Names of the fairs' fixed choices, in Vietnamese (translated where shown)."""

from core.labels import N_

BOOTH_REQUEST_STATUS_NAMES = {
    "requested": N_("Chờ duyệt"),
    "approved": N_("Đã duyệt"),
    "rejected": N_("Bị từ chối"),
    "cancelled": N_("Đã hủy"),
}
