"""Hậu Giang's district-level units and communes (DOMAIN.md), as seeded for the site.

The eight district-level units are official; the communes are those named in DOMAIN.md plus
other real communes of each unit, not the full list of 75.
"""

# (name, kind, communes)
HAU_GIANG = [
    ("TP Vị Thanh", "city", ["Xã Hỏa Tiến", "Xã Hỏa Lựu", "Xã Tân Tiến", "Xã Vị Tân", "Phường V"]),
    ("TP Ngã Bảy", "city", ["Phường Ngã Bảy", "Phường Hiệp Thành", "Xã Đại Thành", "Xã Tân Thành"]),
    ("TX Long Mỹ", "town", ["Xã Long Phú", "Xã Long Bình", "Phường Thuận An", "Xã Long Trị"]),
    (
        "Huyện Châu Thành",
        "district",
        ["Xã Đông Phước", "Xã Phú Hữu", "Xã Đông Thạnh", "Thị trấn Ngã Sáu"],
    ),
    (
        "Huyện Châu Thành A",
        "district",
        ["Thị trấn Cái Tắc", "Xã Tân Hòa", "Xã Thạnh Xuân", "Xã Tân Phú Thạnh"],
    ),
    (
        "Huyện Phụng Hiệp",
        "district",
        ["Xã Phương Bình", "Xã Thạnh Hòa", "Xã Tân Bình", "Thị trấn Cây Dương"],
    ),
    (
        "Huyện Vị Thủy",
        "district",
        ["Xã Vị Thủy", "Xã Vị Thanh", "Xã Vĩnh Thuận Tây", "Thị trấn Nàng Mau"],
    ),
    (
        "Huyện Long Mỹ",
        "district",
        ["Xã Vĩnh Viễn A", "Xã Thuận Hòa", "Xã Lương Tâm", "Xã Xà Phiên"],
    ),
]
