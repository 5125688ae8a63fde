"""A listing's photos: the host uploads several at once (the pictures' pipeline of core.uploads),
reorders them, picks the cover, describes and deletes them; another host cannot touch them;
the public page shows a gallery that works without JavaScript; two clicks at once never leave
two photos at one position. The demo's listings each have their own drawings."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from core import uploads
from core.submissions import new_form_token
from tests.concurrency import at_once
from tests.conftest import TEST_PASSWORD
from tourism import demo_drawings, photos
from tourism.models import Listing, ListingImage

# --- helpers and fixtures ------------------------------------------------------------------


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, "login failed"


def text(response) -> str:
    return response.get_data(as_text=True)


def picture(colour=(200, 120, 30), size=(64, 48), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


def files(*names_and_bytes) -> list:
    return [(io.BytesIO(content), name) for name, content in names_and_bytes]


def upload_form(*names_and_bytes, token=None) -> dict:
    return {"form_token": token or new_form_token(), "photos": files(*names_and_bytes)}


def _listing(db, host, slug, title) -> Listing:
    listing = Listing(
        host=host, kind="homestay", slug=slug, title=title, district_id=host.district_id,
        price=400_000, capacity=3, max_guests=2, free_cancel_days=3, late_cancel_fee_percent=50,
    )  # fmt: skip
    db.session.add(listing)
    db.session.commit()
    return listing


@pytest.fixture()
def stay(db, mine):
    return _listing(db, mine, "homestay-hoa-tien", "Homestay Hỏa Tiến")


@pytest.fixture()
def theirs(db, make):
    other = make.cooperative("HTX Bưởi Mương Đình", owner=make.user(role="cooperative"))
    listing = _listing(db, other, "homestay-muong-dinh", "Homestay Mương Đình")
    added = photos.add_photos(
        other.id, listing.id, _prepared(2), upload_folder=uploads.upload_folder(), alt="Vườn"
    )
    return listing, [p.id for p in added]


@pytest.fixture()
def signed_in(client, owner, mine):
    login(client, owner)
    return client


@pytest.fixture()
def folder(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


def _prepared(n: int) -> list:
    return [uploads.prepare_image(io.BytesIO(picture((20 * i, 100, 150)))) for i in range(n)]


def with_photos(mine, stay, n: int) -> list[int]:
    added = photos.add_photos(
        mine.id, stay.id, _prepared(n), upload_folder=uploads.upload_folder(), alt="Ảnh"
    )
    return [p.id for p in added]


def order_of(db, listing_id) -> list[tuple[int, int]]:
    """(position, id) of the listing's photos, as the database has them."""
    db.session.rollback()
    return db.session.execute(
        select(ListingImage.position, ListingImage.id)
        .where(ListingImage.listing_id == listing_id)
        .order_by(ListingImage.position, ListingImage.id)
    ).all()


def ids_in_order(db, listing_id) -> list[int]:
    rows = order_of(db, listing_id)
    assert [p for p, _id in rows] == list(range(len(rows))), f"positions not 0..n-1: {rows}"
    return [i for _p, i in rows]


def photo_count(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(ListingImage.id)))


