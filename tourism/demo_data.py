"""Demo listings of Hậu Giang's community tourism project (plan 1939/QĐ-UBND).

The places are real; hosts' offers, prices (homestay rooms about 400,000–700,000 VND a
night), times and capacities are plausible demo values (approx.).
"""

# the host cooperative's slug (seeded by marketplace.demo before the listings):
# (host, kind, title, title_en, district, commune, price, capacity, max_guests, start, minutes,
#  meeting point, description, description_en, included, included_en, languages, free days,
#  late fee %, instant, picture, product slugs)
LISTINGS = [
    (
        "htx-khom-cau-duc-hoa-tien",
        "tour",
        "Tour cánh đồng khóm Cầu Đúc",
        "Cầu Đúc pineapple fields tour",
        "TP Vị Thanh",
        "Xã Hỏa Tiến",
        150_000,
        20,
        10,
        "07:30",
        180,
        "Nhà văn hóa ấp Thạnh Thắng, xã Hỏa Tiến",
        "Đi giữa những luống khóm dọc sông Cái Lớn, nghe nông dân kể chuyện trồng khóm từ năm 1930, "
        "tự tay cắt khóm, ăn khóm tươi và mứt khóm tại vườn.",
        "Walk the pineapple rows along the Cái Lớn river, hear how farmers have grown pineapple here "
        "since about 1930, cut your own fruit and taste fresh pineapple and pineapple jam.",
        "Hướng dẫn viên địa phương, khóm tươi, nước uống",
        "Local guide, fresh pineapple, drinks",
        "Tiếng Việt, English",
        3,
        50,
        True,
        "pineapple-field",
        ["khom-cau-duc", "mut-khom-cau-duc", "siro-khom-cau-duc"],
    ),
    (
        "htx-khom-cau-duc-hoa-tien",
        "homestay",
        "Homestay làng khóm Hỏa Tiến",
        "Hỏa Tiến pineapple village homestay",
        "TP Vị Thanh",
        "Xã Hỏa Tiến",
        450_000,
        4,
        2,
        None,
        None,
        "",
        "Nhà vườn giữa làng khóm, bốn phòng quạt có mùng, bữa sáng với bánh xèo và khóm tươi.",
        "A garden house in the pineapple village: four fan rooms with mosquito nets, breakfast with "
        "bánh xèo and fresh pineapple.",
        "Bữa sáng, xe đạp",
        "Breakfast, bicycles",
        "Tiếng Việt",
        5,
        50,
        False,
        "homestay",
        ["khom-cau-duc"],
    ),
    (
        "htx-buoi-nam-roi-hiep-thanh",
        "homestay",
        "Homestay Mương Đình",
        "Mương Đình homestay",
        "TP Ngã Bảy",
        "Phường Hiệp Thành",
        550_000,
        5,
        3,
        None,
        None,
        "",
        "Homestay ven mương giữa vườn bưởi Năm Roi, gần chợ nổi Ngã Bảy; chủ nhà chèo xuồng đưa "
        "khách ra chợ lúc bình minh.",
        "A canal-side homestay among Năm Roi pomelo gardens near the Ngã Bảy floating market; the "
        "hosts paddle you to the market at dawn.",
        "Bữa sáng, xuồng ba lá ra chợ",
        "Breakfast, rowing boat to the market",
        "Tiếng Việt, English",
        3,
        50,
        False,
        "homestay",
        ["buoi-nam-roi-hiep-thanh"],
    ),
    (
        "htx-buoi-nam-roi-hiep-thanh",
        "tour",
        "Chợ nổi Ngã Bảy lúc bình minh",
        "Ngã Bảy floating market at dawn",
        "TP Ngã Bảy",
        "Phường Ngã Bảy",
        250_000,
        12,
        6,
        "05:30",
        150,
        "Bến đò Ngã Bảy",
        "Chợ nổi họp từ khoảng năm 1915 nơi bảy dòng sông gặp nhau. Đi ghe giữa những thuyền bán "
        "trái cây, ăn hủ tiếu trên sông.",
        "The floating market has met here since about 1915, where seven rivers meet. Ride a boat "
        "between the fruit sellers and eat noodle soup on the water.",
        "Ghe, áo phao, hủ tiếu",
        "Boat, life jacket, noodle soup",
        "Tiếng Việt, English",
        2,
        100,
        True,
        "floating-market",
        ["buoi-nam-roi-hiep-thanh"],
    ),
    (
        "co-so-mat-ong-tram-phuong-binh",
        "tour",
        "Khám phá khu bảo tồn Lung Ngọc Hoàng",
        "Lung Ngọc Hoàng nature reserve trip",
        "Huyện Phụng Hiệp",
        "Xã Phương Bình",
        300_000,
        15,
        8,
        "06:30",
        300,
        "Cổng khu bảo tồn, xã Phương Bình",
        "Khoảng 2.800 ha rừng tràm và đầm lầy, xuồng len lỏi ngắm chim, ghé trại ong lấy mật tràm.",
        "About 2,800 ha of melaleuca forest and wetland: glide by boat to watch birds and visit a "
        "beekeeper's melaleuca honey camp.",
        "Xuồng, hướng dẫn viên, bữa trưa",
        "Boat, guide, lunch",
        "Tiếng Việt",
        3,
        50,
        False,
        "nature-reserve",
        ["mat-ong-tram-lung-ngoc-hoang"],
    ),
    (
        "htx-chanh-khong-hat-dong-phuoc",
        "experience",
        "Một ngày ở vườn chanh không hạt",
        "A day in a seedless-lime garden",
        "Huyện Châu Thành",
        "Xã Đông Phước",
        120_000,
        20,
        10,
        "08:00",
        180,
        "Cổng HTX, xã Đông Phước",
        "Hái chanh, học cách đóng khay chanh không hạt, uống nước chanh mật ong và mua chanh giá vườn.",
        "Pick limes, learn how seedless limes are packed in trays, drink lime juice with honey and buy "
        "limes at farm-gate prices.",
        "Nước chanh, một khay chanh mang về",
        "Lime juice, a tray of limes to take home",
        "Tiếng Việt",
        2,
        50,
        True,
        "lime-garden",
        ["chanh-khong-hat-dong-khay"],
    ),
    (
        "htx-ky-nhu",
        "experience",
        "Thăm trại cá thát lát Kỳ Như",
        "Visit the Kỳ Như featherback farm",
        "Huyện Phụng Hiệp",
        "Xã Thạnh Hòa",
        100_000,
        15,
        8,
        "09:00",
        120,
        "HTX Kỳ Như, xã Thạnh Hòa",
        "Cho cá thát lát ăn, xem quết chả cá bằng tay và thưởng thức chả cá chiên nóng.",
        "Feed the featherback fish, watch fish cakes pounded by hand and taste them hot from the pan.",
        "Chả cá chiên, nước uống",
        "Fried fish cakes, drinks",
        "Tiếng Việt",
        2,
        50,
        False,
        "fish-farm",
        ["ca-that-lat-rut-xuong-tam-gia-vi", "cha-ca-that-lat"],
    ),
    (
        "trang-trai-de-ngoc-dao",
        "experience",
        "Trang trại dê Ngọc Đào",
        "Ngọc Đào goat farm",
        "Huyện Châu Thành A",
        "Xã Thạnh Xuân",
        80_000,
        25,
        10,
        "08:30",
        120,
        "Trang trại Ngọc Đào",
        "Cho dê ăn, vắt sữa dê cùng chủ trại và nếm sữa chua dê làm tại chỗ.",
        "Feed the goats, milk one with the farmer and taste goat yogurt made on the farm.",
        "Sữa dê, sữa chua",
        "Goat milk, yogurt",
        "Tiếng Việt",
        1,
        100,
        True,
        "goat-farm",
        ["sua-de-ngoc-dao"],
    ),
    (
        "htx-mit-thai-dong-thanh",
        "homestay",
        "Nhà vườn mít và bưởi Châu Thành",
        "Jackfruit and pomelo garden house",
        "Huyện Châu Thành",
        "Xã Đông Thạnh",
        400_000,
        3,
        2,
        None,
        None,
        "",
        "Ngủ giữa vườn mít ruột đỏ và bưởi, sáng đạp xe dọc sông Hậu.",
        "Sleep among red jackfruit and pomelo trees; cycle along the Hậu river in the morning.",
        "Bữa sáng, trái cây vườn",
        "Breakfast, garden fruit",
        "Tiếng Việt",
        3,
        30,
        False,
        "homestay",
        ["mit-thai-ruot-do"],
    ),
    (
        "co-so-kho-ca-vinh-vien-a",
        "tour",
        "Xuồng trên kênh Xà No",
        "Boat along the Xà No canal",
        "Huyện Long Mỹ",
        "Xã Vĩnh Viễn A",
        180_000,
        10,
        6,
        "15:30",
        120,
        "Bến xuồng Vĩnh Viễn",
        "Xuôi kênh Xà No lúc chiều, ghé nhà làm khô cá và mắm cá lóc.",
        "Drift along the Xà No canal in the afternoon and stop at a family making dried fish and "
        "fermented snakehead fish.",
        "Xuồng, nước uống",
        "Boat, drinks",
        "Tiếng Việt",
        2,
        50,
        False,
        "canal",
        ["kho-ca-loc-vinh-vien"],
    ),
]

