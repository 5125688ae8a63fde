"""The cooperative's shop dashboard: access, products and pictures, orders, sales, CSV, and the
owner check on every route."""

import csv
import io
import itertools
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from core import uploads
from core.clock import VIETNAM
from core.db import TryAgain
from core.submissions import new_form_token
from marketplace.lots import record_lot
from marketplace.models import (
    Checkout,
    Lot,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    ProductImage,
    ProductReview,
)
from marketplace.sales import sales_by_month, sales_chart, top_products
from payments import matching
from payments.matching import BankLine
from payments.models import BankTransaction, Refund
from tests.concurrency import at_once
from tests.conftest import TEST_PASSWORD

_numbers = itertools.count(1)


# --- helpers -----------------------------------------------------------------------------


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, "login failed"


def picture_bytes(fmt="PNG", size=(64, 48), colour=(200, 120, 30), **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt, **save_options)
    return buffer.getvalue()


def product_form(**changes) -> dict:
    """The product form as the page gives it: a new product's form has its one-time token
    (the edit form takes no token and ignores it)."""
    data = {
        "form_token": new_form_token(),
        "name": "Khóm mật Cầu Đúc",
        "group": "food",
        "unit": "trái",
        "price": "25.000",
        "stock": "40",
        "description": "Khóm ngọt, trồng trên đất phèn Vị Thanh.",
        "certifications": "VietGAP",
    }
    data.update(changes)
    return data


def utc(local: datetime) -> datetime:
    """A Hậu Giang wall-clock time as the naive UTC the database stores."""
    return local.replace(tzinfo=VIETNAM).astimezone(UTC).replace(tzinfo=None)


def make_order(
    db,
    cooperative,
    lines,
    *,
    status="pending",
    payment="cod",
    created_at=None,
    fee=20_000,
    name="Nguyễn Thị Lan",
    province="Cần Thơ",
    buyer=None,
) -> Order:
    """An order as checkout writes it (without taking stock), in a given status."""
    n = next(_numbers)
    created = created_at or datetime.now(UTC).replace(tzinfo=None)
    checkout = Checkout(
        code=f"HG-2025-{n:06d}",
        form_token=f"form-{n}",
        access_token=f"access-{n}",
        buyer_id=buyer.id if buyer else None,
        name=name,
        phone="0912345678",
        email="lan@example.vn",
        province=province,
        ward="Phường Ninh Kiều",
        street="12 Lê Lợi",
        payment_method=payment,
        created_at=created,
    )
    order_lines = [
        OrderLine(product_id=p.id, name=p.name, unit=p.unit, unit_price=p.price, quantity=quantity)
        for p, quantity in lines
    ]
    subtotal = sum(line.unit_price * line.quantity for line in order_lines)
    order = Order(
        checkout=checkout,
        cooperative_id=cooperative.id,
        code=f"{checkout.code}-1",
        status=status,
        subtotal=subtotal,
        delivery_fee=fee,
        total=subtotal + fee,
        created_at=created,
        lines=order_lines,
    )
    order.events.append(OrderEvent(from_status=None, to_status="pending", actor_id=None))
    db.session.add(order)
    db.session.commit()
    return order


@pytest.fixture()
def owner(make):
    return make.user(role="cooperative", name="Nguyễn Văn Như")


@pytest.fixture()
def coop(make, owner):
    return make.cooperative(
        "HTX Kỳ Như", owner=owner, bank_bin="970418", bank_account="74010000123456"
    )


@pytest.fixture()
def signed_in(client, owner, coop):
    login(client, owner)
    return client


@pytest.fixture()
def other(make):
    """Another approved cooperative, with a product, a picture of it and an order."""
    user = make.user(role="cooperative")
    cooperative = make.cooperative("HTX Khác", owner=user)
    product = make.product("Sản phẩm của HTX khác", cooperative, price=30_000, stock=9)
    return cooperative, product


@pytest.fixture()
def upload_folder(app):
    return Path(app.config["UPLOAD_FOLDER"])


def stored_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def flashed(response) -> str:
    return response.get_data(as_text=True)


# --- who may use it ----------------------------------------------------------------------


def test_guest_is_sent_to_login(client, db):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["buyer", "admin"])
def test_buyers_and_admins_are_forbidden(client, make, role):
    login(client, make.user(role=role))
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard/products").status_code == 403
    assert client.post("/dashboard/products/new", data=product_form()).status_code == 403


def test_cooperative_account_without_cooperative_is_forbidden(client, make):
    login(client, make.user(role="cooperative"))
    assert client.get("/dashboard").status_code == 403


