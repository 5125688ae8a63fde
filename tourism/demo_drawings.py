"""The demo listings' pictures: a few drawings for each listing (a stilt house by a canal, a
pineapple field, floating market boats, a room with a mosquito net…), each drawn for its
listing with its own colours and composition, so that no two listings share a picture.

The SVG files are committed under static/img/tourism/listings/; this module draws them again:

    .venv/bin/python -m tourism.demo_drawings

`DRAWINGS` (listing slug -> [(file name, alt text, its English)]) is what `flask seed-demo` gives each
listing (tourism.demo); the drawing is deterministic (a random generator seeded by the name).
"""

import random
from pathlib import Path

FOLDER = "img/tourism/listings"
WIDTH, HEIGHT = 800, 600

SKIES = {
    "dawn": ("#ffd29a", "#ffeeda", "#ffb347"),
    "noon": ("#9fd3f0", "#e6f5fc", "#ffd45c"),
    "dusk": ("#f49c7a", "#fbd8b0", "#ff7a45"),
    "grey": ("#c9d6de", "#eef2f4", "#f4f0e6"),
}


def _sky(kind: str, horizon: int, rng: random.Random) -> str:
    top, bottom, sun = SKIES[kind]
    cx, cy = rng.randint(90, 710), rng.randint(60, max(70, horizon - 80))
    return (
        f'<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" '
        f'stop-color="{top}"/><stop offset="1" stop-color="{bottom}"/></linearGradient></defs>'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#sky)"/>'
        f'<circle cx="{cx}" cy="{cy}" r="{rng.randint(28, 52)}" fill="{sun}" opacity=".9"/>'
        + "".join(
            f'<ellipse cx="{rng.randint(0, WIDTH)}" cy="{rng.randint(30, horizon - 40)}" '
            f'rx="{rng.randint(40, 90)}" ry="{rng.randint(10, 20)}" fill="#fff" opacity=".7"/>'
            for _ in range(rng.randint(1, 3))
        )
    )


def _water(top: int, colour: str, rng: random.Random) -> str:
    ripples = "".join(
        f'<path d="M{x} {y} q15 -6 30 0 t30 0" stroke="#ffffff" stroke-width="3" fill="none" '
        f'opacity=".55"/>'
        for x, y in ((rng.randint(0, 760), rng.randint(top + 15, HEIGHT - 10)) for _ in range(9))
    )
    return f'<rect y="{top}" width="{WIDTH}" height="{HEIGHT - top}" fill="{colour}"/>{ripples}'


def _palm(x: int, base: int, height: int, rng: random.Random, leaf="#3f8f3a") -> str:
    lean = rng.randint(-30, 30)
    top_x, top_y = x + lean, base - height
    leaves = "".join(
        f'<path d="M{top_x} {top_y} q{dx // 2} {-abs(dx) // 3} {dx} {dy}" stroke="{leaf}" '
        f'stroke-width="9" fill="none" stroke-linecap="round"/>'
        for dx, dy in ((-80, 25), (80, 25), (-55, -30), (55, -30), (0, -55), (-95, 55), (95, 55))
    )
    return (
        f'<path d="M{x} {base} Q{x + lean // 3} {base - height // 2} {top_x} {top_y}" '
        f'stroke="#7a5230" stroke-width="11" fill="none"/>{leaves}'
        f'<circle cx="{top_x}" cy="{top_y + 8}" r="9" fill="#8a6a2c"/>'
    )


def _tree(x: int, base: int, size: int, crown: str, fruit: str | None, rng: random.Random) -> str:
    fruits = ""
    if fruit:
        fruits = "".join(
            f'<circle cx="{x + rng.randint(-size // 2, size // 2)}" '
            f'cy="{base - size - rng.randint(-size // 3, size // 2)}" r="{max(4, size // 9)}" '
            f'fill="{fruit}"/>'
            for _ in range(rng.randint(4, 8))
        )
    return (
        f'<rect x="{x - size // 10}" y="{base - size}" width="{size // 5}" height="{size}" '
        f'fill="#6d4a2a"/><circle cx="{x}" cy="{base - size}" r="{size * 2 // 3}" fill="{crown}"/>'
        + fruits
    )


