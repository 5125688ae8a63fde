"""Rate limits that stop abuse without refusing real customers.

Most Vietnamese phones share their carrier's addresses and a fair's Wi-Fi puts hundreds of
people behind one, so each limit is counted per person first (the account, or the guest's
session) and per address only with a much higher ceiling. Login is counted per account too,
so credential stuffing against one account stops whatever addresses it comes from.

Every number is a setting in core.config (RATELIMIT_<NAME> per person, RATELIMIT_<NAME>_PER_ADDRESS),
so an operator can raise them for a fair or a livestream (README, "Rate limits").
"""

import secrets

from flask import current_app, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user

from core.extensions import limiter
from core.text import fold

_GUEST_KEY = "limit_id"


def person_key() -> str:
    """The account when logged in, else the guest's session (made on the first limited act)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    if _GUEST_KEY not in session:
        session[_GUEST_KEY] = secrets.token_hex(8)
    return f"guest:{session[_GUEST_KEY]}"


def address_key() -> str:
    return f"address:{get_remote_address()}"


def login_account_key() -> str:
    """The account being logged in to, as typed (folded, so case does not make a new count)."""
    return f"login:{fold(request.form.get('email', ''))[:254]}"


def limited(name: str, *, by_account_typed: bool = False):
    """Decorate a route's POST with the limits of `name`: per person (or, for login, per
    account typed) and per address."""
    person = login_account_key if by_account_typed else person_key

    def setting(key):
        return lambda: current_app.config[key]

    def decorate(view):
        view = limiter.limit(
            setting(f"RATELIMIT_{name}_PER_ADDRESS"),
            key_func=address_key,
            methods=["POST"],
            scope=f"{name.lower()}-address",
        )(view)
        return limiter.limit(
            setting(f"RATELIMIT_{name}"),
            key_func=person,
            methods=["POST"],
            scope=f"{name.lower()}-person",
        )(view)

    return decorate
