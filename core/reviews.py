"""Reviews, whatever is reviewed: what a review holds (`ReviewMixin`: stars, text, up to three
photos, the language it was written in, the one reply, the office's hiding), the checks on
what people send, and the moves every area's reviews make the same way.

Each area keeps its own review table and says who may review what: marketplace reviews
products (one per order line), tourism reviews listings (one per booking). The reviewed row
carries `review_count` and `review_stars_total` (visible reviews only), changed in the same
transaction as the review, its hiding or showing again, by one conditional UPDATE each, so a
card shows the average without a query and two moves at once count once.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, SmallInteger, String, Text, select, update
from sqlalchemy.orm import Mapped, declared_attr, joinedload, mapped_column, relationship

from core.db import insert_unless_taken, write_transaction
from core.extensions import db
from core.i18n import InReadersLanguage
from core.models import User, utcnow
from core.notifications import Recipient, notify, site_link
from core.text import nfc
from core.uploads import PreparedImage, delete_stored, store_image

MIN_STARS, MAX_STARS = 1, 5
TEXT_MIN = 10  # when there is text: "ngon" says nothing to the next buyer
TEXT_MAX = 2000
REPLY_MAX = 1000
REASON_MAX = 300
MAX_PHOTOS = 3
PER_PAGE = 5  # reviews a page shows at first, and each "Xem thêm" adds
LIST_PER_PAGE = 50  # the cooperative's, the host's and the office's lists
IN_JSON_LD = 3  # the newest reviews a page's JSON-LD carries


class ReviewMixin:
    """The columns every area's review table has; the area adds what is reviewed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # As shown: the given name and the family name's initial ("Lan N."), never the full name.
    author_name: Mapped[str] = mapped_column(String(60))
    stars: Mapped[int] = mapped_column(SmallInteger)
    body: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="vi")  # of the page it was written on
    photo_paths: Mapped[str] = mapped_column(Text, default="")  # one "uploads/…" a line
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def user(cls):  # noqa: N805  (declared_attr: called with the class)
        return relationship("User")

    @property
    def photos(self) -> list[str]:
        return [path for path in self.photo_paths.split("\n") if path]

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class ReviewError(ValueError):
    """What the person sent cannot be a review; `message` says why, in their language."""

    message = _l("Không gửi được đánh giá.")


class NotYours(ReviewError):
    """Ordered or booked from another account."""

    message = _l("Đơn này được đặt từ một tài khoản khác: hãy đăng nhập tài khoản đó để đánh giá.")


class ReviewClosed(ReviewError):
    message = _l("Chưa thể đánh giá: hãy đợi đến khi nhận được hàng hoặc dùng xong dịch vụ.")


class AlreadyReviewed(ReviewError):
    message = _l("Bạn đã đánh giá mục này rồi.")


class BadStars(ReviewError):
    message = _l("Hãy chọn từ 1 đến 5 sao.")


class TextTooShort(ReviewError):
    message = _l("Lời nhận xét cần ít nhất 10 ký tự, hoặc để trống.")


class TooManyPhotos(ReviewError):
    message = _l("Tối đa 3 ảnh cho một đánh giá.")


class AlreadyReplied(ReviewError):
    message = _l("Đánh giá này đã được trả lời.")


class ReplyRequired(ReviewError):
    message = _l("Hãy viết lời trả lời.")


class ReasonRequired(ReviewError):
    message = _l("Hãy ghi lý do ẩn đánh giá.")


class NothingChanged(ReviewError):
    """Hidden already (or shown already): a second click; nothing more was done."""

    message = _l("Đánh giá đã ở trạng thái này.")


@dataclass(frozen=True)
class Draft:
    """A review as sent, checked: stars, text (NFC, trimmed), the page's language."""

    stars: int
    body: str
    language: str


def draft(stars, body: str | None, language: str, photo_count: int = 0) -> Draft:
    """Check what was sent: BadStars, TextTooShort, TooManyPhotos."""
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        raise BadStars() from None
    if not MIN_STARS <= stars <= MAX_STARS:
        raise BadStars()
    body = nfc(body or "").strip()[:TEXT_MAX]
    if body and len(body) < TEXT_MIN:
        raise TextTooShort()
    if photo_count > MAX_PHOTOS:
        raise TooManyPhotos()
    return Draft(stars=stars, body=body, language=language if language in ("vi", "en") else "vi")


