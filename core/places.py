"""Hậu Giang's district-level units and communes, as seeded for the site.

The eight district-level units are official; the communes are those named in the sources plus
other real communes of each unit, not the full list of 75.

Each has its English display name, as English guidebooks write it: the proper name keeps its
Vietnamese diacritics and the unit's kind comes after it in English ("Phụng Hiệp District",
"Hỏa Tiến Commune", "Ngã Sáu Township"); numbered wards read "Ward V".
"""

# (name, English name, kind, [(commune, English name), …])
HAU_GIANG = [
    (
        "TP Vị Thanh",
        "Vị Thanh City",
        "city",
        [
            ("Xã Hỏa Tiến", "Hỏa Tiến Commune"),
            ("Xã Hỏa Lựu", "Hỏa Lựu Commune"),
            ("Xã Tân Tiến", "Tân Tiến Commune"),
            ("Xã Vị Tân", "Vị Tân Commune"),
            ("Phường V", "Ward V"),
        ],
    ),
    (
        "TP Ngã Bảy",
        "Ngã Bảy City",
        "city",
        [
            ("Phường Ngã Bảy", "Ngã Bảy Ward"),
            ("Phường Hiệp Thành", "Hiệp Thành Ward"),
            ("Xã Đại Thành", "Đại Thành Commune"),
            ("Xã Tân Thành", "Tân Thành Commune"),
        ],
    ),
    (
        "TX Long Mỹ",
        "Long Mỹ Town",
        "town",
        [
            ("Xã Long Phú", "Long Phú Commune"),
            ("Xã Long Bình", "Long Bình Commune"),
            ("Phường Thuận An", "Thuận An Ward"),
            ("Xã Long Trị", "Long Trị Commune"),
        ],
    ),
    (
        "Huyện Châu Thành",
        "Châu Thành District",
        "district",
        [
            ("Xã Đông Phước", "Đông Phước Commune"),
            ("Xã Phú Hữu", "Phú Hữu Commune"),
            ("Xã Đông Thạnh", "Đông Thạnh Commune"),
            ("Thị trấn Ngã Sáu", "Ngã Sáu Township"),
        ],
    ),
    (
        "Huyện Châu Thành A",
        "Châu Thành A District",
        "district",
        [
            ("Thị trấn Cái Tắc", "Cái Tắc Township"),
            ("Xã Tân Hòa", "Tân Hòa Commune"),
            ("Xã Thạnh Xuân", "Thạnh Xuân Commune"),
            ("Xã Tân Phú Thạnh", "Tân Phú Thạnh Commune"),
        ],
    ),
    (
        "Huyện Phụng Hiệp",
        "Phụng Hiệp District",
        "district",
        [
            ("Xã Phương Bình", "Phương Bình Commune"),
            ("Xã Thạnh Hòa", "Thạnh Hòa Commune"),
            ("Xã Tân Bình", "Tân Bình Commune"),
            ("Thị trấn Cây Dương", "Cây Dương Township"),
        ],
    ),
    (
        "Huyện Vị Thủy",
        "Vị Thủy District",
        "district",
        [
            ("Xã Vị Thủy", "Vị Thủy Commune"),
            ("Xã Vị Thanh", "Vị Thanh Commune"),
            ("Xã Vĩnh Thuận Tây", "Vĩnh Thuận Tây Commune"),
            ("Thị trấn Nàng Mau", "Nàng Mau Township"),
        ],
    ),
    (
        "Huyện Long Mỹ",
        "Long Mỹ District",
        "district",
        [
            ("Xã Vĩnh Viễn A", "Vĩnh Viễn A Commune"),
            ("Xã Thuận Hòa", "Thuận Hòa Commune"),
            ("Xã Lương Tâm", "Lương Tâm Commune"),
            ("Xã Xà Phiên", "Xà Phiên Commune"),
        ],
    ),
]
