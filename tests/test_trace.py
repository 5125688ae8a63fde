"""A lot's public trace page (/t/<code> and the GS1 Digital Link /01/<gtin>/10/<lot>): every
field of Circular 02/2024/TT-BKHCN, in Vietnamese and English, the OCOP certificate, recalls,
scans counted, its weight; and the product form's GTIN."""

import io
import random
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import brotli
import pytest
from flask_compress.compat import compression
from PIL import Image, ImageChops, ImageDraw, ImageFilter
from sqlalchemy import func, select

from core.db import write_transaction
from core.uploads import thumbnail_path
from marketplace.lots import record_lot
from marketplace.models import Lot, Product
from marketplace.trace import lot_uri
from tests.concurrency import at_once
from tests.conftest import TEST_PASSWORD
from tourism.models import ListingProduct

STATIC = Path(__file__).resolve().parent.parent / "static"


@pytest.fixture()
def coop(make):
    district = make.district("Thành phố Vị Thanh")
    commune = make.commune(district, "Xã Hỏa Tiến")
    owner = make.user(role="cooperative")
    return make.cooperative(
        "HTX Khóm Cầu Đúc Hỏa Tiến", district=district, commune_id=commune.id,
        address="Ấp Thạnh Lợi", owner=owner, brand="Khóm Cầu Đúc Hậu Giang",
    )  # fmt: skip


@pytest.fixture()
def product(make, coop, today):
    return make.product(
        "Mứt khóm Cầu Đúc", coop, name_en="Cầu Đúc pineapple jam", certifications="HACCP",
        description="Mứt khóm dẻo, ít đường.", description_en="Soft pineapple jam, low sugar.",
        gtin="08938602110013", rating=("148", 35, 21, 30, today - timedelta(days=100)),
    )  # fmt: skip


@pytest.fixture()
def lot(db, product, today):
    return record_lot(
        product, quantity=40, packed_on=today - timedelta(days=3),
        expires_on=today + timedelta(days=180), area_code="HG-VT-0123", standard="VietGAP",
        note="Thu hoạch sáng sớm.",
    )  # fmt: skip