def stored(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def url(stay, tail="") -> str:
    return f"/dashboard/tourism/{stay.id}/photos{tail}"


# --- upload ----------------------------------------------------------------------------------


def test_the_listing_page_links_to_its_photos(signed_in, stay):
    page = text(signed_in.get(f"/dashboard/tourism/{stay.id}"))
    assert f'href="{url(stay)}"' in page


def test_upload_several_photos_at_once(signed_in, db, stay, folder):
    page = text(signed_in.get(url(stay)))
    assert 'type="file"' in page and "multiple" in page and 'enctype="multipart/form-data"' in page
    before = stored(folder)
    response = signed_in.post(
        url(stay),
        data=upload_form(
            ("phong.png", picture()),
            ("vuon.jpg", picture(fmt="JPEG")),
            ("ben.webp", picture(fmt="WEBP")),
        ),  # fmt: skip
    )
    assert response.status_code == 302
    rows = db.session.scalars(
        select(ListingImage).where(ListingImage.listing_id == stay.id).order_by("position")
    ).all()
    assert [r.position for r in rows] == [0, 1, 2]
    assert all(r.path.startswith("uploads/") and r.alt == "Homestay Hỏa Tiến" for r in rows)
    names = {r.path.removeprefix("uploads/") for r in rows}
    thumbs = {uploads.thumbnail_path(r.path).removeprefix("uploads/") for r in rows}
    assert stored(folder) - before == names | thumbs
    assert response.headers["Location"].endswith(f"#photo-{rows[0].id}")
    page = text(signed_in.get(response.headers["Location"]))
    assert "Đã thêm 3 ảnh." in page and "Ảnh bìa" in page
    db.session.expire_all()
    assert db.session.get(Listing, stay.id).cover.id == rows[0].id


def test_a_file_that_is_not_a_picture_is_named_and_nothing_is_saved(signed_in, db, mine, stay):
    kept = with_photos(mine, stay, 1)
    response = signed_in.post(
        url(stay), data=upload_form(("phong.png", picture()), ("giay-to.pdf", b"%PDF-1.4 ..."))
    )
    assert response.status_code == 200
    page = text(response)
    assert "“giay-to.pdf”" in page and "không phải là ảnh" in page
    assert "Chưa lưu ảnh nào của lần gửi này" in page
    assert ids_in_order(db, stay.id) == kept  # the photo saved before stays


def test_a_picture_over_the_size_limit_is_refused_with_its_name(
    signed_in, db, stay, app, monkeypatch
):
    monkeypatch.setitem(app.config, "DASHBOARD_MAX_IMAGE_BYTES", 4000)
    noisy = io.BytesIO()
    Image.effect_noise((60, 60), 100).convert("RGB").save(noisy, "PNG")
    assert 4000 < len(noisy.getvalue()) < 16000
    response = signed_in.post(
        url(stay), data=upload_form(("nho.png", picture()), ("to.png", noisy.getvalue()))
    )
    page = text(response)
    assert response.status_code == 200 and "“to.png”" in page and "Ảnh quá lớn" in page
    assert photo_count(db) == 0


def test_a_request_far_over_the_limit_is_a_clear_page(signed_in, db, stay, app, monkeypatch):
    monkeypatch.setitem(app.config, "DASHBOARD_MAX_IMAGE_BYTES", 4000)
    response = signed_in.post(url(stay), data=upload_form(("to.png", b"\0" * 60_000)))
    assert response.status_code == 413
    page = text(response)
    assert "Tệp gửi lên quá lớn" in page and "<html" in page and url(stay) in page
    assert photo_count(db) == 0


def test_too_many_pixels_is_refused(signed_in, db, stay, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PIXELS", 1000)
    response = signed_in.post(url(stay), data=upload_form(("rong.png", picture(size=(64, 48)))))
    assert "quá 40 triệu điểm ảnh" in text(response)
    assert photo_count(db) == 0


def test_over_the_count_limit_nothing_is_saved_and_the_message_says_how_many_fit(
    signed_in, db, mine, stay, folder
):
    kept = with_photos(mine, stay, photos.MAX_PHOTOS - 1)
    before = stored(folder)
    response = signed_in.post(
        url(stay), data=upload_form(("a.png", picture()), ("b.png", picture((1, 2, 3))))
    )
    page = text(response)
    assert response.status_code == 200
    assert f"tối đa {photos.MAX_PHOTOS} ảnh; bạn gửi 2 ảnh" in page
    assert "chỉ thêm được 1 ảnh nữa" in page and "Chưa lưu ảnh nào" in page
    assert ids_in_order(db, stay.id) == kept
    assert stored(folder) == before  # no file of the refused upload is left behind
    # One more fits; then the listing is full.
    assert signed_in.post(url(stay), data=upload_form(("a.png", picture()))).status_code == 302
    full = text(signed_in.post(url(stay), data=upload_form(("c.png", picture()))))
    assert "Chỗ này đã đủ ảnh" in full
    assert photo_count(db) == photos.MAX_PHOTOS


def test_no_file_chosen_is_a_message(signed_in, db, stay):
    response = signed_in.post(url(stay), data={"form_token": new_form_token()})
    assert "Hãy chọn ít nhất một ảnh." in text(response)
    assert photo_count(db) == 0


def test_the_same_upload_sent_twice_adds_the_photos_once(signed_in, db, stay):
    token = new_form_token()
    first = signed_in.post(url(stay), data=upload_form(("a.png", picture()), token=token))
    again = signed_in.post(url(stay), data=upload_form(("a.png", picture()), token=token))
    assert first.headers["Location"] == again.headers["Location"]
    assert photo_count(db) == 1
    assert "đã được gửi trước đó" in text(signed_in.get(again.headers["Location"]))


# --- order, cover, alt, delete ---------------------------------------------------------------


def move(client, stay, photo_id, direction, seen, **headers):
    data = {"direction": direction, "seen": str(seen)}
    return client.post(url(stay, f"/{photo_id}/move"), data=data, headers=headers)


def test_move_down_and_up(signed_in, db, mine, stay):
    a, b, c = with_photos(mine, stay, 3)
    response = move(signed_in, stay, a, "down", 0)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#photo-{a}")
    assert ids_in_order(db, stay.id) == [b, a, c]
    assert "Đã chuyển ảnh xuống." in text(signed_in.get(response.headers["Location"]))
    move(signed_in, stay, c, "up", 2)
    assert ids_in_order(db, stay.id) == [b, c, a]
    # At the edge: nothing moves.
    move(signed_in, stay, b, "up", 0)
    assert ids_in_order(db, stay.id) == [b, c, a]


def test_the_same_move_sent_twice_is_one_move(signed_in, db, mine, stay):
    a, b, c = with_photos(mine, stay, 3)
    move(signed_in, stay, a, "down", 0)
    again = move(signed_in, stay, a, "down", 0)  # the page still showed it first
    assert ids_in_order(db, stay.id) == [b, a, c]
    assert "Thứ tự ảnh vừa thay đổi" in text(signed_in.get(again.headers["Location"]))


@pytest.mark.parametrize(
    "data", [{"direction": "sideways", "seen": "0"}, {"direction": "up", "seen": "x"}, {}]
)
def test_a_move_that_is_no_move_changes_nothing(signed_in, db, mine, stay, data):
    a, b = with_photos(mine, stay, 2)
    response = signed_in.post(url(stay, f"/{b}/move"), data=data)
    assert response.status_code == 302
    assert ids_in_order(db, stay.id) == [a, b]
    assert "Không chuyển được ảnh này" in text(signed_in.get(response.headers["Location"]))


def test_move_with_htmx_answers_the_list_with_its_message(signed_in, db, mine, stay):
    a, b = with_photos(mine, stay, 2)
    response = move(signed_in, stay, b, "up", 1, **{"HX-Request": "true"})
    page = text(response)
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<section class="host-section host-photos" id="photo-list"')
    assert "Đã chuyển ảnh lên." in page
    # The buttons swap the list, and no other element of the page has its id.
    assert set(re.findall(r'hx-target="([^"]+)"', page)) == {"#photo-list"}
    whole = text(signed_in.get(url(stay)))
    assert whole.count('id="photo-list"') == 1
    assert page.index(f'id="photo-{b}"') < page.index(f'id="photo-{a}"')
    assert ids_in_order(db, stay.id) == [b, a]


def test_the_photo_page_works_without_javascript(signed_in, mine, stay):
    a, b, c = with_photos(mine, stay, 3)
    page = text(signed_in.get(url(stay)))
    # Every button is a form that posts by itself; htmx only swaps the list.
    for photo_id in (a, b, c):
        assert f'<form method="post" action="{url(stay, f"/{photo_id}/move")}"' in page
        assert f'action="{url(stay, f"/{photo_id}/delete")}"' in page
        assert f'action="{url(stay, f"/{photo_id}/alt")}"' in page
    assert f'action="{url(stay, f"/{a}/cover")}"' not in page  # already the cover
    assert f'action="{url(stay, f"/{b}/cover")}"' in page
    assert '<details class="confirm" id="delete-photo-' in page and "Không xóa" in page
    assert "<script>" not in page


def test_make_a_photo_the_cover_and_cards_show_it(signed_in, client, db, mine, stay):
    a, b, c = with_photos(mine, stay, 3)
    response = signed_in.post(url(stay, f"/{c}/cover"))
    assert response.status_code == 302
    assert ids_in_order(db, stay.id) == [c, a, b]
    assert signed_in.post(url(stay, f"/{c}/cover")).status_code == 302  # again: nothing more
    assert ids_in_order(db, stay.id) == [c, a, b]
    cover = db.session.get(ListingImage, c)
    thumb = uploads.thumbnail_path(cover.path).removeprefix("uploads/")
    cards = text(client.get("/tourism"))
    assert f"/dashboard/uploads/{thumb}" in cards


def test_describe_a_photo(signed_in, db, mine, stay):
    (a,) = with_photos(mine, stay, 1)
    response = signed_in.post(url(stay, f"/{a}/alt"), data={"alt": "  Phòng ngủ có mùng  "})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(ListingImage, a).alt == "Phòng ngủ có mùng"


def test_a_photo_described_in_english_is_read_so_on_english_pages(signed_in, db, mine, stay):
    (a,) = with_photos(mine, stay, 1)
    data = {"alt": "Phòng ngủ có mùng", "alt_en": " A bedroom with a mosquito net "}
    assert signed_in.post(url(stay, f"/{a}/alt"), data=data).status_code == 302
    db.session.rollback()
    assert db.session.get(ListingImage, a).alt_en == "A bedroom with a mosquito net"
    english = signed_in.get(f"/tourism/{stay.slug}?lang=en").get_data(as_text=True)
    assert 'alt="A bedroom with a mosquito net"' in english
    vietnamese = signed_in.get(f"/tourism/{stay.slug}?lang=vi").get_data(as_text=True)
    assert 'alt="Phòng ngủ có mùng"' in vietnamese


@pytest.mark.parametrize(
    ("alt", "message"), [("   ", "Hãy viết vài chữ về ảnh"), ("ơ" * 201, "Tối đa 200 ký tự.")]
)
def test_a_bad_description_is_explained_and_kept(signed_in, db, mine, stay, alt, message):
    (a,) = with_photos(mine, stay, 1)
    response = signed_in.post(url(stay, f"/{a}/alt"), data={"alt": alt})
    page = text(response)
    assert response.status_code == 200 and message in page
    if alt.strip():
        assert f'value="{alt}"' in page  # what was typed stays
    db.session.rollback()
    assert db.session.get(ListingImage, a).alt == "Ảnh"


def test_delete_a_photo_and_its_files(signed_in, db, mine, stay, folder):
    a, b, c = with_photos(mine, stay, 3)
    path = db.session.get(ListingImage, a).path
    name, thumb = path.removeprefix("uploads/"), uploads.thumbnail_path(path).split("/")[1]
    assert {name, thumb} <= stored(folder)
    response = signed_in.post(url(stay, f"/{a}/delete"))
    assert response.status_code == 302
    assert ids_in_order(db, stay.id) == [b, c]  # the next one is the cover now
    assert not {name, thumb} & stored(folder)
    again = signed_in.post(url(stay, f"/{a}/delete"))
    assert again.status_code == 302
    assert "Ảnh này đã được xóa trước đó." in text(signed_in.get(again.headers["Location"]))
    assert ids_in_order(db, stay.id) == [b, c]


def test_delete_with_htmx_answers_the_list(signed_in, db, mine, stay):
    a, b = with_photos(mine, stay, 2)
    response = signed_in.post(url(stay, f"/{b}/delete"), headers={"HX-Request": "true"})
    page = text(response)
    assert "Đã xóa ảnh." in page and f'id="photo-{b}"' not in page and f'id="photo-{a}"' in page


# --- another host's photos -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "tail"),
    [("get", ""), ("post", ""), ("post", "/{photo}/move"), ("post", "/{photo}/cover"),
     ("post", "/{photo}/delete"), ("post", "/{photo}/alt")],
)  # fmt: skip
@pytest.mark.parametrize("htmx", [False, True])
def test_another_hosts_photos_are_not_found(signed_in, db, folder, theirs, method, tail, htmx):
    listing, their_photos = theirs
    before, files_before = order_of(db, listing.id), stored(folder)
    data = {
        **upload_form(("a.png", picture())),
        "direction": "down",
        "seen": "0",
        "alt": "Đã bị đổi",
    }
    headers = {"HX-Request": "true"} if htmx else {}
    address = f"/dashboard/tourism/{listing.id}/photos" + tail.format(photo=their_photos[1])
    kwargs = {"data": data} if method == "post" else {}
    response = getattr(signed_in, method)(address, headers=headers, **kwargs)
    assert response.status_code == 404
    assert order_of(db, listing.id) == before and stored(folder) == files_before
    assert {db.session.get(ListingImage, i).alt for i in their_photos} == {"Vườn"}


@pytest.mark.parametrize("action", ["move", "cover", "delete", "alt"])
def test_their_photo_through_my_listing_is_not_found(signed_in, db, mine, stay, theirs, action):
    listing, their_photos = theirs
    with_photos(mine, stay, 2)
    before = order_of(db, listing.id)
    data = {"direction": "up", "seen": "1", "alt": "Đã bị đổi"}
    response = signed_in.post(url(stay, f"/{their_photos[1]}/{action}"), data=data)
    assert response.status_code == 404
    assert order_of(db, listing.id) == before
    assert db.session.get(ListingImage, their_photos[1]).alt == "Vườn"


def test_a_buyer_cannot_open_the_photo_page(client, make, stay):
    login(client, make.user(role="buyer"))
    assert client.get(url(stay)).status_code == 403


# --- the public gallery ----------------------------------------------------------------------


def test_the_gallery_shows_the_cover_first_with_anchors_and_thumbnails(client, db, mine, stay):
    a, b, c = with_photos(mine, stay, 3)
    photos.make_cover(mine.id, stay.id, b)
    photos.set_alt(mine.id, stay.id, b, "Phòng ngủ có mùng")
    page = text(client.get(f"/tourism/{stay.slug}"))
    gallery = page[page.index('id="gallery"') :]
    gallery = gallery[: gallery.index("</nav>")]
    paths = {i: db.session.get(ListingImage, i).path.removeprefix("uploads/") for i in (a, b, c)}
    slides = re.findall(r'id="photo-(\d)">\s*<img src="/dashboard/uploads/([^"]+)"', gallery)
    assert slides == [("1", paths[b]), ("2", paths[a]), ("3", paths[c])]
    assert 'alt="Phòng ngủ có mùng"' in gallery
    assert re.findall(r'href="#photo-(\d)"', gallery) == ["1", "2", "3"]
    thumbs = [uploads.thumbnail_path("uploads/" + paths[i]).split("/")[1] for i in (b, a, c)]
    assert all(f"/dashboard/uploads/{t}" in gallery for t in thumbs)
    assert "<script>" not in page


def test_a_listing_without_photos_shows_the_drawing_and_no_thumbnails(client, stay):
    page = text(client.get(f"/tourism/{stay.slug}"))
    assert 'id="gallery"' in page and 'href="#photo-' not in page
    assert "placeholder" in page


# --- two clicks at once ----------------------------------------------------------------------


def _poster(app, signed_in, address, data):
    cookie = signed_in.get_cookie(app.config["SESSION_COOKIE_NAME"]).value

    def post():
        client = app.test_client()
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        return client.post(address, data=data).status_code

    return post


def test_the_same_move_twice_at_once_is_one_move(app, signed_in, db, mine, stay):
    a, b, c = with_photos(mine, stay, 3)
    post = _poster(app, signed_in, url(stay, f"/{a}/move"), {"direction": "down", "seen": "0"})
    assert at_once(app, post, post, post) == [302, 302, 302]
    assert ids_in_order(db, stay.id) == [b, a, c]


def test_moves_covers_and_deletes_at_once_never_leave_two_photos_at_one_place(
    app, signed_in, db, mine, stay
):
    a, b, c, d, e = with_photos(mine, stay, 5)
    works = [
        _poster(app, signed_in, url(stay, f"/{a}/move"), {"direction": "down", "seen": "0"}),
        _poster(app, signed_in, url(stay, f"/{e}/move"), {"direction": "up", "seen": "4"}),
        _poster(app, signed_in, url(stay, f"/{d}/cover"), {}),
        _poster(app, signed_in, url(stay, f"/{c}/cover"), {}),
        _poster(app, signed_in, url(stay, f"/{b}/delete"), {}),
        _poster(app, signed_in, url(stay, f"/{b}/delete"), {}),
    ]
    assert at_once(app, *works) == [302] * len(works)
    order = ids_in_order(db, stay.id)  # positions 0..n-1, no twins
    assert sorted(order) == sorted([a, c, d, e]) and order[0] in (c, d)


def test_uploads_at_once_never_pass_the_limit(app, signed_in, db, mine, stay, folder):
    with_photos(mine, stay, photos.MAX_PHOTOS - 2)
    before = stored(folder)

    def work():
        client = app.test_client()
        client.set_cookie(
            app.config["SESSION_COOKIE_NAME"],
            signed_in.get_cookie(app.config["SESSION_COOKIE_NAME"]).value,
        )
        data = upload_form(("a.png", picture()), ("b.png", picture((9, 9, 9))))
        return client.post(url(stay), data=data).status_code

    answers = at_once(app, work, work, work)
    assert sorted(answers) == [200, 200, 302]  # one fits; the others are told why not
    assert len(ids_in_order(db, stay.id)) == photos.MAX_PHOTOS
    assert len(stored(folder) - before) == 4  # two photos and their thumbnails, nothing more


# --- the demo's pictures ---------------------------------------------------------------------


def test_every_demo_listing_has_drawings_of_its_own(app, db):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    db.session.rollback()
    listings = db.session.scalars(select(Listing)).all()
    assert len(listings) >= 10
    static = Path(app.static_folder)
    seen_paths, seen_files = set(), set()
    for listing in listings:
        paths = [image.path for image in listing.images]
        assert len(paths) >= 3, listing.slug
        assert [i.position for i in listing.images] == list(range(len(paths)))
        assert all(image.alt for image in listing.images)
        assert not seen_paths & set(paths), f"{listing.slug} shares a picture"
        seen_paths |= set(paths)
        for path in paths:
            content = (static / path).read_bytes()
            assert content not in seen_files, f"{path} draws what another picture draws"
            seen_files.add(content)


def test_the_committed_drawings_are_what_the_module_draws(app):
    static = Path(app.static_folder)
    for slug, pictures in demo_drawings.DRAWINGS.items():
        for index, (path, alt, _alt_en) in enumerate(pictures):
            content = (static / path).read_text(encoding="utf-8")
            assert content == demo_drawings.drawing(slug, index), (
                f"run python -m {demo_drawings.__name__}"
            )
            assert f"<title>{alt}</title>" in content
