"""Bank notices by webhook: SePay (and a generic signed variant) tells a cooperative's feed
of each transaction of its account, and the line is matched at once (payments.matching).

- POST /payments/webhooks/sepay/<token>, `Authorization: Apikey <key>`: SePay's API-key
  authentication.
- POST /payments/webhooks/hmac/<token>, `X-Signature: sha256=<hex>`: the HMAC-SHA256 of the
  raw body with the same key, for a sender that signs (the same JSON fields).

Answers, in JSON: 401 for an unknown token or a wrong or missing key (nothing is read
further), 400 with the reason for a body that is not a notice, 200 `{"success": true}` for
every authenticated, well-formed notice, matched or not, new or a replay (SePay retries
until it gets a 2xx, and a replay is harmless: the same id is the same transaction), 503
when the database is too busy (SePay tries again later). No session, no CSRF token: the
sender is a machine; the key is what authenticates it.
"""

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from core.db import TryAgain
from core.extensions import csrf, db, limiter
from core.limits import address_key
from payments import feeds, matching
from payments.notices import BadNotice, read_json, sepay_line

bp = Blueprint("payments_webhooks", __name__, url_prefix="/payments/webhooks")

MAX_BODY_BYTES = 64 * 1024  # a notice is well under 2 kB


def _feed_key() -> str:
    return f"feed:{(request.view_args or {}).get('token', '')[: feeds.TOKEN_LENGTH]}"


def _setting(key):
    return lambda: current_app.config[key]


def _limited(view):
    """Per feed (the token in the address), and per address with a far higher ceiling: SePay
    sends every cooperative's notices from the same few servers."""
    view = limiter.limit(
        _setting("RATELIMIT_BANK_WEBHOOK_PER_ADDRESS"),
        key_func=address_key,
        methods=["POST"],
        scope="bank-webhook-address",
    )(view)
    return limiter.limit(
        _setting("RATELIMIT_BANK_WEBHOOK"),
        key_func=_feed_key,
        methods=["POST"],
        scope="bank-webhook-feed",
    )(view)


@bp.url_value_preprocessor
def limit_body(_endpoint, _values):
    request.max_content_length = MAX_BODY_BYTES


def _answer(status: int, error: str | None = None):
    body = {"success": True} if error is None else {"success": False, "error": error}
    return jsonify(body), status


def http_error(error: HTTPException):
    """A refusal around the view (too many requests, too large, an error) in JSON too. By
    code: Flask looks for the app's handler of a code before a blueprint's of HTTPException."""
    if (error.code or 500) >= 500:
        db.session.rollback()
    return _answer(error.code or 500, error.name.lower())


for _code in (400, 404, 405, 413, 429, 500):
    bp.register_error_handler(_code, http_error)


def _take(feed, source: str):
    try:
        line = sepay_line(read_json(request.get_data(cache=True)), source=source)
    except BadNotice as error:
        return _answer(400, str(error))
    try:
        matching.take_in(feed.payee_id, line)
    except TryAgain:
        return _answer(503, "busy, try again")
    return _answer(200)


def _bearer(header: str, scheme: str) -> str:
    """The credentials of an `Authorization: <scheme> <credentials>` header, "" otherwise."""
    given, _space, credentials = (header or "").strip().partition(" ")
    return credentials.strip() if given.lower() == scheme.lower() else ""


@bp.post("/sepay/<token>")
@csrf.exempt
@_limited
def sepay(token: str):
    feed = feeds.by_token(token)
    key = _bearer(request.headers.get("Authorization", ""), "Apikey")
    if feed is None or not key or not feeds.key_matches(feed, key):
        return _answer(401, "unauthorized")
    return _take(feed, "sepay")


@bp.post("/hmac/<token>")
@csrf.exempt
@_limited
def signed(token: str):
    feed = feeds.by_token(token)
    signature = request.headers.get("X-Signature", "")
    body = request.get_data(cache=True)
    if feed is None or not signature or not feeds.signature_matches(feed, body, signature):
        return _answer(401, "unauthorized")
    return _take(feed, "hmac")