# What a guest needs to find each place (tourism.practical), by the listing's title: the full
# address, its coordinates (approx., from the map; a few hundred metres off at most), how to
# get there in both languages, what to bring, and a stay's check-in and check-out times. The
# phone and Zalo are the host cooperative's (the listing's own are left empty).
PRACTICAL = {
    "Tour cánh đồng khóm Cầu Đúc": {
        "address": "Nhà văn hóa ấp Thạnh Thắng, xã Hỏa Tiến, TP Vị Thanh, Hậu Giang",
        "latitude": 9.7812,
        "longitude": 105.4713,
        "directions": "Từ trung tâm TP Vị Thanh theo quốc lộ 61 hướng Cần Thơ khoảng 7 km, rẽ "
        "phải vào đường về xã Hỏa Tiến, theo biển “Nhà văn hóa ấp Thạnh Thắng”. Có chỗ gửi xe "
        "máy và ô tô trước nhà văn hóa.",
        "directions_en": "From central Vị Thanh take National Road 61 towards Cần Thơ for about "
        "7 km, turn right onto the road to Hỏa Tiến commune and follow the signs to the Thạnh "
        "Thắng hamlet community hall. Motorbikes and cars park in front of the hall.",
        "what_to_bring": "Nón, kem chống nắng, giày kín mũi (lá khóm có gai), áo dài tay",
        "what_to_bring_en": "A hat, sun cream, closed shoes (pineapple leaves are spiky), "
        "long sleeves",
    },
    "Homestay làng khóm Hỏa Tiến": {
        "address": "Ấp Thạnh Thắng, xã Hỏa Tiến, TP Vị Thanh, Hậu Giang",
        "latitude": 9.7768,
        "longitude": 105.4671,
        "check_in": "14:00",
        "check_out": "11:00",
        "directions": "Đi như đến nhà văn hóa ấp Thạnh Thắng, qua nhà văn hóa 500 m, nhà vườn "
        "bên trái, cổng có giàn khóm. Gọi chủ nhà để được đón ở quốc lộ 61 nếu đi xe khách.",
        "directions_en": "Go as to the Thạnh Thắng hamlet community hall and 500 m past it: the "
        "garden house is on the left, its gate under a pineapple arch. Coming by bus, call the "
        "host to be picked up on National Road 61.",
        "what_to_bring": "Thuốc chống muỗi, đèn pin, dép đi trong vườn",
        "what_to_bring_en": "Mosquito repellent, a torch, sandals for the garden",
    },
    "Homestay Mương Đình": {
        "address": "Khu vực 4, phường Hiệp Thành, TP Ngã Bảy, Hậu Giang",
        "latitude": 9.8052,
        "longitude": 105.8284,
        "check_in": "14:00",
        "check_out": "12:00",
        "directions": "Từ chợ Ngã Bảy qua cầu Phụng Hiệp, đi đường Hùng Vương khoảng 2 km về "
        "phường Hiệp Thành, rẽ vào đường đal dọc mương; homestay ở cuối đường, có bảng tên.",
        "directions_en": "From Ngã Bảy market cross the Phụng Hiệp bridge and follow Hùng Vương "
        "street about 2 km towards Hiệp Thành ward, then turn onto the concrete lane along the "
        "canal; the homestay is at its end, with a sign.",
        "what_to_bring": "Áo khoác mỏng cho chuyến xuồng sáng sớm, thuốc chống muỗi",
        "what_to_bring_en": "A light jacket for the early boat ride, mosquito repellent",
    },
    "Chợ nổi Ngã Bảy lúc bình minh": {
        "address": "Bến đò Ngã Bảy, phường Ngã Bảy, TP Ngã Bảy, Hậu Giang",
        "latitude": 9.8175,
        "longitude": 105.8196,
        "directions": "Bến đò ở bờ sông cạnh chợ Ngã Bảy, cuối đường Hùng Vương. Gửi xe ở bãi "
        "giữ xe chợ, đi bộ ra bến; hướng dẫn viên đợi dưới bảng “Chợ nổi Ngã Bảy”.",
        "directions_en": "The boat landing is on the riverbank beside Ngã Bảy market, at the end "
        "of Hùng Vương street. Park at the market's car park and walk to the landing; the guide "
        "waits under the “Chợ nổi Ngã Bảy” sign.",
        "what_to_bring": "Áo khoác mỏng, tiền lẻ để mua trái cây trên ghe",
        "what_to_bring_en": "A light jacket, small notes to buy fruit from the boats",
    },
    "Khám phá khu bảo tồn Lung Ngọc Hoàng": {
        "address": "Cổng khu bảo tồn thiên nhiên Lung Ngọc Hoàng, xã Phương Bình, huyện Phụng "
        "Hiệp, Hậu Giang",
        "latitude": 9.7006,
        "longitude": 105.6702,
        "directions": "Từ thị trấn Cây Dương (Phụng Hiệp) theo đường tỉnh về xã Phương Bình "
        "khoảng 15 km, theo biển “Khu bảo tồn thiên nhiên Lung Ngọc Hoàng” đến cổng chính.",
        "directions_en": "From Cây Dương town (Phụng Hiệp) follow the provincial road to Phương "
        "Bình commune for about 15 km, then the signs to the Lung Ngọc Hoàng nature reserve's "
        "main gate.",
        "what_to_bring": "Ống nhòm, thuốc chống muỗi, quần áo màu tối, nước uống",
        "what_to_bring_en": "Binoculars, mosquito repellent, dark clothes, water",
    },
    "Một ngày ở vườn chanh không hạt": {
        "address": "Cổng HTX chanh không hạt, ấp Phú Xuân, xã Đông Phước, huyện Châu Thành, "
        "Hậu Giang",
        "latitude": 9.9413,
        "longitude": 105.8187,
        "directions": "Từ thị trấn Ngã Sáu theo đường về xã Đông Phước khoảng 4 km, hỏi "
        "“HTX chanh không hạt”; cổng HTX có bãi đậu xe.",
        "directions_en": "From Ngã Sáu town follow the road to Đông Phước commune for about "
        "4 km and ask for the seedless-lime cooperative; its gate has a car park.",
        "what_to_bring": "Nón, găng tay làm vườn",
        "what_to_bring_en": "A hat, gardening gloves",
    },
    "Thăm trại cá thát lát Kỳ Như": {
        "address": "HTX Kỳ Như, ấp Thạnh Lợi, xã Thạnh Hòa, huyện Phụng Hiệp, Hậu Giang",
        "latitude": 9.8577,
        "longitude": 105.6612,
        "directions": "Từ quốc lộ 61 rẽ vào đường về xã Thạnh Hòa, theo biển HTX Kỳ Như khoảng "
        "3 km; xe ô tô đậu trong sân HTX.",
        "directions_en": "From National Road 61 turn onto the road to Thạnh Hòa commune and "
        "follow the Kỳ Như cooperative's signs for about 3 km; cars park in its yard.",
        "what_to_bring": "Giày dép chống trơn quanh ao cá",
        "what_to_bring_en": "Non-slip shoes for the fish ponds",
    },
    "Trang trại dê Ngọc Đào": {
        "address": "Trang trại dê Ngọc Đào, xã Thạnh Xuân, huyện Châu Thành A, Hậu Giang",
        "latitude": 9.9584,
        "longitude": 105.6309,
        "directions": "Từ thị trấn Một Ngàn theo quốc lộ 61 khoảng 6 km về xã Thạnh Xuân, "
        "trang trại bên phải đường, có bảng “Trang trại dê Ngọc Đào”.",
        "directions_en": "From Một Ngàn town follow National Road 61 about 6 km to Thạnh Xuân "
        "commune; the farm is on the right, with a “Trang trại dê Ngọc Đào” sign.",
        "what_to_bring": "Quần áo cũ, giày kín mũi",
        "what_to_bring_en": "Old clothes, closed shoes",
    },
    "Nhà vườn mít và bưởi Châu Thành": {
        "address": "Ấp Phú Xuân, xã Đông Thạnh, huyện Châu Thành, Hậu Giang",
        "latitude": 9.9893,
        "longitude": 105.7884,
        "check_in": "13:00",
        "check_out": "11:00",
        "directions": "Từ bến phà cũ Cần Thơ theo đường ven sông Hậu về xã Đông Thạnh khoảng "
        "10 km; gọi chủ nhà khi đến chợ Đông Thạnh để được dẫn vào vườn.",
        "directions_en": "From Cần Thơ follow the road along the Hậu river to Đông Thạnh commune "
        "for about 10 km; call the host at Đông Thạnh market to be shown into the garden.",
        "what_to_bring": "Thuốc chống muỗi, đồ bơi nếu muốn tắm sông",
        "what_to_bring_en": "Mosquito repellent, swimwear for a dip in the river",
    },
    "Xuồng trên kênh Xà No": {
        "address": "Bến xuồng Vĩnh Viễn, xã Vĩnh Viễn A, huyện Long Mỹ, Hậu Giang",
        "latitude": 9.6318,
        "longitude": 105.4021,
        "directions": "Từ TP Vị Thanh theo quốc lộ 61 về hướng Kiên Giang, rẽ trái vào đường "
        "về xã Vĩnh Viễn A; bến xuồng ở chợ Vĩnh Viễn, cạnh cầu.",
        "directions_en": "From Vị Thanh take National Road 61 towards Kiên Giang, turn left onto "
        "the road to Vĩnh Viễn A commune; the boat landing is at Vĩnh Viễn market, by the "
        "bridge.",
        "what_to_bring": "Nón, áo mưa mỏng",
        "what_to_bring_en": "A hat, a light raincoat",
    },
}

# Each meeting point in English (Listing.meeting_point_en), by its Vietnamese text.
MEETING_POINTS_EN = {
    "Nhà văn hóa ấp Thạnh Thắng, xã Hỏa Tiến": "Thạnh Thắng hamlet community hall, Hỏa Tiến "
    "Commune",
    "Bến đò Ngã Bảy": "Ngã Bảy ferry landing",
    "Cổng khu bảo tồn, xã Phương Bình": "The reserve's gate, Phương Bình Commune",
    "Cổng HTX, xã Đông Phước": "The cooperative's gate, Đông Phước Commune",
    "HTX Kỳ Như, xã Thạnh Hòa": "Kỳ Như Cooperative, Thạnh Hòa Commune",
    "Trang trại Ngọc Đào": "Ngọc Đào farm",
    "Bến xuồng Vĩnh Viễn": "Vĩnh Viễn boat landing",
}
