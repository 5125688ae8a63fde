"""Vietnam's 34 province-level units since the 2025 reorganisation (Hậu Giang is now part of
Cần Thơ), and the region each belongs to for delivery fees."""

SAME_PROVINCE = "Cần Thơ"
MEKONG_DELTA = ("Cần Thơ", "An Giang", "Cà Mau", "Đồng Tháp", "Vĩnh Long")

PROVINCES = (
    "An Giang", "Bắc Ninh", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng", "Đắk Lắk",
    "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Nội", "Hà Tĩnh", "Hải Phòng",
    "Huế", "Hưng Yên", "Khánh Hòa", "Lai Châu", "Lạng Sơn", "Lào Cai", "Lâm Đồng",
    "Nghệ An", "Ninh Bình", "Phú Thọ", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sơn La",
    "Tây Ninh", "Thái Nguyên", "Thanh Hóa", "TP Hồ Chí Minh", "Tuyên Quang", "Vĩnh Long",
)  # fmt: skip


def delivery_region(province: str) -> str:
    if province == SAME_PROVINCE:
        return "same_province"
    if province in MEKONG_DELTA:
        return "mekong"
    return "elsewhere"