def page(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_circular_02_field_is_shown(client, lot, product, coop, today):
    html = page(client, f"/t/{lot.trace_code}")
    text = text_of(html)
    for label, value in [
        ("Tên sản phẩm", "Mứt khóm Cầu Đúc"),
        ("Mã lô", lot.code),
        ("Nhãn hiệu", "Khóm Cầu Đúc Hậu Giang"),
        ("Cơ sở sản xuất", "HTX Khóm Cầu Đúc Hỏa Tiến"),
        ("Địa chỉ", "Ấp Thạnh Lợi, Xã Hỏa Tiến, Thành phố Vị Thanh, Hậu Giang"),
        ("Hạn sử dụng", (today + timedelta(days=180)).strftime("%d/%m/%Y")),
        ("Mã vùng", "HG-VT-0123"),
        ("Ngày", (today - timedelta(days=3)).strftime("%d/%m/%Y")),
    ]:
        assert f"{label} {value}" in text, label
    assert "Tiêu chuẩn áp dụng VietGAP HACCP" in text
    # Circular 02's stages, each with its time and place: the growing area (grown until the
    # lot's harvest or packing day), then the packing.
    packed = (today - timedelta(days=3)).strftime("%d/%m/%Y")
    stages = text[text.index("Các công đoạn sản xuất") :]
    growing, packing = stages.split("Đóng gói", 1)
    assert "Vùng trồng, vùng nuôi" in growing
    assert f"Thời gian Đến ngày {packed} (thu hoạch hoặc đóng gói)" in growing
    assert "Nơi Xã Hỏa Tiến, Thành phố Vị Thanh, Hậu Giang" in growing
    assert f"Ngày {packed}" in packing and "Nơi HTX Khóm Cầu Đúc Hỏa Tiến, Ấp Thạnh Lợi" in packing
    assert "Thu hoạch sáng sớm." in text
    assert 'src="/static/img/products/placeholder.svg' in html  # the product's picture
    assert "không áp dụng" not in text


def test_empty_fields_say_not_applicable(client, make):
    # A cooperative with no registered brand: its name is not made into one.
    bare = make.product("Giỏ lục bình", make.cooperative("HTX Lục Bình Phụng Hiệp"))
    lot = record_lot(bare, quantity=5, packed_on=date(2026, 1, 5))
    text = text_of(page(client, f"/t/{lot.trace_code}"))
    assert "Nhãn hiệu không áp dụng" in text
    assert "Thời gian Đến ngày 05/01/2026" in text  # the one date a lot always has
    assert "Hạn sử dụng không áp dụng" in text
    assert "Mã vùng không áp dụng" in text
    assert "Tiêu chuẩn áp dụng không áp dụng" in text
    assert "Chứng nhận OCOP không áp dụng" in text


def test_ocop_certificate_live(client, lot, product):
    rating = product.ratings[0]
    text = text_of(page(client, f"/t/{lot.trace_code}"))
    assert "4 sao theo" in text
    assert rating.decision_number in text
    assert f"Hiệu lực đến {rating.valid_until:%d/%m/%Y}" in text
    assert "đã hết hạn" not in text


def test_expired_certificate_shows_as_expired(client, make, coop, today):
    old = make.product("Siro khóm", coop, rating=("148", 35, 21, 30, today - timedelta(days=4 * 366)))  # fmt: skip
    lot = record_lot(old, quantity=5, packed_on=today)
    text = text_of(page(client, f"/t/{lot.trace_code}"))
    assert "Chứng nhận 4 sao đã hết hạn ngày" in text
    assert "4 sao theo" not in text


def test_english_version(client, lot):
    html = page(client, f"/t/{lot.trace_code}?lang=en")
    assert '<html lang="en">' in html
    assert "Cầu Đúc pineapple jam" in html
    assert "Soft pineapple jam, low sugar." in html
    # The cooperative's note has no English: marked as Vietnamese.
    assert '<p class="trace-note" lang="vi">' in html
    text = text_of(html)
    assert "Lot code" in text and "Brand Khóm Cầu Đúc Hậu Giang" in text
    assert "Buy again" in text and "Mã lô" not in text and "Mua lại" not in text


def test_links_buy_again_and_the_tour(client, db, lot, product, coop, tour):
    db.session.add(ListingProduct(listing_id=tour.id, product_id=product.id))
    db.session.commit()
    html = page(client, f"/t/{lot.trace_code}")
    assert f'href="/cooperatives/{coop.slug}"' in html
    assert 'href="/tourism/tour-khom"' in html
    form = re.search(r'<form method="post" action="/cart/add">.*?</form>', html, re.S)
    assert form and f'name="product_id" value="{product.id}"' in form.group(0)
    # A plain POST form: buying again needs no script.
    response = client.post("/cart/add", data={"product_id": product.id, "next": "/cart"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cart")


def test_out_of_stock_has_no_buy_button(client, db, lot, product):
    with write_transaction():
        db.session.get(Product, product.id).stock = 0
    html = page(client, f"/t/{lot.trace_code}")
    assert 'action="/cart/add"' not in html
    assert "Sản phẩm tạm hết hàng." in html


def test_recalled_lot_shows_the_notice_and_no_buy_button(client, db, lot):
    with write_transaction():
        recalled = db.session.get(Lot, lot.id)
        recalled.status = "recalled"
        recalled.recall_reason = "Nắp hộp không kín"
        recalled.recalled_at = datetime(2026, 12, 1, 3, 0, tzinfo=UTC).replace(tzinfo=None)
    html = page(client, f"/t/{lot.trace_code}")
    notice = html.index("Lô này đã bị thu hồi")
    assert notice < html.index("Thông tin truy xuất")  # at the top
    assert 'class="trace-recalled" role="alert"' in html
    assert "Lý do: Nắp hộp không kín" in html
    assert "10:00 01/12/2026" in html  # in Vietnam's time
    assert 'action="/cart/add"' not in html


def test_expired_lot_says_so(client, make, coop, today):
    product = make.product("Chả cá", coop)
    lot = record_lot(product, quantity=3, packed_on=today - timedelta(days=30), expires_on=today - timedelta(days=1))  # fmt: skip
    html = page(client, f"/t/{lot.trace_code}")
    assert "Lô này đã hết hạn sử dụng ngày" in html
    assert 'action="/cart/add"' not in html


def test_gs1_and_short_routes_resolve_to_the_same_lot(client, app, lot, product):
    with app.test_request_context():
        uri = lot_uri(lot)
    assert uri == f"http://localhost/01/08938602110013/10/{lot.code}"
    for url in (
        f"/01/08938602110013/10/{lot.code}",
        f"/01/8938602110013/10/{lot.code}?17=271231",  # GTIN-13 and an expiry attribute
        f"/t/{lot.trace_code}",
        f"/t/{lot.trace_code.lower()}",  # typed off the label in small letters
    ):
        assert f"<strong>{lot.code}</strong>" in page(client, url), url
    # The GTIN alone is the product.
    response = client.get("/01/08938602110013")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/products/{product.slug}"
    )


def test_short_uri_without_gtin(app, make, coop):
    lot = record_lot(make.product("Khóm", coop), quantity=1, packed_on=date(2026, 1, 1))
    with app.test_request_context():
        assert lot_uri(lot) == f"http://localhost/t/{lot.trace_code}"


@pytest.mark.parametrize(
    "url",
    [
        "/01/08938602110014/10/1",  # wrong check digit
        "/01/08938602110013/10/NO-SUCH-LOT",
        "/01/08938505974194/10/1",  # a valid GTIN of no product here
        "/01/abc",
        "/01/08938602110013/10/" + "X" * 40,
        "/t/ZZZZZZZZ",
        "/t/short",
        "/t/" + "é" * 8,
        "/t/" + "A" * 300,
    ],
)
def test_unknown_codes_are_404(client, lot, url):
    assert client.get(url).status_code == 404


def scans(db, lot):
    db.session.expire_all()
    return db.session.scalar(select(Lot.scans).where(Lot.id == lot.id))


def test_scans_are_counted_on_gets_only(client, db, lot):
    client.get(f"/t/{lot.trace_code}")
    client.get(f"/01/08938602110013/10/{lot.code}")
    assert scans(db, lot) == 2
    client.head(f"/t/{lot.trace_code}")
    client.get(f"/t/{lot.trace_code}", headers={"User-Agent": "Googlebot/2.1"})
    assert scans(db, lot) == 2


def test_scans_not_counted_for_unknown_codes(client, db, lot):
    client.get("/t/ZZZZZZZZ")
    assert scans(db, lot) == 0


def _weight(client, url: str, html: str) -> int:
    """The page, the CSS it loads and the images it shows, in bytes, uncompressed."""
    total = len(html.encode())
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assets += re.findall(r'<img[^>]+src="([^"]+)"', html)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        total += len(response.get_data())
    return total


def test_page_is_light_and_needs_no_script(client, lot):
    url = f"/t/{lot.trace_code}"
    html = page(client, url)
    assert "<script" not in html
    assert '<meta name="robots" content="noindex">' in html
    assert _weight(client, url, html) < 100_000


# What Chrome on an Android phone sends; Flask-Compress answers zstd (WebP is sent as it is).
PHONE = {
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "User-Agent": "Mozilla/5.0 (Linux; Android 13; SM-A146P) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
}
# The budget for the page a label's QR opens, as the phone receives it.
TRACE_PAGE_BUDGET = 100_000


def unpacked(response) -> bytes:
    """A response's body as the phone reads it, whichever encoding Flask-Compress chose."""
    encoding = response.headers.get("Content-Encoding")
    return UNPACK[encoding](response.data) if encoding else response.data


UNPACK = {
    "zstd": compression.zstd.decompress,
    "br": brotli.decompress,
    "gzip": compression.gzip.decompress,
    "deflate": compression.zlib.decompress,
}


def photo(size=(2000, 1500), seed=17) -> bytes:
    """A phone photo of a busy stall (JPEG): hundreds of fruits, leaves and labels, and the
    sensor's grain. Busier than most product photos, so its thumbnail weighs at least as much
    as a real one (about 26 kB as WebP), and the weight measured is not flattered."""
    rnd = random.Random(seed)
    width, height = size
    light = Image.linear_gradient("L").resize(size)
    picture = Image.composite(
        Image.new("RGB", size, (96, 120, 52)), Image.new("RGB", size, (236, 214, 170)), light
    )
    draw = ImageDraw.Draw(picture)
    for _ in range(1500):
        x, y, r = rnd.randrange(width), rnd.randrange(height), rnd.randrange(8, 160)
        shape = draw.ellipse if rnd.random() < 0.6 else draw.rectangle
        shape((x - r, y - r // 2, x + r, y + r // 2), fill=tuple(rnd.choices(range(30, 250), k=3)))
    picture = picture.filter(ImageFilter.GaussianBlur(1.5))
    grain = Image.merge("RGB", [Image.effect_noise(size, 28) for _ in range(3)])
    picture = ImageChops.add(picture, grain, offset=-128)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _fetched(phone, html: str) -> list[str]:
    """What a phone fetches to show the page: its stylesheets and icon, its pictures, and what
    the stylesheets point to (url(...))."""
    assets = re.findall(r'<link rel="(?:stylesheet|icon)" href="([^"]+)"', html)
    assets += re.findall(r'<img[^>]+src="([^"]+)"', html)
    for css in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
        text = phone.get(css, headers={"User-Agent": PHONE["User-Agent"]}).get_data(as_text=True)
        assets += [u.strip("'\"") for u in re.findall(r"url\(([^)]+)\)", text)]
    # Once each: the logo is the icon and the header's picture, one download.
    return list(dict.fromkeys(a.replace("&amp;", "&") for a in assets if not a.startswith("data:")))


def test_page_with_an_uploaded_photo_is_under_100_kb_as_a_phone_receives_it(
    app, client, db, make, coop
):
    """The weight is measured COMPRESSED: the bodies as sent to the phone, the HTML, CSS and
    SVG as Flask-Compress sends them (zstd, as Chrome asks), the WebP thumbnail as it is; a
    file two tags name is fetched once; HTTP headers are not counted. (About 45 kB; the same
    files uncompressed are about 100 kB, mostly site.css, 69 kB.)"""
    product = make.product("Khóm mật Cầu Đúc", coop, pictures=0, certifications="VietGAP")
    login(client, coop.owner)
    data = form_data(product, picture=(io.BytesIO(photo()), "khom.jpg"))
    assert client.post(f"/dashboard/products/{product.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    [image] = db.session.get(Product, product.id).images
    lot = record_lot(db.session.get(Product, product.id), quantity=20, packed_on=date(2026, 11, 30))

    phone = app.test_client()  # scanned by a buyer, not the logged-in cooperative
    answer = phone.get(f"/t/{lot.trace_code}", headers=PHONE)
    assert answer.status_code == 200 and answer.headers["Content-Encoding"] in UNPACK
    html = unpacked(answer).decode()
    # The thumbnail the cards use (at most 400 × 300), not the 1600-pixel picture.
    thumb = "/dashboard/uploads/" + thumbnail_path(image.path).removeprefix("uploads/")
    assert f'src="{thumb}"' in html

    sent, whole = len(answer.data), len(html.encode())
    fetched = _fetched(phone, html)
    assert thumb in fetched and any(".css" in a for a in fetched)
    for asset in fetched:
        response = phone.get(asset, headers=PHONE)
        assert response.status_code == 200, asset
        sent += len(response.data)
        whole += len(unpacked(response))
        if asset == thumb:
            # A real photo's weight: the test would flatter the page with a flat picture.
            assert 15_000 < len(response.data) < 60_000, len(response.data)
    assert sent < TRACE_PAGE_BUDGET, f"{sent} bytes sent to the phone ({whole} uncompressed)"


# --- the product's GTIN in the cooperative's product form ---------------------------------


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


def form_data(product, **changes):
    data = {
        "name": product.name, "group": product.group, "unit": product.unit,
        "price": str(product.price), "stock": str(product.stock),
        "stock_seen": str(product.stock), "gtin": "",
    }  # fmt: skip
    data.update(changes)
    return data


def test_gtin_saved_normalised(client, db, make, coop):
    product = make.product("Khóm sấy", coop)
    login(client, coop.owner)
    response = client.post(
        f"/dashboard/products/{product.id}/edit", data=form_data(product, gtin="893 8505 974194")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Product, product.id).gtin == "08938505974194"


def test_gtin_with_a_wrong_check_digit_is_a_form_error(client, db, make, coop):
    product = make.product("Khóm sấy", coop)
    login(client, coop.owner)
    response = client.post(
        f"/dashboard/products/{product.id}/edit", data=form_data(product, gtin="8938505974195")
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "chữ số cuối là số kiểm tra" in html
    assert 'value="8938505974195"' in html  # kept as typed
    db.session.expire_all()
    assert db.session.get(Product, product.id).gtin is None


def test_gtin_of_another_product_is_a_form_error(client, db, make, coop, product):
    other = make.product("Khóm sấy", coop)
    login(client, coop.owner)
    response = client.post(
        f"/dashboard/products/{other.id}/edit", data=form_data(other, gtin="8938602110013")
    )
    assert response.status_code == 200
    assert "Mã GTIN này đã dùng cho một sản phẩm khác" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Product, other.id).gtin is None


def test_new_product_with_a_taken_gtin_is_a_form_error(client, db, coop, product):
    from core.submissions import new_form_token

    login(client, coop.owner)
    data = form_data(product, name="Khóm mới", gtin="8938602110013", form_token=new_form_token())
    data["stock_seen"] = ""
    response = client.post("/dashboard/products/new", data=data)
    assert response.status_code == 200
    assert "Mã GTIN này đã dùng cho một sản phẩm khác" in response.get_data(as_text=True)
    assert db.session.scalar(select(Product).where(Product.name == "Khóm mới")) is None


def test_gtin_removed_when_cleared(client, db, coop, product):
    login(client, coop.owner)
    response = client.post(f"/dashboard/products/{product.id}/edit", data=form_data(product))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Product, product.id).gtin is None


def test_the_same_gtin_saved_on_two_products_at_once(app, db, make, coop):
    """The unique constraint decides a race the form's check cannot see: one product gets the
    GTIN, the other is told (GtinTaken, a form message), never a 500."""
    from marketplace.products import GtinTaken, ProductData, update_product

    ids = [make.product(f"Khóm {n}", coop).id for n in range(4)]

    def save(product_id):
        def run():
            from core.extensions import db as _db

            product = _db.session.get(Product, product_id)
            data = ProductData(product.name, "food", "", "kg", 50_000, 10, "", gtin="08938602110013")  # fmt: skip
            return update_product(product, data, upload_folder="/nowhere").gtin

        return run

    results = at_once(app, *[save(i) for i in ids])
    assert sorted(map(type, results), key=str) == sorted([str, GtinTaken, GtinTaken, GtinTaken], key=str), results  # fmt: skip
    db.session.rollback()  # the threads' commits, not this session's snapshot
    assert db.session.scalar(select(func.count()).where(Product.gtin == "08938602110013")) == 1


def test_what_buyers_say_is_linked_once_there_are_reviews(client, db, lot, product):
    assert "Người mua đánh giá" not in page(client, f"/t/{lot.trace_code}")
    product.review_count, product.review_stars_total = 2, 9  # as core.reviews keeps them
    db.session.commit()
    text = text_of(page(client, f"/t/{lot.trace_code}"))
    assert "Người mua đánh giá ★ 4,5 (2)" in text
    assert f'/products/{product.slug}#reviews"' in page(client, f"/t/{lot.trace_code}")
