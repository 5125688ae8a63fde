"""One-time form tokens: a form submitted twice (a double click, a reload, a slow network
resending) makes one thing, and the second submit is shown what the first made.

A create form carries a fresh token (`new_form_token()`, a hidden field); its route calls
`submit_once(token, make)`, where `make` does the change and returns the address of its
result. Checkout and booking keep their tokens on their own rows; every other create form
uses this table.
"""

import re
import secrets
from collections.abc import Callable

from sqlalchemy import select

from core.db import insert_unless_taken, write_transaction
from core.extensions import db
from core.models import FormSubmission

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def valid_form_token(token: str | None) -> bool:
    return bool(token) and _TOKEN.fullmatch(token) is not None


def submit_once(token: str, make: Callable[[], str]) -> str:
    """Run make() once per token and return the address it gave; a repeat of the token, at
    once or later, returns the first run's address without running make() again.

    The token is claimed before the work: on SQLite the twin waits for the first (BEGIN
    IMMEDIATE) and then finds the token taken; on PostgreSQL its insert waits for the first's
    commit and is refused by the unique token (or goes ahead if the first failed).
    """
    if not valid_form_token(token):
        raise ValueError("not a form token")
    with write_transaction():
        claim = FormSubmission(token=token, outcome="")
        if not insert_unless_taken(claim):
            return _outcome(token)
        claim.outcome = make()
        return claim.outcome


def _outcome(token: str) -> str | None:
    return db.session.scalar(select(FormSubmission.outcome).where(FormSubmission.token == token))