def test_pending_cooperative_sees_the_waiting_page_and_cannot_add(client, make, db):
    user = make.user(role="cooperative")
    make.cooperative("HTX Mới", owner=user, approved=False)
    login(client, user)
    for url in ("/dashboard", "/dashboard/products", "/dashboard/orders", "/dashboard/sales"):
        response = client.get(url)
        assert response.status_code == 200
        assert "đang chờ Văn phòng OCOP duyệt" in response.get_data(as_text=True)
    response = client.post("/dashboard/products/new", data=product_form())
    assert "đang chờ Văn phòng OCOP duyệt" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_approved_cooperative_gets_its_dashboard(signed_in, coop):
    response = signed_in.get("/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "HTX Kỳ Như" in page and "Quản lý cửa hàng" in page
    for url in ("/dashboard/products", "/dashboard/products/new", "/dashboard/orders"):
        assert signed_in.get(url).status_code == 200
    assert signed_in.get("/dashboard/sales").status_code == 200


def test_account_page_links_to_the_dashboard(signed_in):
    page = signed_in.get("/account").get_data(as_text=True)
    assert "Quản lý cửa hàng" in page and 'href="/dashboard"' in page


# --- products ----------------------------------------------------------------------------


def test_create_product_with_a_picture(signed_in, coop, db, upload_folder):
    data = product_form(picture=(io.BytesIO(picture_bytes(size=(2000, 1500))), "khom.png"))
    response = signed_in.post("/dashboard/products/new", data=data)
    assert response.status_code == 302

    product = db.session.scalar(select(Product).where(Product.cooperative_id == coop.id))
    assert (product.name, product.price, product.stock, product.unit) == (
        "Khóm mật Cầu Đúc",
        25_000,
        40,
        "trái",
    )
    assert product.listed and product.slug == "khom-mat-cau-duc"
    assert "khom mat cau duc" in product.search_text and "htx ky nhu" in product.search_text
    [image] = product.images
    assert image.path.startswith("uploads/")
    name = image.path.removeprefix("uploads/")
    assert uploads.is_safe_name(name) and name != "khom.png"
    thumb = uploads.thumbnail_path(image.path).removeprefix("uploads/")
    assert {name, thumb} <= stored_files(upload_folder)
    with Image.open(upload_folder / name) as large, Image.open(upload_folder / thumb) as small:
        assert large.format in ("WEBP", "JPEG") and max(large.size) <= 1600
        assert small.size[0] <= 400 and small.size[1] <= 300

    catalogue = signed_in.get("/products").get_data(as_text=True)
    assert "Khóm mật Cầu Đúc" in catalogue
    # Cards show the thumbnail; the product's page the full picture.
    assert (
        f"/dashboard/uploads/{thumb}" in catalogue and f"/dashboard/uploads/{name}" not in catalogue
    )
    page = signed_in.get(f"/products/{product.slug}").get_data(as_text=True)
    assert f"/dashboard/uploads/{name}" in page
    assert "Khóm mật Cầu Đúc" in signed_in.get("/products?q=khom+mat").get_data(as_text=True)
    served = signed_in.get(f"/dashboard/uploads/{name}")
    assert served.status_code == 200 and served.mimetype.startswith("image/")


def test_uploaded_pictures_are_public(client, make, db, upload_folder):
    prepared = uploads.prepare_image(io.BytesIO(picture_bytes()))
    path = uploads.store_image(prepared, upload_folder)
    assert client.get("/dashboard/uploads/" + path.removeprefix("uploads/")).status_code == 200


@pytest.mark.parametrize(
    "name", ["secret_key", "..%2Fsecret_key", "abc.webp", "0" * 32 + ".png", "0" * 32 + ".webp"]
)
def test_upload_route_serves_only_stored_names(client, db, name):
    assert client.get(f"/dashboard/uploads/{name}").status_code == 404


def test_exif_is_dropped(signed_in, coop, db, upload_folder):
    exif = Image.Exif()
    exif[0x010F] = "Máy ảnh bí mật"  # Make
    exif[0x0132] = "2024:05:01 08:00:00"  # DateTime
    jpeg = picture_bytes("JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(jpeg)).getexif()
    data = product_form(picture=(io.BytesIO(jpeg), "photo.jpg"))
    assert signed_in.post("/dashboard/products/new", data=data).status_code == 302
    image = db.session.scalar(select(ProductImage))
    with Image.open(upload_folder / image.path.removeprefix("uploads/")) as stored:
        assert not stored.getexif()
        assert "exif" not in stored.info


def test_a_file_that_is_not_a_picture_is_refused(signed_in, coop, db, upload_folder):
    before = stored_files(upload_folder)
    fake = io.BytesIO(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n")
    data = product_form(name="Tên vẫn giữ nguyên", picture=(fake, "anh-dep.png"))
    response = signed_in.post("/dashboard/products/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "không phải là ảnh" in page
    assert 'value="Tên vẫn giữ nguyên"' in page and 'value="25.000"' in page
    assert db.session.scalar(select(func.count(Product.id))) == 0
    assert stored_files(upload_folder) == before


def test_a_truncated_picture_is_refused(signed_in, coop, db):
    broken = picture_bytes()[:60]
    data = product_form(picture=(io.BytesIO(broken), "anh.png"))
    response = signed_in.post("/dashboard/products/new", data=data)
    assert "không phải là ảnh" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_a_picture_over_the_limit_gets_a_message_and_keeps_the_form(
    signed_in, coop, db, app, monkeypatch
):
    monkeypatch.setitem(app.config, "DASHBOARD_MAX_IMAGE_BYTES", 4000)
    noisy = Image.effect_noise((60, 60), 100).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    assert 4000 < len(buffer.getvalue()) < 16000
    data = product_form(name="Cá thát lát", picture=(io.BytesIO(buffer.getvalue()), "ca.png"))
    response = signed_in.post("/dashboard/products/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ảnh quá lớn" in page and 'value="Cá thát lát"' in page
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_a_request_far_over_the_limit_is_refused_with_a_clear_page(
    signed_in, coop, db, app, monkeypatch
):
    monkeypatch.setitem(app.config, "DASHBOARD_MAX_IMAGE_BYTES", 4000)
    data = product_form(picture=(io.BytesIO(b"\0" * 50_000), "big.png"))
    response = signed_in.post("/dashboard/products/new", data=data)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Tệp gửi lên quá lớn" in page and "<html" in page
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_too_many_pixels_is_refused_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(buffer, "PNG")
    with pytest.raises(uploads.TooManyPixels):
        uploads.prepare_image(io.BytesIO(buffer.getvalue()))


def test_transparent_gif_is_re_encoded():
    buffer = io.BytesIO()
    Image.new("P", (30, 20)).save(buffer, "GIF", transparency=0)
    prepared = uploads.prepare_image(io.BytesIO(buffer.getvalue()))
    with Image.open(io.BytesIO(prepared.large)) as image:
        assert image.format in ("WEBP", "JPEG") and image.size == (30, 20)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "abc", "Giá phải là số nguyên"),
        ("price", "0", "Giá phải lớn hơn 0"),
        ("price", "12,5", "Giá phải là số nguyên"),
        ("stock", "-3", "Tồn kho phải là số nguyên"),
        ("stock", "mười", "Tồn kho phải là số nguyên"),
        ("name", "", "Vui lòng điền mục này"),
        ("group", "weapons", "Vui lòng chọn nhóm sản phẩm"),
        ("unit", "tấn", "Vui lòng chọn đơn vị tính"),
    ],
)
def test_bad_input_is_explained_in_vietnamese(signed_in, coop, db, field, value, message):
    response = signed_in.post("/dashboard/products/new", data=product_form(**{field: value}))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_edit_keeps_what_was_typed_on_error(signed_in, coop, make, db):
    product = make.product("Chanh không hạt", coop, price=20_000, stock=12, unit="kg")
    data = product_form(name="Chanh không hạt loại 1", price="abc", stock="15")
    response = signed_in.post(f"/dashboard/products/{product.id}/edit", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Giá phải là số nguyên" in page
    assert 'value="abc"' in page and 'value="Chanh không hạt loại 1"' in page
    assert 'value="15"' in page
    db.session.refresh(product)
    assert (product.name, product.price, product.stock) == ("Chanh không hạt", 20_000, 12)


def test_edit_saves_and_refreshes_the_search_text(signed_in, coop, make, db):
    product = make.product("Chanh không hạt", coop, price=20_000, stock=12)
    data = product_form(
        name="Chanh Long Mỹ", price="22 000", stock="30", stock_seen="12", certifications="HACCP"
    )
    response = signed_in.post(f"/dashboard/products/{product.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(product)
    assert (product.name, product.price, product.stock) == ("Chanh Long Mỹ", 22_000, 30)
    assert product.slug == "chanh-khong-hat"  # links keep working
    assert "chanh long my" in product.search_text and "haccp" in product.search_text
    assert "Chanh Long Mỹ" in signed_in.get("/products?q=long+my").get_data(as_text=True)


def test_edit_adds_a_picture_after_the_others_and_one_can_be_removed(
    signed_in, coop, make, db, upload_folder
):
    product = make.product("Mắm cá linh", coop, pictures=1)
    data = product_form(
        name="Mắm cá linh", stock="10", picture=(io.BytesIO(picture_bytes()), "mam.png")
    )
    assert signed_in.post(f"/dashboard/products/{product.id}/edit", data=data).status_code == 302
    images = db.session.scalars(
        select(ProductImage)
        .where(ProductImage.product_id == product.id)
        .order_by(ProductImage.position)
    ).all()
    assert [i.path.startswith("uploads/") for i in images] == [False, True]
    assert images[1].position == 1
    (demo_id, uploaded_id), path = [i.id for i in images], images[1].path
    name = path.removeprefix("uploads/")
    thumb = uploads.thumbnail_path(path).removeprefix("uploads/")
    assert {name, thumb} <= stored_files(upload_folder)

    url = f"/dashboard/products/{product.id}/images/{uploaded_id}/delete"
    assert signed_in.post(url).status_code == 302
    db.session.expunge_all()
    assert db.session.get(ProductImage, uploaded_id) is None
    assert db.session.get(ProductImage, demo_id) is not None
    assert not {name, thumb} & stored_files(upload_folder)


def test_edit_does_not_undo_an_order_placed_meanwhile(signed_in, coop, make, db):
    product = make.product("Khóm", coop, price=20_000, stock=10)
    product.stock = 8  # two sold after the form was opened (it showed 10)
    db.session.commit()
    data = product_form(name="Khóm", price="21000", stock="15", stock_seen="10")
    response = signed_in.post(f"/dashboard/products/{product.id}/edit", data=data)
    assert response.status_code == 200
    assert "Tồn kho vừa thay đổi" in response.get_data(as_text=True)
    db.session.refresh(product)
    assert (product.price, product.stock) == (20_000, 8)


def test_hide_removes_from_the_catalogue_and_show_brings_back(signed_in, coop, make, db):
    product = make.product("Bánh pía", coop)
    assert "Bánh pía" in signed_in.get("/products").get_data(as_text=True)

    url = f"/dashboard/products/{product.id}/visibility"
    response = signed_in.post(url, data={"active": "0"})
    assert response.status_code == 302
    assert "Đã ẩn" in signed_in.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(product)
    assert (product.active, product.listed) == (False, False)
    assert "Bánh pía" not in signed_in.get("/products").get_data(as_text=True)
    assert signed_in.get(f"/products/{product.slug}").status_code == 404
    assert "Bánh pía" in signed_in.get("/dashboard/products").get_data(as_text=True)

    signed_in.post(url, data={"active": "1"}, follow_redirects=True)
    db.session.refresh(product)
    assert (product.active, product.listed) == (True, True)
    assert "Bánh pía" in signed_in.get("/products").get_data(as_text=True)


def test_hide_with_htmx_answers_the_row(signed_in, coop, make):
    product = make.product("Bánh pía", coop)
    response = signed_in.post(
        f"/dashboard/products/{product.id}/visibility",
        data={"active": "0"},
        headers={"HX-Request": "true"},
    )
    part = response.get_data(as_text=True)
    assert part.lstrip().startswith(f'<li class="card dash-product" id="product-{product.id}"')
    assert "Hiện lại trong cửa hàng" in part and "<html" not in part


def test_inline_edit_with_htmx_returns_the_row(signed_in, coop, make, db):
    product = make.product("Cá thát lát", coop, price=185_000, stock=5)
    response = signed_in.post(
        f"/dashboard/products/{product.id}/inline",
        data={"price": "190.000", "stock": "12", "stock_seen": "5"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    part = response.get_data(as_text=True)
    assert part.lstrip().startswith(f'<li class="card dash-product" id="product-{product.id}"')
    assert "<html" not in part and "Đã lưu" in part
    assert 'value="190.000"' in part and 'value="12"' in part
    db.session.refresh(product)
    assert (product.price, product.stock) == (190_000, 12)


def test_inline_edit_without_htmx_redirects_back(signed_in, coop, make, db):
    product = make.product("Cá thát lát", coop, price=185_000, stock=5)
    response = signed_in.post(
        f"/dashboard/products/{product.id}/inline",
        data={"price": "180000", "stock": "0", "stock_seen": "5"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/dashboard/products#product-{product.id}"
    db.session.refresh(product)
    assert (product.price, product.stock) == (180_000, 0)
    page = signed_in.get("/dashboard/products").get_data(as_text=True)
    assert "Đã lưu giá và tồn kho" in page


def test_inline_edit_bad_input_keeps_it_and_saves_nothing(signed_in, coop, make, db):
    product = make.product("Cá thát lát", coop, price=185_000, stock=5)
    url = f"/dashboard/products/{product.id}/inline"
    with_htmx = signed_in.post(
        url, data={"price": "rẻ", "stock": "3"}, headers={"HX-Request": "true"}
    )
    part = with_htmx.get_data(as_text=True)
    assert with_htmx.status_code == 200 and "<html" not in part
    assert "Giá phải là số nguyên" in part and 'value="rẻ"' in part

    without = signed_in.post(url, data={"price": "100000", "stock": "-1"})
    page = without.get_data(as_text=True)
    assert without.status_code == 200 and "<html" in page
    assert "Tồn kho phải là số nguyên" in page and 'value="-1"' in page
    db.session.refresh(product)
    assert (product.price, product.stock) == (185_000, 5)


def test_inline_price_change_leaves_stock_sold_meanwhile_alone(signed_in, coop, make, db):
    product = make.product("Cá thát lát", coop, price=185_000, stock=10)
    product.stock = 8  # sold while the list was open; the form still shows 10
    db.session.commit()
    response = signed_in.post(
        f"/dashboard/products/{product.id}/inline",
        data={"price": "175000", "stock": "10", "stock_seen": "10"},
    )
    assert response.status_code == 302
    db.session.refresh(product)
    assert (product.price, product.stock) == (175_000, 8)


def test_inline_stock_change_refused_when_stock_moved(signed_in, coop, make, db):
    product = make.product("Cá thát lát", coop, price=185_000, stock=10)
    product.stock = 8
    db.session.commit()
    response = signed_in.post(
        f"/dashboard/products/{product.id}/inline",
        data={"price": "185000", "stock": "20", "stock_seen": "10"},
        headers={"HX-Request": "true"},
    )
    part = response.get_data(as_text=True)
    assert "Tồn kho vừa thay đổi" in part and "hiện còn 8" in part
    assert 'name="stock_seen" type="hidden" value="8"' in part
    db.session.refresh(product)
    assert product.stock == 8


# --- orders ------------------------------------------------------------------------------


@pytest.fixture()
def fish(make, coop):
    return make.product("Cá thát lát", coop, price=100_000, stock=10)


def test_order_list_is_the_cooperatives_own_and_filters_by_status(signed_in, coop, fish, other, db):
    waiting = make_order(db, coop, [(fish, 1)], status="pending")
    confirmed = make_order(db, coop, [(fish, 2)], status="confirmed")
    other_coop, other_product = other
    theirs = make_order(db, other_coop, [(other_product, 1)])

    page = signed_in.get("/dashboard/orders").get_data(as_text=True)
    assert waiting.code in page and confirmed.code in page and theirs.code not in page

    pending_only = signed_in.get("/dashboard/orders?status=pending").get_data(as_text=True)
    assert waiting.code in pending_only and confirmed.code not in pending_only
    confirmed_only = signed_in.get("/dashboard/orders?status=confirmed").get_data(as_text=True)
    assert confirmed.code in confirmed_only and waiting.code not in confirmed_only
    nonsense = signed_in.get("/dashboard/orders?status=%27%3B--").get_data(as_text=True)
    assert waiting.code in nonsense and confirmed.code in nonsense


def test_order_page_shows_lines_buyer_and_timeline(signed_in, coop, fish, db):
    order = make_order(db, coop, [(fish, 3)], payment="vietqr", name="Trần Thị Mai")
    page = signed_in.get(f"/dashboard/orders/{order.id}").get_data(as_text=True)
    assert "Cá thát lát" in page and "Trần Thị Mai" in page and "0912345678" in page
    assert "12 Lê Lợi, Phường Ninh Kiều, Cần Thơ" in page
    assert "Xác nhận đơn" in page and "Đã nhận chuyển khoản" in page and "Hủy đơn" in page
    assert "Chờ xác nhận" in page


def test_status_moves_are_recorded_with_the_actor(signed_in, coop, owner, fish, db):
    order = make_order(db, coop, [(fish, 1)])
    for to_status, note in (("confirmed", ""), ("shipping", "GHTK 123456"), ("delivered", "")):
        response = signed_in.post(
            f"/dashboard/orders/{order.id}/status",
            data={"to": to_status, "note": note},
            follow_redirects=True,
        )
        assert response.status_code == 200
        db.session.refresh(order)
        assert order.status == to_status
    events = db.session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
    ).all()
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [
        (None, "pending", None),
        ("pending", "confirmed", owner.id),
        ("confirmed", "shipping", owner.id),
        ("shipping", "delivered", owner.id),
    ]
    assert events[2].note == "GHTK 123456"
    page = signed_in.get(f"/dashboard/orders/{order.id}").get_data(as_text=True)
    assert "GHTK 123456" in page and "Nguyễn Văn Như" in page


@pytest.mark.parametrize(
    ("status", "to_status"),
    [
        ("pending", "delivered"),
        ("pending", "shipping"),
        ("delivered", "confirmed"),
        ("cancelled", "confirmed"),
        ("pending", "cancelled"),  # cancelling goes through the form with a reason
        ("pending", "paid"),
        ("pending", "nonsense"),
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(signed_in, coop, fish, db, status, to_status):
    order = make_order(db, coop, [(fish, 1)], status=status)
    response = signed_in.post(
        f"/dashboard/orders/{order.id}/status", data={"to": to_status}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Không thể chuyển đơn" in response.get_data(as_text=True)
    db.session.refresh(order)
    assert order.status == status
    assert len(order.events) == 1
    assert db.session.get(Product, fish.id).stock == 10


def test_the_same_move_again_is_told_and_records_nothing_more(signed_in, coop, fish, db):
    order = make_order(db, coop, [(fish, 1)])
    url = f"/dashboard/orders/{order.id}/status"
    first = signed_in.post(url, data={"to": "confirmed"}, follow_redirects=True)
    assert "“Chờ xác nhận” → “Đã xác nhận”" in first.get_data(as_text=True)
    again = signed_in.post(url, data={"to": "confirmed"}, follow_redirects=True)
    assert again.status_code == 200
    assert "đã ở trạng thái “Đã xác nhận” từ trước" in again.get_data(as_text=True)
    db.session.refresh(order)
    assert order.status == "confirmed"
    assert [e.to_status for e in order.events] == ["pending", "confirmed"]


def test_cancel_with_reason_returns_stock_exactly_once(signed_in, coop, owner, fish, db):
    fish.stock = 7  # three were taken by the order
    order = make_order(db, coop, [(fish, 3)], status="confirmed")
    url = f"/dashboard/orders/{order.id}/cancel"
    first = signed_in.post(url, data={"reason": "Hết cá size lớn"}, follow_redirects=True)
    assert "Đã hủy đơn" in first.get_data(as_text=True)
    second = signed_in.post(url, data={"reason": "Hết cá size lớn"}, follow_redirects=True)
    assert second.status_code == 200
    assert "đã ở trạng thái “Đã hủy” từ trước" in second.get_data(as_text=True)

    db.session.refresh(order)
    assert order.status == "cancelled" and order.cancel_reason == "Hết cá size lớn"
    assert db.session.get(Product, fish.id).stock == 10
    cancels = [e for e in order.events if e.to_status == "cancelled"]
    assert [(e.actor_id, e.note) for e in cancels] == [(owner.id, "Hết cá size lớn")]


def test_cancel_needs_a_reason(signed_in, coop, fish, db):
    order = make_order(db, coop, [(fish, 1)])
    response = signed_in.post(
        f"/dashboard/orders/{order.id}/cancel", data={"reason": "   "}, follow_redirects=True
    )
    assert "Vui lòng ghi lý do hủy" in response.get_data(as_text=True)
    db.session.refresh(order)
    assert order.status == "pending"


def test_a_shipping_order_cannot_be_cancelled(signed_in, coop, fish, db):
    order = make_order(db, coop, [(fish, 1)], status="shipping")
    response = signed_in.post(
        f"/dashboard/orders/{order.id}/cancel", data={"reason": "Đổi ý"}, follow_redirects=True
    )
    assert "Không thể hủy đơn" in response.get_data(as_text=True)
    db.session.refresh(order)
    assert order.status == "shipping"
    assert db.session.get(Product, fish.id).stock == 10


def test_mark_paid_only_for_vietqr_and_only_once(signed_in, coop, owner, fish, db):
    transfer = make_order(db, coop, [(fish, 1)], payment="vietqr")
    url = f"/dashboard/orders/{transfer.id}/paid"
    first = signed_in.post(url, follow_redirects=True).get_data(as_text=True)
    assert "đã được thanh toán" in first
    second = signed_in.post(url, follow_redirects=True).get_data(as_text=True)
    assert "đã được ghi nhận thanh toán trước đó" in second
    db.session.refresh(transfer)
    assert transfer.paid_at is not None
    paid = [e for e in transfer.events if e.to_status == "paid"]
    assert [e.actor_id for e in paid] == [owner.id]

    cash = make_order(db, coop, [(fish, 1)], payment="cod")
    page = signed_in.post(f"/dashboard/orders/{cash.id}/paid", follow_redirects=True)
    assert "Chỉ xác nhận chuyển khoản cho đơn thanh toán bằng VietQR" in page.get_data(as_text=True)
    db.session.refresh(cash)
    assert cash.paid_at is None and len(cash.events) == 1


def test_busy_database_gives_a_try_again_message(signed_in, coop, fish, db, monkeypatch):
    order = make_order(db, coop, [(fish, 1)])

    def busy(*_args, **_kwargs):
        raise TryAgain()

    monkeypatch.setattr("marketplace.orders.change_status", busy)
    response = signed_in.post(
        f"/dashboard/orders/{order.id}/status", data={"to": "confirmed"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Hệ thống đang bận" in response.get_data(as_text=True)


# --- sales -------------------------------------------------------------------------------

TODAY = date(2025, 6, 15)


@pytest.fixture()
def sales(db, coop, make, other):
    khom = make.product("Khóm", coop, price=10_000, stock=100, unit="trái")
    fish = make.product("Cá thát lát", coop, price=50_000, stock=100)

    def at(*parts):
        return utc(datetime(*parts))

    make_order(db, coop, [(khom, 5), (fish, 1)], status="delivered", created_at=at(2025, 6, 10, 9))
    # 00:30 on 1 June in Hậu Giang is still 31 May in UTC: it is a June sale.
    make_order(db, coop, [(fish, 1)], status="confirmed", created_at=at(2025, 6, 1, 0, 30))
    make_order(db, coop, [(khom, 7)], status="shipping", created_at=at(2025, 5, 20, 15))
    make_order(db, coop, [(khom, 99)], status="cancelled", created_at=at(2025, 5, 21))
    make_order(db, coop, [(fish, 9)], status="pending", created_at=at(2025, 6, 12))
    make_order(db, coop, [(fish, 4)], status="delivered", created_at=at(2024, 6, 30, 23))
    make_order(db, coop, [(khom, 2)], status="delivered", created_at=at(2024, 7, 1, 0, 5))
    other_coop, other_product = other
    make_order(db, other_coop, [(other_product, 3)], status="delivered", created_at=at(2025, 6, 2))
    return khom, fish


def test_sales_by_month(db, coop, sales):
    months = sales_by_month(coop.id, TODAY)
    assert len(months) == 12
    assert months[0].month == date(2024, 7, 1) and months[-1].month == date(2025, 6, 1)
    figures = {m.month: (m.orders, m.revenue) for m in months if m.orders}
    assert figures == {
        date(2025, 6, 1): (2, 150_000),
        date(2025, 5, 1): (1, 70_000),
        date(2024, 7, 1): (1, 20_000),
    }


def test_top_products(db, coop, sales):
    khom, fish = sales
    top = top_products(coop.id, TODAY)
    assert [(t.product_id, t.quantity, t.revenue) for t in top] == [
        (khom.id, 14, 140_000),
        (fish.id, 2, 100_000),
    ]


def test_sales_chart_geometry(app, db, coop, sales):
    with app.test_request_context():
        chart = sales_chart(sales_by_month(coop.id, TODAY))
    widths = [bar.width for bar in chart.bars]
    assert max(widths) == chart.width and widths[-1] == chart.width  # June is the best month
    assert widths[-2] == round(chart.width * 70_000 / 150_000, 1)
    assert widths[1] == 0
    assert chart.bars[-1].label == "06/2025"


def test_sales_page_draws_bars_and_a_table(signed_in, coop, make, db):
    product = make.product("Khóm", coop, price=12_345, stock=100)
    make_order(db, coop, [(product, 2)], status="delivered")
    page = signed_in.get("/dashboard/sales").get_data(as_text=True)
    assert page.count('<g class="dash-chart-row">') == 12
    assert page.count('class="dash-chart-bar"') == 12 and "<script" not in page.split("</head>")[1]
    assert "24.690" in page and "Khóm" in page
    assert "<table" in page


# --- CSV ---------------------------------------------------------------------------------


def test_csv_has_bom_header_and_one_row_per_order(signed_in, coop, fish, other, db):
    first = make_order(db, coop, [(fish, 2)], status="delivered", payment="vietqr")
    second = make_order(db, coop, [(fish, 1)], name='=HYPERLINK("x")', province="Hà Nội")
    other_coop, other_product = other
    make_order(db, other_coop, [(other_product, 1)])

    response = signed_in.get("/dashboard/orders.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:10] == [
        "Mã đơn",
        "Ngày đặt",
        "Tình trạng",
        "Người mua",
        "Số điện thoại",
        "Tỉnh / thành phố",
        "Tiền hàng",
        "Phí giao hàng",
        "Tổng cộng",
        "Thanh toán",
    ]
    assert len(rows) == 3
    assert rows[1][:9] == [
        first.code,
        rows[1][1],
        "Đã giao",
        "Nguyễn Thị Lan",
        "0912345678",
        "Cần Thơ",
        "200000",
        "20000",
        "220000",
    ]
    assert rows[2][0] == second.code and rows[2][3] == '\'=HYPERLINK("x")'


# --- the owner check on every route ------------------------------------------------------

PRODUCT_ROUTES = [
    ("get", "/dashboard/products/{product}/edit"),
    ("post", "/dashboard/products/{product}/edit"),
    ("post", "/dashboard/products/{product}/inline"),
    ("post", "/dashboard/products/{product}/visibility"),
    ("post", "/dashboard/products/{product}/images/{image}/delete"),
]
ORDER_ROUTES = [
    ("get", "/dashboard/orders/{order}"),
    ("post", "/dashboard/orders/{order}/status"),
    ("post", "/dashboard/orders/{order}/cancel"),
    ("post", "/dashboard/orders/{order}/paid"),
    ("post", "/dashboard/orders/{order}/refunds/{refund}"),
]
TRANSACTION_ROUTES = [
    ("post", "/dashboard/payments/transactions/{transaction}/assign"),
    ("post", "/dashboard/payments/transactions/{transaction}/dismiss"),
]
LOT_ROUTES = [
    ("get", "/dashboard/lots/{lot}/labels.pdf"),
    ("get", "/dashboard/lots/{lot}/recall"),
    ("post", "/dashboard/lots/{lot}/recall"),
]
REVIEW_ROUTES = [("post", "/dashboard/reviews/{review}/reply")]
OWNED_ROUTES = PRODUCT_ROUTES + ORDER_ROUTES + TRANSACTION_ROUTES + LOT_ROUTES + REVIEW_ROUTES


@pytest.fixture()
def theirs(db, make, other):
    cooperative, product = other
    order = make_order(db, cooperative, [(product, 2)], payment="vietqr")
    refund = Refund(
        payee_id=cooperative.id, payable_kind="order", payable_id=order.id, amount=5_000,
        reason="overpaid",
    )  # fmt: skip
    db.session.add(refund)
    db.session.commit()
    credit = matching.take_in(
        cooperative.id, BankLine("sepay", "1", order.created_at, 7_000, "in", "chuyen tien")
    )
    # A lot of another of their products: its units would change the stock checked below.
    lot = record_lot(make.product("Lô của HTX khác", cooperative), quantity=3, packed_on=date(2026, 1, 5))  # fmt: skip
    review = ProductReview(
        order_line_id=order.lines[0].id, product_id=product.id, author_name="Lan N.", stars=5
    )
    db.session.add(review)
    db.session.commit()
    return {
        "product": product.id, "image": product.images[0].id, "order": order.id,
        "refund": refund.id, "transaction": credit.id, "lot": lot.id, "review": review.id,
    }  # fmt: skip


@pytest.mark.parametrize(("method", "url"), OWNED_ROUTES)
def test_another_cooperatives_objects_are_not_found(signed_in, coop, theirs, db, method, url):
    data = {
        **product_form(),
        "active": "0",
        "to": "confirmed",
        "reason": "thử",
        "stock_seen": "9",
        "bank_reference": "FT26001",
        "code": "HG-2026-000001-1",
        "reply": "Cảm ơn",
    }
    kwargs = {"data": data} if method == "post" else {}
    response = getattr(signed_in, method)(url.format(**theirs), **kwargs)
    assert response.status_code == 404

    product = db.session.get(Product, theirs["product"])
    order = db.session.get(Order, theirs["order"])
    assert (product.name, product.active, product.stock) == ("Sản phẩm của HTX khác", True, 9)
    assert len(product.images) == 1
    assert (order.status, order.paid_at) == ("pending", None)
    assert db.session.get(Refund, theirs["refund"]).status == "due"
    assert db.session.get(BankTransaction, theirs["transaction"]).status == "unmatched"
    assert db.session.get(ProductReview, theirs["review"]).reply == ""
    assert db.session.get(Lot, theirs["lot"]).status == "selling"


def test_own_product_with_another_products_image_is_not_found(signed_in, coop, make, theirs):
    mine = make.product("Của tôi", coop)
    url = f"/dashboard/products/{mine.id}/images/{theirs['image']}/delete"
    assert signed_in.post(url).status_code == 404


def test_every_dashboard_route_with_an_id_is_in_the_owner_check(app):
    """A new dashboard route taking an id must be added to the lists above."""
    listed = {(method.upper(), url) for method, url in OWNED_ROUTES}
    found = set()
    for rule in app.url_map.iter_rules():
        shared = ("dashboard.upload",)
        ours = rule.endpoint.startswith("dashboard.") and rule.endpoint not in shared
        if ours and rule.arguments:
            url = re.sub(r"<(?:int:)?(\w+)_id>", r"{\1}", rule.rule)
            found |= {(method, url) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert found == listed


def test_sales_and_csv_of_another_cooperative_are_not_mixed_in(signed_in, coop, other, db):
    other_coop, other_product = other
    make_order(db, other_coop, [(other_product, 3)], status="delivered")
    page = signed_in.get("/dashboard/sales").get_data(as_text=True)
    assert "Sản phẩm của HTX khác" not in page
    rows = signed_in.get("/dashboard/orders.csv").get_data().decode("utf-8-sig").splitlines()
    assert len(rows) == 1


def test_order_created_now_counts_in_this_month(db, coop, fish):
    make_order(db, coop, [(fish, 1)], status="confirmed")
    today = datetime.now(VIETNAM).date()
    assert sales_by_month(coop.id, today)[-1].revenue == 100_000
    assert sales_by_month(coop.id, today + timedelta(days=40))[-1].revenue == 0


# --- the same form twice, and what no form should hold ------------------------------------


def _new_product_page_form(client) -> dict:
    """The new-product form as its page gives it (with its one-time token), filled in."""
    page = client.get("/dashboard/products/new").get_data(as_text=True)
    token = re.search(r'id="form_token" name="form_token" type="hidden" value="([^"]+)"', page)
    assert token, "the new-product page carries no form_token"
    return product_form(form_token=token.group(1))


def test_the_new_product_form_sent_twice_makes_one_product(signed_in, coop, db):
    data = _new_product_page_form(signed_in)
    first = signed_in.post("/dashboard/products/new", data=data)
    second = signed_in.post("/dashboard/products/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    [product] = db.session.scalars(select(Product).where(Product.cooperative_id == coop.id))
    assert first.headers["Location"].endswith(f"#product-{product.id}")
    page = signed_in.get(second.headers["Location"]).get_data(as_text=True)
    assert "Biểu mẫu này đã được gửi trước đó" in page
    # A new page is a new form: the same name again makes a second product, its own slug.
    assert signed_in.post("/dashboard/products/new", data=_new_product_page_form(signed_in))
    slugs = db.session.scalars(select(Product.slug).order_by(Product.id)).all()
    assert slugs == ["khom-mat-cau-duc", "khom-mat-cau-duc-2"]


@pytest.mark.parametrize("token", [None, "", "junk", "t" * 500])
def test_a_new_product_form_without_a_token_of_ours_makes_nothing_and_keeps_what_was_typed(
    signed_in, coop, db, token
):
    data = product_form(name="Mắm cá lóc")
    if token is None:
        del data["form_token"]
    else:
        data["form_token"] = token
    response = signed_in.post("/dashboard/products/new", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Trang thêm sản phẩm đã cũ nên chưa lưu gì" in body
    assert 'value="Mắm cá lóc"' in body
    fresh = re.search(r'id="form_token" name="form_token" type="hidden" value="([^"]+)"', body)
    assert fresh and len(fresh.group(1)) <= 64 and fresh.group(1) != token
    assert db.session.scalar(select(func.count(Product.id))) == 0
    data["form_token"] = fresh.group(1)
    assert signed_in.post("/dashboard/products/new", data=data).status_code == 302
    assert db.session.scalar(select(func.count(Product.id))) == 1


def test_two_products_of_the_same_name_at_the_same_moment_get_their_own_slugs(app, db, coop):
    """The slug's unique constraint refusing a slug taken at the same moment is the next slug,
    never an error (on PostgreSQL the two inserts really meet)."""
    from marketplace.products import ProductData, create_product

    data = ProductData("Khóm mật", "food", "", "kg", 25_000, 5, "")
    cooperative_id = coop.id

    def run():
        from core.extensions import db as _db
        from marketplace.models import Cooperative

        cooperative = _db.session.get(Cooperative, cooperative_id)
        return create_product(cooperative, data, upload_folder="/nowhere").slug

    results = at_once(app, *[run] * 4)
    assert sorted(map(str, results)) == [
        "khom-mat",
        "khom-mat-2",
        "khom-mat-3",
        "khom-mat-4",
    ], results


def test_saving_the_same_stock_twice_is_saving_it_once(signed_in, coop, make, db):
    product = make.product("Khóm", coop, price=20_000, stock=10)
    data = product_form(name="Khóm", price="21000", stock="15", stock_seen="10")
    url = f"/dashboard/products/{product.id}/edit"
    assert signed_in.post(url, data=data).status_code == 302
    again = signed_in.post(url, data=data)  # the form resent: its stock is there already
    assert again.status_code == 302
    db.session.refresh(product)
    assert (product.price, product.stock) == (21_000, 15)


@pytest.mark.parametrize("stock_seen", ["abc", "2147483648", "9" * 400, "-1"])
def test_a_stock_seen_that_is_no_stock_is_told_on_the_stock_field(
    signed_in, coop, make, db, stock_seen
):
    product = make.product("Khóm", coop, price=20_000, stock=10)
    data = product_form(name="Khóm", price="21000", stock="15", stock_seen=stock_seen)
    for url, form in (
        (f"/dashboard/products/{product.id}/edit", data),
        (f"/dashboard/products/{product.id}/inline", {"price": "21000", "stock": "15", "stock_seen": stock_seen}),
    ):  # fmt: skip
        response = signed_in.post(url, data=form)
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Không rõ tồn kho lúc bạn mở trang" in body
        assert 'name="stock_seen" type="hidden" value="10"' in body  # the stock as it is now
        db.session.refresh(product)
        assert (product.price, product.stock) == (20_000, 10)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "2147483648", "Giá phải lớn hơn 0"),
        ("price", "9" * 400, "Giá phải là số nguyên"),
        ("stock", "2147483648", "Tồn kho từ 0 đến 1.000.000"),
        ("stock", "9" * 400, "Tồn kho phải là số nguyên"),
    ],
)
def test_numbers_past_integer_are_a_message_on_the_field(
    signed_in, coop, make, db, field, value, message
):
    product = make.product("Khóm", coop, price=20_000, stock=10)
    for url in (
        f"/dashboard/products/{product.id}/inline",
        f"/dashboard/products/{product.id}/edit",
    ):
        data = product_form(name="Khóm", stock_seen="10", **{field: value})
        response = signed_in.post(url, data=data)
        assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.session.refresh(product)
    assert (product.price, product.stock) == (20_000, 10)


def test_deleting_a_picture_twice_is_told_it_is_gone(signed_in, coop, make, db):
    product = make.product("Mắm cá linh", coop, pictures=2)
    image_id = product.images[0].id
    url = f"/dashboard/products/{product.id}/images/{image_id}/delete"
    assert signed_in.post(url).status_code == 302
    again = signed_in.post(url, follow_redirects=True)
    assert again.status_code == 200
    assert "Ảnh này đã được xóa trước đó." in again.get_data(as_text=True)
    db.session.expunge_all()
    assert db.session.scalar(select(func.count(ProductImage.id))) == 1


def test_hiding_twice_is_hiding_once(signed_in, coop, make, db):
    product = make.product("Bánh pía", coop)
    url = f"/dashboard/products/{product.id}/visibility"
    for _ in range(2):
        response = signed_in.post(url, data={"active": "0"}, follow_redirects=True)
        assert response.status_code == 200 and "Đã ẩn" in response.get_data(as_text=True)
    db.session.refresh(product)
    assert (product.active, product.listed) == (False, False)


def test_a_transfer_confirmed_twice_is_told_once_recorded(signed_in, coop, fish, db):
    order = make_order(db, coop, [(fish, 1)], payment="vietqr")
    url = f"/dashboard/orders/{order.id}/paid"
    signed_in.post(url)
    again = signed_in.post(url, follow_redirects=True)
    assert "đã được ghi nhận thanh toán trước đó" in again.get_data(as_text=True)
    db.session.refresh(order)
    assert [e.to_status for e in order.events] == ["pending", "paid"]


def test_two_sign_ups_of_the_same_cooperative_name_at_once_get_their_own_slugs(app, db, make):
    from core.db import write_transaction
    from marketplace.cooperatives import register_cooperative
    from marketplace.models import Cooperative

    district_id = make.district().id

    def run(n):
        with write_transaction():
            register_cooperative(
                email=f"htx{n}@example.vn", name="Chị Lan", password=TEST_PASSWORD,
                phone=None, cooperative_name="HTX Khóm Cầu Đúc", kind="cooperative",
                district_id=district_id,
            )  # fmt: skip
        return "ok"

    results = at_once(app, *[lambda n=n: run(n) for n in range(3)])
    assert results == ["ok"] * 3, results
    db.session.rollback()  # end the test's snapshot: read what the others committed
    slugs = db.session.scalars(select(Cooperative.slug).order_by(Cooperative.slug)).all()
    assert slugs == ["htx-khom-cau-duc", "htx-khom-cau-duc-2", "htx-khom-cau-duc-3"]
