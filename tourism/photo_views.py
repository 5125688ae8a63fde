"""The host's photo page of a listing (/dashboard/tourism/<id>/photos), on the tourism_host
blueprint and behind its guards. Rules in tourism.photos, pictures checked by core.uploads.

Every button works as a plain form (the page again, with a message) and, with htmx, answers
the photo list alone (`_photos.html`) with its message.
"""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.exceptions import RequestEntityTooLarge

from core import uploads
from core.db import TryAgain
from core.pictures import too_large_page
from core.submissions import new_form_token, submit_once
from core.uploads import UploadRejected, max_image_bytes, upload_folder
from tourism import hosting, photos
from tourism.host_views import tourism_host
from tourism.models import Listing
from tourism.photo_forms import PhotoAltForm, PhotoMoveForm, PhotoUploadForm

UPLOAD_ENDPOINT = "tourism_host.photos_page"  # its POST: the upload
# A photo may be up to max_image_bytes(); one upload of several up to this many times that.
# Anything bigger is refused before it is read (413, below).
PHOTOS_PER_REQUEST = 6


def max_request_bytes() -> int:
    return max_image_bytes() * PHOTOS_PER_REQUEST


@tourism_host.url_value_preprocessor
def limit_upload_size(endpoint, _values):
    # Before CSRF protection reads the form: the limit must be in place before the body is read.
    if request.method == "POST" and endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = max_request_bytes()


@tourism_host.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error):
    message = _(
        "Tệp gửi lên quá lớn: mỗi lần gửi tối đa %(mb)s MB. Hãy gửi ít ảnh hơn mỗi lần.",
        mb=uploads.megabytes(max_request_bytes()),
    )
    nothing_saved = _("Chưa có ảnh nào được lưu. Các ảnh đã có vẫn giữ nguyên.")
    return too_large_page(message, nothing_saved, _("Quay lại trang ảnh"))


def _own_listing_or_404(listing_id: int) -> Listing:
    try:
        return hosting.host_listing(g.cooperative.id, listing_id)
    except hosting.NotFound:
        abort(404)


def _page(listing: Listing, *, upload_form=None, alt_forms=None):
    if upload_form is None:
        upload_form = PhotoUploadForm(formdata=None)
        upload_form.form_token.data = new_form_token()
    return render_template(
        "tourism/host/photos.html",
        listing=listing,
        photos=photos.listing_photos(listing.id),
        upload_form=upload_form,
        alt_forms=alt_forms or {},
        max_photos=photos.MAX_PHOTOS,
        max_image_mb=uploads.megabytes(max_image_bytes()),
        max_request_mb=uploads.megabytes(max_request_bytes()),
    )


def _answer(listing: Listing, message: str, ok: bool, photo_id: int | None = None, alt_forms=None):
    """The photo list with its message (htmx), or back to the page with the message."""
    if request.htmx:
        return render_template(
            "tourism/host/_photos.html",
            listing=listing,
            photos=photos.listing_photos(listing.id),
            alt_forms=alt_forms or {},
            max_photos=photos.MAX_PHOTOS,
            message=message,
            message_ok=ok,
        )
    flash(message, "success" if ok else "error")
    anchor = f"#photo-{photo_id}" if photo_id and ok else "#photo-list"
    return redirect(url_for(".photos_page", listing_id=listing.id) + anchor)


def _try_again() -> str:
    return _("Hệ thống đang bận, chưa lưu được. Vui lòng thử lại.")


def _gone() -> str:
    return _("Ảnh này đã được xóa trước đó.")


@tourism_host.route("/<int:listing_id>/photos", methods=["GET", "POST"])
def photos_page(listing_id: int):
    """The photos, and (POST) the upload of new ones."""
    listing = _own_listing_or_404(listing_id)
    if request.method == "POST":
        return _upload(listing)
    return _page(listing)


def _prepared(files) -> tuple[list, list[str]]:
    """The checked pictures of the files sent, and a message for each file not taken."""
    prepared, refused = [], []
    for file in files:
        try:
            prepared.append(uploads.prepare_image(file.stream, max_image_bytes()))
        except UploadRejected as error:
            refused.append(_("“%(name)s”: %(why)s", name=file.filename[:80], why=error.message))
    return prepared, refused


def _upload(listing: Listing):
    """Several photos at once. A file that is not a picture, or too big, is named with the
    reason and nothing of the upload is saved, so the host picks the files again without it;
    more than the listing may have is refused the same way. The photos saved before stay."""
    form = PhotoUploadForm()
    if not form.validate():
        return _page(listing, upload_form=form)
    prepared, refused = _prepared(form.files())
    if refused:
        form.photos.errors = [
            *refused,
            _("Chưa lưu ảnh nào của lần gửi này. Hãy chọn lại, bỏ những tệp trên."),
        ]
        return _page(listing, upload_form=form)
    made, stored = [], []

    def make() -> str:
        added = photos.add_photos(
            g.cooperative.id,
            listing.id,
            prepared,
            upload_folder=upload_folder(),
            alt=listing.title,
            alt_en=listing.title_en,
            stored=stored,
        )
        made.extend(added)
        return url_for(".photos_page", listing_id=listing.id) + f"#photo-{added[0].id}"

    try:
        target = submit_once(form.form_token.data, make)
    except photos.TooManyPhotos as error:
        _remove(stored)
        form.photos.errors = [_too_many(error.room, len(prepared))]
        return _page(listing, upload_form=form)
    except hosting.NotFound:
        _remove(stored)
        abort(404)
    except TryAgain:
        _remove(stored)
        flash(_try_again(), "error")
        return _page(listing, upload_form=form)
    except BaseException:
        _remove(stored)
        raise
    if made:
        flash(ngettext("Đã thêm %(num)s ảnh.", "Đã thêm %(num)s ảnh.", len(made)), "success")
    else:  # the same form again (a double click, a resend): added once
        flash(_("Biểu mẫu này đã được gửi trước đó; các ảnh đã được thêm một lần."), "info")
    return redirect(target or url_for(".photos_page", listing_id=listing.id))