@dataclass(frozen=True)
class ReviewPage:
    reviews: list
    page: int
    more: bool  # another page follows


NO_REVIEWS = ReviewPage(reviews=[], page=1, more=False)


def page_of(model, query, page: int, per_page: int = PER_PAGE) -> ReviewPage:
    """One page of a query of `model`'s reviews, newest first."""
    page = max(page, 1)
    found = db.session.scalars(
        query.order_by(model.created_at.desc(), model.id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    ).all()
    return ReviewPage(reviews=list(found[:per_page]), page=page, more=len(found) > per_page)


@dataclass(frozen=True)
class Reviewed:
    """The reviews one area's pages read and write, named by two relationships: `about`, the
    review's to what it reviews (ProductReview.product), and `owner`, that one's to whose it
    is (Product.cooperative). Their columns say which row a review counts on and whose reviews
    a list holds; the lists load both. A new review is told to the owner's account, named by
    `name_field` of what it reviews, with a link to `owner_page` (where it is replied to)."""

    about: object
    owner: object
    name_field: str
    owner_page: str

    @property
    def model(self):
        return self.about.class_

    @cached_property
    def target(self):
        return self.about.property.mapper.class_

    @cached_property
    def target_id(self):
        (column,) = self.about.property.local_columns
        return getattr(self.model, column.key)

    @cached_property
    def owner_id(self):
        (column,) = self.owner.property.local_columns
        return getattr(self.target, column.key)

    def write(self, review_of, *, stars, body, language, pictures, upload_folder):
        """One review, in one write transaction: `review_of()`, the area's, reads what is
        reviewed, says who may review it and when (NotYours, ReviewClosed), and returns the new
        review (what it is of set), the account it was ordered or booked from (or None) and
        the name given. AlreadyReviewed (also when a submit at the same moment wrote it first),
        or what `draft` refuses."""
        checked = draft(stars, body, language, len(pictures))
        with write_transaction():
            review, account_id, name = review_of()
            account = db.session.get(User, account_id) if account_id else None
            review.user_id = account_id
            review.author_name = shown_name(account.name if account else name)
            review.stars, review.body = checked.stars, checked.body
            review.language = checked.language
            target_id = getattr(review, self.target_id.key)
            add_review(review, self.target, target_id, pictures, upload_folder=upload_folder)
            self._tell_owner(review)
        return review

    def _tell_owner(self, review) -> None:
        """The cooperative or host hears of the review, in its language, to read and reply."""
        item = db.session.get(self.target, getattr(review, self.target_id.key))
        account = getattr(item, self.owner.key).owner
        if account is None:
            return
        notify(
            "review.new",
            Recipient.of(account),
            "review_new",
            _l("Đánh giá mới %(stars)s★: %(name)s",
               stars=review.stars, name=InReadersLanguage(item, self.name_field)),
            review=review,
            item=item,
            name_field=self.name_field,
            link=site_link(self.owner_page),
        )  # fmt: skip

    def visible(self, item, page: int = 1) -> ReviewPage:
        """The item's visible reviews, newest first, PER_PAGE a page; no query when its cached
        count says there are none (most items' pages)."""
        if not item.review_count:
            return NO_REVIEWS
        query = select(self.model).where(self.target_id == item.id, self.model.hidden_at.is_(None))
        return page_of(self.model, query, page)

    def _of_owner(self, owner_id: int):
        return (
            select(self.model)
            .join(self.target, self.target.id == self.target_id)
            .where(self.owner_id == owner_id)
        )

    def of_owner(self, owner_id: int, page: int = 1) -> ReviewPage:
        """Every review of the owner's items, hidden ones too (with why)."""
        query = self._of_owner(owner_id).options(joinedload(self.about))
        return page_of(self.model, query, page, LIST_PER_PAGE)

    def every(self, page: int = 1) -> ReviewPage:
        """The office's list: every review, newest first."""
        query = select(self.model).options(joinedload(self.about).joinedload(self.owner))
        return page_of(self.model, query, page, LIST_PER_PAGE)

    def own(self, owner_id: int, review_id: int):
        """The review, if it is of this owner's items; None otherwise (the route says 404)."""
        return db.session.scalar(self._of_owner(owner_id).where(self.model.id == review_id))

    def reply(self, owner_id: int, review_id: int, text: str) -> None:
        """The one reply to a review of its own: AlreadyReplied, ReplyRequired; LookupError
        for another's review."""
        if self.own(owner_id, review_id) is None:
            raise LookupError(review_id)
        reply_to(self.model, review_id, text)


def shown_name(full_name: str) -> str:
    """ "Nguyễn Thị Lan" -> "Lan N.": the given name (the last word, as Vietnamese names are
    written) and the family name's initial; one word stays as it is."""
    words = nfc(full_name or "").split()
    if not words:
        return str(_l("Khách"))
    if len(words) == 1:
        return words[0][:40]
    return f"{words[-1][:40]} {words[0][0].upper()}."


def _counts(target, target_id: int, count: int, stars: int) -> None:
    """The reviewed row's cached figures, moved by one UPDATE (never read, then written)."""
    db.session.execute(
        update(target)
        .where(target.id == target_id)
        .values(
            review_count=target.review_count + count,
            review_stars_total=target.review_stars_total + stars,
        )
        .execution_options(synchronize_session=False)
    )


def add_review(
    review, target, target_id: int, pictures: list[PreparedImage], *, upload_folder: str
) -> None:
    """Insert the review (its unique key says one per line or booking: AlreadyReviewed when a
    submit at the same moment wrote it first) with its photos, and count it, in the caller's
    write transaction. The photos' files go again if the review is not kept."""
    if len(pictures) > MAX_PHOTOS:
        raise TooManyPhotos()
    stored = [store_image(picture, upload_folder) for picture in pictures]
    review.photo_paths = "\n".join(stored)

    def remove_files():
        for path in stored:
            delete_stored(path, upload_folder)

    if not insert_unless_taken(review):
        remove_files()
        raise AlreadyReviewed()
    try:
        _counts(target, target_id, 1, review.stars)
        db.session.flush()
    except BaseException:
        remove_files()
        raise


def reply_to(model, review_id: int, text: str) -> None:
    """The one reply: an UPDATE where there is none yet; AlreadyReplied for a second one."""
    text = nfc(text or "").strip()[:REPLY_MAX]
    if not text:
        raise ReplyRequired()
    with write_transaction():
        done = db.session.execute(
            update(model)
            .where(model.id == review_id, model.reply == "")
            .values(reply=text, replied_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            raise AlreadyReplied()


def set_hidden(model, target, target_column, review_id: int, hide: bool, reason: str = ""):
    """Hide (with the reason the author and the cooperative read) or show again; the reviewed
    row's figures follow in the same transaction. One conditional UPDATE on the review's
    state, so two clicks move the figures once (NothingChanged for the second). The caller
    records the audit event inside its write transaction. Returns the review."""
    reason = nfc(reason or "").strip()[:REASON_MAX]
    if hide and not reason:
        raise ReasonRequired()
    with write_transaction():
        state = model.hidden_at.is_(None) if hide else model.hidden_at.is_not(None)
        done = db.session.execute(
            update(model)
            .where(model.id == review_id, state)
            .values(
                hidden_at=utcnow() if hide else None,
                hidden_reason=reason if hide else model.hidden_reason,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            raise NothingChanged()
        review = db.session.get(model, review_id, populate_existing=True)
        sign = -1 if hide else 1
        _counts(target, getattr(review, target_column), sign, sign * review.stars)
    return review


def average(count: int, stars_total: int) -> float | None:
    return round(stars_total / count, 1) if count else None


def average_text(count: int, stars_total: int) -> str:
    """ "4,7" in Vietnamese, "4.7" in English (Babel); empty without reviews."""
    value = average(count, stars_total)
    return format_decimal(value, format="0.0") if value is not None else ""


def ld_rating(count: int, stars_total: int, reviews) -> dict:
    """schema.org aggregateRating and the newest reviews, for a page's JSON-LD; {} without
    visible reviews."""
    if not count:
        return {}
    return {
        "aggregateRating": {
            "@type": "AggregateRating",
            "ratingValue": average(count, stars_total),
            "reviewCount": count,
            "bestRating": MAX_STARS,
            "worstRating": MIN_STARS,
        },
        "review": [
            {
                "@type": "Review",
                "author": {"@type": "Person", "name": review.author_name},
                "datePublished": review.created_at.date().isoformat(),
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": review.stars,
                    "bestRating": MAX_STARS,
                },
                **(
                    {"reviewBody": review.body, "inLanguage": review.language}
                    if review.body
                    else {}
                ),
            }
            for review in reviews[:IN_JSON_LD]
        ],
    }
