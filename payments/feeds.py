"""A payee's bank feed: where its bank notices arrive and how its statement file reads.

Each cooperative has one feed, made the first time it is needed (its payments page, or the
first rotation of its key). The token names the feed in the webhook's address
(/payments/webhooks/sepay/<token>); the API key is the secret SePay sends with each notice
(`Authorization: Apikey <key>`, or the HMAC of the body for the generic variant). The key is
shown to the cooperative to paste into SePay, so it is kept as it is; rotating it makes a new
one, and the old one stops working at once.
"""

import hashlib
import hmac
import json
import secrets

from sqlalchemy import select, update

from core import audit
from core.db import insert_unless_taken, write_transaction
from core.extensions import db
from payments.models import BankFeed

TOKEN_LENGTH = 32
KEY_LENGTH = 64


class KeyChanged(ValueError):
    """The key was rotated since the page was shown (a second click): nothing was done."""


def new_token() -> str:
    return secrets.token_urlsafe(16)[:TOKEN_LENGTH]


def new_key() -> str:
    return secrets.token_urlsafe(32)[:KEY_LENGTH]


def _find(payee_id: int) -> BankFeed | None:
    return db.session.scalar(select(BankFeed).where(BankFeed.payee_id == payee_id))


def feed_of(payee_id: int) -> BankFeed:
    """The payee's feed, made on first need. Two requests making it at once make one: the
    second's insert is refused by the unique payee_id and it reads the first's."""
    feed = _find(payee_id)
    if feed is not None:
        return feed
    with write_transaction():
        for _attempt in range(3):  # a token taken by another feed (never seen): a new one
            feed = BankFeed(
                payee_id=payee_id, token=new_token(), api_key=new_key(), statement_columns=""
            )
            if insert_unless_taken(feed):
                return feed
            feed = _find(payee_id)
            if feed is not None:
                return feed
    raise RuntimeError("could not make a bank feed")


def by_token(token: str) -> BankFeed | None:
    """The feed a webhook's address names; None for anything that is not one of ours."""
    if not token or len(token) > TOKEN_LENGTH:
        return None
    return db.session.scalar(select(BankFeed).where(BankFeed.token == token))


def key_matches(feed: BankFeed, presented: str) -> bool:
    """The key sent with a notice is the feed's (in constant time)."""
    return hmac.compare_digest(feed.api_key.encode(), (presented or "").encode())


def signature_matches(feed: BankFeed, body: bytes, presented: str) -> bool:
    """`sha256=<hex>` is the HMAC-SHA256 of the raw body with the feed's key."""
    expected = "sha256=" + hmac.new(feed.api_key.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), (presented or "").strip().lower().encode())


def key_fingerprint(api_key: str) -> str:
    """A short mark of a key, carried by the rotate form, so that a second click (or an old
    page) does not rotate again the key the person has just copied."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


def rotate_key(payee_id: int, actor_id: int, seen: str | None = None) -> BankFeed:
    """A new API key for the payee's feed (audited); the old one stops working at once.
    With `seen` (key_fingerprint of the key the person saw), KeyChanged when the key is no
    longer that one: someone, or the same click, rotated it meanwhile."""
    with write_transaction():
        feed = feed_of(payee_id)
        old = feed.api_key
        if seen is not None and not hmac.compare_digest(
            key_fingerprint(old).encode(), seen.encode()
        ):
            raise KeyChanged()
        rotated = db.session.execute(
            update(BankFeed)
            .where(BankFeed.id == feed.id, BankFeed.api_key == old)
            .values(api_key=new_key())
            .execution_options(synchronize_session=False)
        ).rowcount
        if rotated != 1:
            raise KeyChanged()
        db.session.refresh(feed)
        audit.record(actor_id, "bank_feed.rotate_key", "bank_feed", feed.id)
    return feed


def statement_columns(feed: BankFeed) -> dict:
    """The statement mapping the payee saved ({} before the first)."""
    try:
        saved = json.loads(feed.statement_columns or "{}")
    except ValueError:
        return {}
    return saved if isinstance(saved, dict) else {}


def save_statement_columns(payee_id: int, columns: dict) -> None:
    with write_transaction():
        feed = feed_of(payee_id)
        feed.statement_columns = json.dumps(columns, ensure_ascii=False, sort_keys=True)