def _remove(stored: list[str]) -> None:
    for path in list(stored):
        uploads.delete_stored(path, upload_folder())
    stored.clear()


def _too_many(room: int, sent: int) -> str:
    limit = _(
        "Mỗi chỗ có tối đa %(max)s ảnh; bạn gửi %(sent)s ảnh.", max=photos.MAX_PHOTOS, sent=sent
    )
    if room == 0:
        more = _("Chỗ này đã đủ ảnh: hãy xóa bớt ảnh cũ rồi gửi lại.")
    else:
        more = ngettext(
            "Chỗ này chỉ thêm được %(num)s ảnh nữa.", "Chỗ này chỉ thêm được %(num)s ảnh nữa.", room
        )
    return " ".join((limit, more, _("Chưa lưu ảnh nào của lần gửi này.")))


def _photo_change(listing: Listing, change, *, gone_is_done: bool = False):
    """(what the change returned, None), or (None, the answer) when the photo is gone or the
    database asks to try again; another host's listing or photo is a 404."""
    try:
        return change(), None
    except hosting.NotFound:
        abort(404)
    except photos.PhotoGone:
        return None, _answer(listing, _gone(), gone_is_done)
    except TryAgain:
        return None, _answer(listing, _try_again(), False)


@tourism_host.post("/<int:listing_id>/photos/<int:photo_id>/move")
def move_photo(listing_id: int, photo_id: int):
    listing = _own_listing_or_404(listing_id)
    form = PhotoMoveForm()
    if not form.validate():
        return _answer(listing, _("Không chuyển được ảnh này. Hãy thử lại."), False)
    try:
        moved, refused = _photo_change(
            listing,
            lambda: photos.move_photo(
                g.cooperative.id, listing.id, photo_id, form.step, form.seen.data
            ),
        )
    except photos.OrderChanged:  # a second click of the same button: moved by the first
        return _answer(
            listing, _("Thứ tự ảnh vừa thay đổi; đây là thứ tự hiện tại."), True, photo_id
        )
    if refused:
        return refused
    if not moved:
        message = _("Ảnh đã ở đầu.") if form.step < 0 else _("Ảnh đã ở cuối.")
    elif form.step < 0:
        message = _("Đã chuyển ảnh lên.")
    else:
        message = _("Đã chuyển ảnh xuống.")
    return _answer(listing, message, True, photo_id)


@tourism_host.post("/<int:listing_id>/photos/<int:photo_id>/cover")
def cover_photo(listing_id: int, photo_id: int):
    listing = _own_listing_or_404(listing_id)
    changed, refused = _photo_change(
        listing, lambda: photos.make_cover(g.cooperative.id, listing.id, photo_id)
    )
    if refused:
        return refused
    if changed:
        message = _("Đã đặt làm ảnh bìa: thẻ của chỗ này sẽ hiện ảnh này.")
    else:
        message = _("Ảnh này đã là ảnh bìa.")
    return _answer(listing, message, True, photo_id)


@tourism_host.post("/<int:listing_id>/photos/<int:photo_id>/delete")
def delete_photo(listing_id: int, photo_id: int):
    listing = _own_listing_or_404(listing_id)
    _done, refused = _photo_change(
        listing,
        lambda: photos.delete_photo(
            g.cooperative.id, listing.id, photo_id, upload_folder=upload_folder()
        ),
        gone_is_done=True,  # a second click: deleted by the first
    )
    if refused:
        return refused
    return _answer(listing, _("Đã xóa ảnh."), True)


@tourism_host.post("/<int:listing_id>/photos/<int:photo_id>/alt")
def photo_alt(listing_id: int, photo_id: int):
    listing = _own_listing_or_404(listing_id)
    form = PhotoAltForm()
    if not form.validate():
        if request.htmx:
            message = _("Chưa lưu mô tả ảnh; xem lỗi bên dưới.")
            return _answer(listing, message, False, alt_forms={photo_id: form})
        return _page(listing, alt_forms={photo_id: form})
    _photo, refused = _photo_change(
        listing,
        lambda: photos.set_alt(
            g.cooperative.id, listing.id, photo_id, form.alt.data, form.alt_en.data or ""
        ),
    )
    if refused:
        return refused
    return _answer(listing, _("Đã lưu mô tả ảnh."), True, photo_id)
