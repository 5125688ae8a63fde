"""A listing's photos: the host uploads them (through core.uploads, the pipeline products'
pictures go through), puts them in order, picks the cover, writes their alt text, deletes them.

The order is `ListingImage.position`, always 0, 1, 2, … without gaps or twins; the cover is the
photo at position 0 (`Listing.cover`), what cards and the gallery show first. Every change
takes the listing's row first (`FOR UPDATE` on PostgreSQL; SQLite's write lock is taken at
BEGIN), then reads the photos and numbers them again, so that two clicks at the same moment
(two moves, a move and a delete) run one after the other and never leave two photos at one
position. Every query takes the host's cooperative id: another host's listing or photo is
"not found".
"""

from sqlalchemy import select

from core.db import after_commit, write_transaction
from core.extensions import db
from core.text import nfc
from core.uploads import PreparedImage, delete_stored, store_image
from tourism.hosting import NotFound
from tourism.models import Listing, ListingImage

# Photos one listing may have: enough for every room and the garden, few enough for a phone.
MAX_PHOTOS = 12
ALT_MAX = 200  # ListingImage.alt


class TooManyPhotos(ValueError):
    """More photos than a listing may have; `room` says how many more it can take."""

    def __init__(self, room: int):
        super().__init__(room)
        self.room = room


class PhotoGone(LookupError):
    """No such photo any more (deleted by a click a moment before)."""


class OrderChanged(ValueError):
    """The photo is no longer where the page showed it (moved by a click a moment before)."""


def listing_photos(listing_id: int) -> list[ListingImage]:
    return db.session.scalars(
        select(ListingImage)
        .where(ListingImage.listing_id == listing_id)
        .order_by(ListingImage.position, ListingImage.id)
        .execution_options(populate_existing=True)
    ).all()


def _locked(host_id: int, listing_id: int) -> list[ListingImage]:
    """Inside a write transaction: lock the host's listing, then its photos in their order,
    numbered 0, 1, 2, … (older rows may share a position)."""
    found = db.session.scalar(
        select(Listing.id)
        .where(Listing.id == listing_id, Listing.host_id == host_id)
        .with_for_update()
    )
    if found is None:
        raise NotFound(listing_id)
    photos = listing_photos(listing_id)
    _number(photos)
    return photos


def _number(photos: list[ListingImage]) -> None:
    for position, photo in enumerate(photos):
        if photo.position != position:
            photo.position = position


def _photo(photos: list[ListingImage], listing_id: int, photo_id: int) -> ListingImage:
    for photo in photos:
        if photo.id == photo_id:
            return photo
    if db.session.scalar(select(ListingImage.id).where(ListingImage.id == photo_id)):
        raise NotFound(photo_id)  # another listing's photo
    raise PhotoGone(photo_id)


def add_photos(
    host_id: int,
    listing_id: int,
    pictures: list[PreparedImage],
    *,
    upload_folder: str,
    alt: str = "",
    alt_en: str = "",
    stored: list[str] | None = None,
) -> list[ListingImage]:
    """The pictures after the listing's photos, all or none: TooManyPhotos when they would
    make more than MAX_PHOTOS. Their files are written in the transaction and removed again
    if it fails here; `stored` collects them for a caller whose own transaction may still
    fail (core.submissions.submit_once)."""
    stored = [] if stored is None else stored
    mine: list[str] = []
    try:
        with write_transaction():
            photos = _locked(host_id, listing_id)
            if len(photos) + len(pictures) > MAX_PHOTOS:
                raise TooManyPhotos(max(0, MAX_PHOTOS - len(photos)))
            added = []
            for picture in pictures:
                path = store_image(picture, upload_folder)
                mine.append(path)
                stored.append(path)
                photo = ListingImage(
                    listing_id=listing_id,
                    path=path,
                    alt=nfc(alt).strip()[:ALT_MAX],
                    alt_en=nfc(alt_en).strip()[:ALT_MAX],
                    position=len(photos) + len(added),
                )
                db.session.add(photo)
                added.append(photo)
            db.session.flush()
    except BaseException:
        for path in mine:
            delete_stored(path, upload_folder)
            stored.remove(path)
        raise
    return added


def move_photo(host_id: int, listing_id: int, photo_id: int, step: int, seen: int) -> bool:
    """Move a photo one place earlier (step -1) or later (+1), from the position the page
    showed (`seen`). False when it is already first or last; OrderChanged when it is no longer
    at `seen` (a second click of the same button: the first one moved it)."""
    if step not in (-1, 1):
        raise ValueError(step)
    with write_transaction():
        photos = _locked(host_id, listing_id)
        photo = _photo(photos, listing_id, photo_id)
        here = photos.index(photo)
        if here != seen:
            raise OrderChanged(photo_id)
        there = here + step
        if not 0 <= there < len(photos):
            return False
        photos[here], photos[there] = photos[there], photos[here]
        _number(photos)
    return True


def make_cover(host_id: int, listing_id: int, photo_id: int) -> bool:
    """Put the photo first: it becomes the cover. False when it already is."""
    with write_transaction():
        photos = _locked(host_id, listing_id)
        photo = _photo(photos, listing_id, photo_id)
        if photos[0] is photo:
            return False
        photos.remove(photo)
        _number([photo, *photos])
    return True


def delete_photo(host_id: int, listing_id: int, photo_id: int, *, upload_folder: str) -> None:
    """Delete the photo; the others close up, its files go once the change is committed.
    PhotoGone when it was deleted already (a second click)."""
    with write_transaction():
        photos = _locked(host_id, listing_id)
        photo = _photo(photos, listing_id, photo_id)
        path = photo.path
        photos.remove(photo)
        db.session.delete(photo)
        db.session.flush()  # the row goes before the others take its place
        _number(photos)
        after_commit(lambda: delete_stored(path, upload_folder))


def set_alt(
    host_id: int, listing_id: int, photo_id: int, alt: str, alt_en: str = ""
) -> ListingImage:
    """What the photo shows, in words, for who cannot see it (and in English, optional)."""
    with write_transaction():
        photos = _locked(host_id, listing_id)
        photo = _photo(photos, listing_id, photo_id)
        photo.alt = nfc(alt).strip()[:ALT_MAX]
        photo.alt_en = nfc(alt_en).strip()[:ALT_MAX]
    return photo