def _house(x: int, base: int, w: int, wall: str, roof: str, stilts: bool) -> str:
    h = w * 6 // 10
    top = base - h - (40 if stilts else 0)
    legs = (
        "".join(
            f'<rect x="{x + i * w // 4}" y="{top + h}" width="8" height="48" fill="#5b3b22"/>'
            for i in range(5)
        )
        if stilts
        else ""
    )
    return (
        f"{legs}"
        f'<rect x="{x}" y="{top}" width="{w}" height="{h}" fill="{wall}"/>'
        f'<path d="M{x - 20} {top} L{x + w // 2} {top - h * 2 // 3} L{x + w + 20} {top}z" '
        f'fill="{roof}"/>'
        f'<rect x="{x + w * 4 // 10}" y="{top + h * 4 // 10}" width="{w // 5}" '
        f'height="{h * 6 // 10}" fill="#7a5230"/>'
        f'<rect x="{x + w // 10}" y="{top + h // 4}" width="{w // 6}" height="{h // 4}" '
        f'fill="#9fd0e6"/>'
        f'<rect x="{x + w * 7 // 10}" y="{top + h // 4}" width="{w // 6}" height="{h // 4}" '
        f'fill="#9fd0e6"/>'
    )


def _boat(x: int, y: int, w: int, hull: str, cargo: str | None, rng: random.Random) -> str:
    load = ""
    if cargo:
        load = "".join(
            f'<circle cx="{x + rng.randint(w // 5, w * 4 // 5)}" cy="{y - rng.randint(4, 22)}" '
            f'r="{rng.randint(8, 13)}" fill="{cargo}"/>'
            for _ in range(rng.randint(6, 11))
        )
    rower = (
        f'<circle cx="{x + w // 8}" cy="{y - 42}" r="9" fill="#8d5b3c"/>'
        f'<path d="M{x + w // 8 - 18} {y - 46} L{x + w // 8} {y - 64} L{x + w // 8 + 18} '
        f'{y - 46}z" fill="#e8d28a"/>'
        f'<rect x="{x + w // 8 - 7}" y="{y - 34}" width="14" height="28" fill="{hull}" '
        f'opacity=".7"/><path d="M{x + w // 8 + 6} {y - 30} L{x - 25} {y + 30}" '
        f'stroke="#5b3b22" stroke-width="5"/>'
    )
    return (
        f"{load}{rower}"
        f'<path d="M{x} {y} L{x + w} {y} L{x + w - 30} {y + 26} L{x + 25} {y + 26}z" '
        f'fill="{hull}"/><rect x="{x + 5}" y="{y - 4}" width="{w - 10}" height="6" fill="#3b2a1a"/>'
    )


# --- scenes: each takes a random generator and a few choices ----------------------------------


def stilt_house_by_canal(rng, sky="noon", wall="#f4e3c1", roof="#b5462f", water="#6fa8c9"):
    horizon = 330
    return (
        _sky(sky, horizon, rng)
        + f'<path d="M0 {horizon} q200 -40 400 0 t400 0 v40 h-800z" fill="#7dbb5e"/>'
        + _water(horizon + 30, water, rng)
        + _house(rng.randint(200, 420), horizon + 90, 200, wall, roof, stilts=True)
        + "".join(_palm(x, horizon + 30, rng.randint(150, 220), rng) for x in (80, 690))
        + _boat(rng.randint(480, 600), 520, 160, "#8b5a2b", None, rng)
    )


def pineapple_field(rng, sky="dawn", soil="#b7793f", leaf="#4f9a3b", fruit="#e3a21a"):
    horizon = 250
    rows = []
    for row in range(6):
        y = horizon + 40 + row * 60
        spread = 50 + row * 14
        for i in range(-1, WIDTH // spread + 2):
            x = i * spread + (row % 2) * spread // 2 + rng.randint(-6, 6)
            size = 14 + row * 5
            rows.append(
                f'<path d="M{x} {y} l{-size} {-size * 2} M{x} {y} l{size} {-size * 2} M{x} {y} '
                f"l0 {-size * 2.4:.0f} M{x} {y} l{-size * 1.6:.0f} {-size} M{x} {y} "
                f'l{size * 1.6:.0f} {-size}" stroke="{leaf}" stroke-width="{2 + row}" '
                f'stroke-linecap="round"/>'
            )
            if rng.random() < 0.35:
                rows.append(
                    f'<ellipse cx="{x}" cy="{y - size // 2}" rx="{size // 2.5:.0f}" '
                    f'ry="{size // 1.8:.0f}" fill="{fruit}"/>'
                )
    return (
        _sky(sky, horizon, rng)
        + f'<rect y="{horizon}" width="{WIDTH}" height="{HEIGHT - horizon}" fill="{soil}"/>'
        + f'<path d="M{rng.randint(340, 460)} {horizon} L300 600 L500 600z" fill="#d9a86a"/>'
        + "".join(rows)
        + _palm(rng.choice((60, 740)), horizon + 10, 160, rng)
    )


def floating_market(rng, sky="dawn", water="#7a9fb0", cargo=("#f2c14e", "#8cc63f", "#e94f37")):
    horizon = 280
    boats = "".join(
        _boat(x, y, rng.randint(150, 210), rng.choice(("#6b4226", "#2e6f8e", "#8b5a2b")),
              rng.choice(cargo), rng)
        for x, y in ((40, 400), (300, 360), (520, 430), (180, 520), (560, 540))
    )  # fmt: skip
    poles = "".join(
        f'<path d="M{x} {horizon + 40} L{x} {horizon - 120}" stroke="#5b3b22" stroke-width="5"/>'
        f'<circle cx="{x + 10}" cy="{horizon - 110}" r="12" fill="{rng.choice(cargo)}"/>'
        for x in (rng.randint(150, 250), rng.randint(420, 500), rng.randint(640, 760))
    )
    return (
        _sky(sky, horizon, rng)
        + f'<rect y="{horizon - 30}" width="{WIDTH}" height="40" fill="#5e8f4a"/>'
        + _water(horizon, water, rng)
        + poles
        + boats
    )


def room_with_net(rng, wall="#f6ead2", floor="#a0703f", net="#ffffff", blanket="#d9534f"):
    bed_x = rng.randint(120, 300)
    window_x = rng.choice((560, 60)) if bed_x > 200 else 560
    garden = _tree(window_x + 80, 230, 70, "#4c9a3e", "#f2c14e", rng)
    return (
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{wall}"/>'
        f'<rect y="430" width="{WIDTH}" height="170" fill="{floor}"/>'
        + "".join(
            f'<rect x="0" y="{y}" width="{WIDTH}" height="3" fill="#000" opacity=".08"/>'
            for y in range(450, 600, 30)
        )
        + f'<rect x="{window_x}" y="110" width="180" height="150" fill="#bfe3f2"/>'
        + f'<svg x="{window_x}" y="110" width="180" height="150" viewBox="{window_x} 110 180 150">'
        + garden
        + "</svg>"
        + f'<rect x="{window_x}" y="110" width="180" height="150" fill="none" stroke="#7a5230" '
        f'stroke-width="10"/><path d="M{window_x + 90} 110 v150" stroke="#7a5230" '
        f'stroke-width="6"/>'
        + f'<rect x="{bed_x}" y="390" width="300" height="70" rx="8" fill="#8b5a2b"/>'
        + f'<rect x="{bed_x + 10}" y="370" width="280" height="34" rx="10" fill="{blanket}"/>'
        + f'<rect x="{bed_x + 14}" y="356" width="70" height="26" rx="10" fill="#fff"/>'
        + f'<path d="M{bed_x - 10} 460 L{bed_x + 20} 170 L{bed_x + 280} 170 L{bed_x + 310} 460z" '
        f'fill="{net}" opacity=".45" stroke="#dfe7ea" stroke-width="3"/>'
        + f'<path d="M{bed_x + 150} 90 L{bed_x + 20} 170 M{bed_x + 150} 90 L{bed_x + 280} 170" '
        f'stroke="#dfe7ea" stroke-width="3"/>'
        + f'<circle cx="{bed_x + 150}" cy="88" r="6" fill="#7a5230"/>'
        + f'<rect x="{rng.randint(640, 720)}" y="360" width="40" height="100" fill="#6d4a2a"/>'
    )


def fruit_garden(rng, sky="noon", crown="#3f8f3a", fruit="#b8d86b", grass="#86c06a", rows=3):
    horizon = 300
    trees = []
    for row in range(rows):
        base = horizon + 60 + row * 90
        size = 60 + row * 30
        for i in range(5 - row):
            x = 80 + i * (WIDTH // (5 - row)) + rng.randint(-20, 20)
            trees.append(_tree(x, base, size, crown, fruit, rng))
    return (
        _sky(sky, horizon, rng)
        + f'<rect y="{horizon}" width="{WIDTH}" height="{HEIGHT - horizon}" fill="{grass}"/>'
        + f'<path d="M0 {horizon + 40} h800 v14 h-800z" fill="#6fa8c9" opacity=".8"/>'
        + "".join(trees)
    )


def fish_ponds(rng, sky="noon", water="#5b9aa0", bank="#9ccf7a"):
    horizon = 230
    ponds, fish = [], []
    for i, (x, y, w, h) in enumerate(
        ((40, 290, 330, 130), (420, 280, 340, 140), (120, 450, 560, 120))
    ):
        ponds.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="14" fill="{water}"/>')
        for _ in range(rng.randint(3, 6)):
            fx, fy = x + rng.randint(30, w - 40), y + rng.randint(20, h - 20)
            fish.append(
                f'<path d="M{fx} {fy} q18 -10 36 0 q-18 10 -36 0z M{fx + 36} {fy} l12 -8 v16z" '
                f'fill="#c0c7cc" opacity=".85"/>'
            )
        fish.append(
            f'<path d="M{x + w - 40} {y + 10} v-50" stroke="#555" stroke-width="4"/>'
            f'<circle cx="{x + w - 40}" cy="{y + 14}" r="{8 + i * 2}" fill="#fff" opacity=".6"/>'
        )
    return (
        _sky(sky, horizon, rng)
        + f'<rect y="{horizon}" width="{WIDTH}" height="{HEIGHT - horizon}" fill="{bank}"/>'
        + _house(rng.randint(560, 640), horizon + 40, 120, "#e9e2d0", "#4a6fa5", stilts=False)
        + "".join(ponds)
        + "".join(fish)
    )


def goat_farm(rng, sky="noon", grass="#9bcf6a", coat=("#ffffff", "#d8c3a5", "#4a3b30")):
    horizon = 300
    goats = []
    for _ in range(rng.randint(5, 8)):
        x, y = rng.randint(40, 700), rng.randint(400, 550)
        c = rng.choice(coat)
        goats.append(
            f'<ellipse cx="{x}" cy="{y}" rx="42" ry="24" fill="{c}" stroke="#333" '
            f'stroke-width="2"/><circle cx="{x + 44}" cy="{y - 22}" r="15" fill="{c}" '
            f'stroke="#333" stroke-width="2"/><path d="M{x + 40} {y - 36} l-6 -14 M{x + 50} '
            f'{y - 36} l6 -14" stroke="#333" stroke-width="3"/>'
            + "".join(
                f'<rect x="{x + dx}" y="{y + 16}" width="6" height="26" fill="#333"/>'
                for dx in (-30, -14, 14, 28)
            )
        )
    barn_x = rng.randint(60, 520)
    return (
        _sky(sky, horizon, rng)
        + f'<path d="M0 {horizon} q250 -50 500 0 t300 0 v300 h-800z" fill="{grass}"/>'
        + f'<rect x="{barn_x}" y="{horizon - 60}" width="200" height="120" fill="#a8432f"/>'
        + f'<path d="M{barn_x - 15} {horizon - 60} L{barn_x + 100} {horizon - 130} '
        f'L{barn_x + 215} {horizon - 60}z" fill="#6b2a1e"/>'
        + f'<rect x="{barn_x + 70}" y="{horizon - 10}" width="60" height="70" fill="#f3e3c3"/>'
        + "".join(
            f'<rect x="{x}" y="{horizon + 40}" width="6" height="40" fill="#8b5a2b"/>'
            for x in range(0, WIDTH, 50)
        )
        + f'<rect y="{horizon + 48}" width="{WIDTH}" height="5" fill="#8b5a2b"/>'
        + "".join(goats)
    )


def melaleuca_forest(rng, sky="grey", water="#6e8f6a", trunk="#e8e0d0", leaf="#5f8f4e"):
    horizon = 260
    trees = "".join(
        f'<rect x="{x}" y="{horizon - h}" width="{w}" height="{h + 80}" fill="{trunk}"/>'
        f'<ellipse cx="{x + w // 2}" cy="{horizon - h}" rx="{w * 4}" ry="{w * 3}" fill="{leaf}"/>'
        for x, h, w in ((rng.randint(0, 780), rng.randint(120, 230), rng.randint(8, 14))
                        for _ in range(22))
    )  # fmt: skip
    birds = "".join(
        f'<path d="M{x} {y} q12 -12 24 0 q12 -12 24 0" stroke="#fff" stroke-width="4" fill="none"/>'
        for x, y in ((rng.randint(40, 720), rng.randint(50, 180)) for _ in range(rng.randint(4, 9)))
    )
    walkway = '<path d="M330 600 L390 330 L430 330 L520 600z" fill="#9b6b3f"/>' + "".join(
        f'<path d="M{330 + (600 - y) * 60 // 270} {y} h{(y - 330) * 130 // 270 + 40}" '
        f'stroke="#6d4a2a" stroke-width="3"/>'
        for y in range(350, 600, 24)
    )
    return _sky(sky, horizon, rng) + _water(horizon + 60, water, rng) + trees + birds + walkway


def canal_boat(rng, sky="dusk", water="#5f8fb0", bank="#4f8a3c"):
    horizon = 300
    return (
        _sky(sky, horizon, rng)
        + f'<path d="M0 {horizon} L800 {horizon} L800 {horizon + 30} L0 {horizon + 70}z" '
        f'fill="{bank}"/>'
        + _water(horizon + 40, water, rng)
        + "".join(_palm(x, horizon + 20, rng.randint(120, 200), rng, "#2f6f3a")
                  for x in range(40, 800, rng.randint(110, 160)))
        + _boat(rng.randint(200, 420), rng.randint(450, 500), 240, "#7a4a26", None, rng)
    )  # fmt: skip


def meal_table(rng, wall="#f3e1c7", cloth="#2e7d5b", dishes=("#f2c14e", "#e94f37", "#8cc63f")):
    plates = []
    for i in range(5):
        x, y = 140 + i * 120 + rng.randint(-15, 15), 400 + rng.randint(-30, 30)
        plates.append(
            f'<ellipse cx="{x}" cy="{y}" rx="52" ry="22" fill="#fff" stroke="#ccc"/>'
            f'<ellipse cx="{x}" cy="{y - 4}" rx="32" ry="12" fill="{rng.choice(dishes)}"/>'
        )
    return (
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{wall}"/>'
        f'<rect x="60" y="120" width="260" height="160" fill="#bfe3f2" stroke="#7a5230" '
        f'stroke-width="10"/>'
        + f'<rect x="30" y="330" width="740" height="160" rx="16" fill="{cloth}"/>'
        + "".join(plates)
        + f'<rect x="{rng.randint(560, 680)}" y="300" width="30" height="60" rx="6" '
        f'fill="#f7f1e1" stroke="#bbb"/>'
        + '<rect x="80" y="490" width="20" height="110" fill="#6d4a2a"/>'
        '<rect x="700" y="490" width="20" height="110" fill="#6d4a2a"/>'
    )


def hammock_veranda(rng, sky="noon", floor="#c08a55", cloth="#e07a5f"):
    horizon = 330
    return (
        _sky(sky, horizon, rng)
        + f'<rect y="{horizon}" width="{WIDTH}" height="{HEIGHT - horizon}" fill="#86c06a"/>'
        + "".join(_tree(x, horizon + 20, rng.randint(60, 90), "#3f8f3a", "#b8d86b", rng)
                  for x in (rng.randint(300, 380), rng.randint(480, 560)))
        + f'<rect y="430" width="{WIDTH}" height="170" fill="{floor}"/>'
        + '<rect x="40" y="60" width="24" height="400" fill="#6d4a2a"/>'
        '<rect x="736" y="60" width="24" height="400" fill="#6d4a2a"/>'
        '<rect y="40" width="800" height="30" fill="#8b3a2a"/>'
        + f'<path d="M64 200 Q400 {rng.randint(380, 430)} 736 200" stroke="{cloth}" '
        f'stroke-width="34" fill="none" stroke-linecap="round"/>'
        + f'<path d="M64 200 Q400 {rng.randint(380, 430)} 736 200" stroke="#fff" '
        f'stroke-width="4" fill="none" stroke-dasharray="10 14" opacity=".7"/>'
    )  # fmt: skip


# --- each listing's pictures (slug -> [(scene, choices, alt, alt in English)]) ---------------

LISTING_SCENES = {
    "tour-canh-dong-khom-cau-duc": [
        (pineapple_field, {"sky": "dawn"}, "Cánh đồng khóm Cầu Đúc lúc bình minh", "The Cầu Đúc pineapple fields at dawn"),
        (pineapple_field, {"sky": "noon", "soil": "#9a5f32", "fruit": "#f0b429"}, "Luống khóm chín vàng giữa trưa", "Rows of ripe golden pineapples at midday"),
        (meal_table, {"cloth": "#c9822b", "dishes": ("#f2c14e", "#f7d774", "#e3a21a")}, "Bàn nếm khóm tươi và mứt khóm", "A tasting table of fresh pineapple and pineapple jam"),
    ],
    "homestay-lang-khom-hoa-tien": [
        (room_with_net, {"blanket": "#e3a21a", "wall": "#f7ecd6"}, "Phòng ngủ có mùng, cửa sổ nhìn ra vườn khóm", "A bedroom with a mosquito net, its window on the pineapple garden"),
        (stilt_house_by_canal, {"sky": "dawn", "roof": "#c0392b", "water": "#7fb2c9"}, "Nhà sàn bên kênh ở làng khóm Hỏa Tiến", "A stilt house by the canal in Hỏa Tiến pineapple village"),
        (pineapple_field, {"sky": "dusk", "soil": "#a86b3c", "leaf": "#3f8a30"}, "Ruộng khóm sau nhà lúc chiều tà", "The pineapple field behind the house at dusk"),
    ],
    "homestay-muong-dinh": [
        (stilt_house_by_canal, {"sky": "noon", "wall": "#e8d5b0", "roof": "#7b3f2a", "water": "#5d9cbf"}, "Nhà vườn bên mương nước, Mương Đình", "The garden house by the water channel, Mương Đình"),
        (fruit_garden, {"crown": "#2f7f3a", "fruit": "#c6e07a", "rows": 3}, "Vườn bưởi Năm Roi trước nhà", "The Năm Roi pomelo garden in front of the house"),
        (room_with_net, {"blanket": "#3a7ca5", "wall": "#eef3e2", "floor": "#8a5a33"}, "Phòng đôi có mùng, chiếu và quạt", "A double room with a mosquito net, a sleeping mat and a fan"),
        (hammock_veranda, {"cloth": "#3a7ca5"}, "Hiên nhà có võng nhìn ra vườn", "The veranda's hammocks looking out on the garden"),
    ],
    "cho-noi-nga-bay-luc-binh-minh": [
        (floating_market, {"sky": "dawn"}, "Ghe chở trái cây trên chợ nổi Ngã Bảy lúc bình minh", "Boats laden with fruit on the Ngã Bảy floating market at dawn"),
        (floating_market, {"sky": "noon", "water": "#6c93a6", "cargo": ("#c6e07a", "#8cc63f", "#2f7f3a")}, "Ghe bưởi và rau giữa chợ nổi", "Boats of pomelos and vegetables in the floating market"),
        (canal_boat, {"sky": "dawn", "water": "#86a9bb"}, "Xuồng đưa khách ra chợ nổi", "The small boat that takes guests out to the floating market"),
    ],
    "kham-pha-khu-bao-ton-lung-ngoc-hoang": [
        (melaleuca_forest, {"sky": "grey"}, "Rừng tràm và lối đi gỗ ở Lung Ngọc Hoàng", "Melaleuca forest and the wooden walkway at Lung Ngọc Hoàng"),
        (melaleuca_forest, {"sky": "dawn", "water": "#7e9a6a", "leaf": "#4d7f3e"}, "Đàn cò bay trên đầm tràm buổi sớm", "Storks flying over the melaleuca swamp in the early morning"),
        (canal_boat, {"sky": "grey", "water": "#6e8f6a", "bank": "#3f6f35"}, "Xuồng len giữa lau sậy trong khu bảo tồn", "A boat slipping through the reeds in the reserve"),
    ],
    "mot-ngay-o-vuon-chanh-khong-hat": [
        (fruit_garden, {"sky": "noon", "crown": "#3a8a3a", "fruit": "#9ccc3f", "rows": 3}, "Vườn chanh không hạt sai trái", "A seedless-lime garden heavy with fruit"),
        (fruit_garden, {"sky": "dawn", "crown": "#4c9a3e", "fruit": "#cde26a", "grass": "#9bcf6a", "rows": 2}, "Hàng chanh bên mương lúc sáng sớm", "Rows of lime trees by the channel in the early morning"),
        (meal_table, {"cloth": "#5a8f3a", "dishes": ("#cde26a", "#9ccc3f", "#f7f1e1")}, "Nước chanh và mứt chanh mời khách", "Lime juice and candied lime for guests"),
    ],
    "tham-trai-ca-that-lat-ky-nhu": [
        (fish_ponds, {"sky": "noon"}, "Ao nuôi cá thát lát của HTX Kỳ Như", "Kỳ Như Cooperative's featherback fish ponds"),
        (fish_ponds, {"sky": "dawn", "water": "#4f8a94", "bank": "#b3d68a"}, "Cho cá ăn lúc sáng sớm", "Feeding the fish in the early morning"),
        (meal_table, {"cloth": "#3a6f8f", "dishes": ("#d9b38c", "#f2c14e", "#8cc63f")}, "Chả cá thát lát chiên vừa làm xong", "Freshly fried featherback fish cakes"),
    ],
    "trang-trai-de-ngoc-dao": [
        (goat_farm, {"sky": "noon"}, "Đàn dê trên đồng cỏ trang trại Ngọc Đào", "Goats grazing at Ngọc Đào farm"),
        (goat_farm, {"sky": "dusk", "grass": "#a9c96a", "coat": ("#f4efe6", "#b08d6a")}, "Dê về chuồng lúc chiều", "Goats coming back to the pen in the afternoon"),
        (hammock_veranda, {"sky": "dusk", "floor": "#a8764a", "cloth": "#6a994e"}, "Chỗ nghỉ trưa có võng ở trang trại", "The farm's hammock corner for a midday rest"),
    ],
    "nha-vuon-mit-va-buoi-chau-thanh": [
        (fruit_garden, {"sky": "noon", "crown": "#2e6f35", "fruit": "#a4b83a", "rows": 2}, "Vườn mít Thái và bưởi ở Châu Thành", "A Thai jackfruit and pomelo garden in Châu Thành"),
        (stilt_house_by_canal, {"sky": "dusk", "wall": "#f1dcc0", "roof": "#5e3a7a", "water": "#6a8fb0"}, "Nhà vườn bên kênh lúc hoàng hôn", "The garden house by the canal at sunset"),
        (room_with_net, {"blanket": "#6a994e", "wall": "#f3e6f0", "net": "#fdfdf5"}, "Phòng gia đình có hai giường và mùng", "A family room with two beds and mosquito nets"),
    ],
    "xuong-tren-kenh-xa-no": [
        (canal_boat, {"sky": "dusk"}, "Xuồng ba lá trên kênh Xà No lúc chiều", "A wooden sampan on the Xà No canal in the afternoon"),
        (canal_boat, {"sky": "noon", "water": "#4f86b0", "bank": "#5d9a45"}, "Hàng dừa nước dọc kênh Xà No", "Water coconut palms along the Xà No canal"),
        (stilt_house_by_canal, {"sky": "dawn", "wall": "#e6d3a3", "roof": "#8a3b12", "water": "#7aa5c4"}, "Nhà sàn ven kênh, nơi xuồng ghé", "A stilt house on the canal bank, where the boats stop"),
    ],
}  # fmt: skip


def drawing(slug: str, index: int) -> str:
    scene, choices, alt, _alt_en = LISTING_SCENES[slug][index]
    rng = random.Random(f"{slug}-{index}")
    body = scene(rng, **choices)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}"><title>{alt}</title>{body}</svg>\n'
    )


def file_name(slug: str, index: int) -> str:
    return f"{FOLDER}/{slug}-{index + 1}.svg"


# slug -> [(path under static/, alt text, its English)], cover first
DRAWINGS = {
    slug: [(file_name(slug, i), alt, alt_en) for i, (_s, _c, alt, alt_en) in enumerate(scenes)]
    for slug, scenes in LISTING_SCENES.items()
}


def write_all(static_folder: str | Path) -> list[Path]:
    written = []
    for slug, scenes in LISTING_SCENES.items():
        for index in range(len(scenes)):
            path = Path(static_folder) / file_name(slug, index)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(drawing(slug, index), encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    for written in write_all(Path(__file__).resolve().parent.parent / "static"):
        print(written)
