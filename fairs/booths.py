"""Trade fairs: the floor plan's states, requesting a booth, deciding on requests, and the
waiting list that offers a freed booth to the first cooperative in line."""

import string
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from core import audit
from core.accounts import add_with_unique_slug
from core.db import insert_unless_taken, write_transaction
from core.extensions import db
from core.models import utcnow
from fairs.models import (
    HOLDING_STATUSES,
    Booth,
    BoothRequest,
    Fair,
    WaitlistEntry,
)
from fairs.notifications import tell_decision, tell_offer
from marketplace.models import Cooperative, Product


class FairError(ValueError):
    """A booth request or decision that cannot be made; the subclass says why."""


class DeadlinePassed(FairError):
    pass


class BoothTaken(FairError):
    pass


class BoothClosed(FairError):
    pass


class BoothHeld(FairError):
    """Kept for the first cooperative on the waiting list."""


class OneBoothOnly(FairError):
    pass


class IllegalRequestMove(FairError):
    pass


class FairNotFull(FairError):
    pass


class AlreadyWaiting(FairError):
    pass


class BadGrid(FairError):
    pass


class CodesTooLong(BadGrid):
    """The pattern makes booth codes longer than a code may be (CODE_LENGTH)."""


CODE_LENGTH = Booth.code.type.length


@dataclass(frozen=True)
class BoothState:
    booth: Booth
    state: str  # free, requested, taken, closed, held
    exhibitor: Cooperative | None


def fair_by_slug(slug: str) -> Fair | None:
    return db.session.scalar(
        select(Fair).where(Fair.slug == slug).options(selectinload(Fair.booths))
    )


def upcoming_and_past(today: date) -> tuple[list[Fair], list[Fair]]:
    fairs = db.session.scalars(select(Fair).order_by(Fair.starts_on)).all()
    upcoming = [f for f in fairs if f.ends_on >= today]
    past = [f for f in reversed(fairs) if f.ends_on < today]
    return upcoming, past


def next_fair(today: date) -> Fair | None:
    return db.session.scalar(
        select(Fair).where(Fair.ends_on >= today).order_by(Fair.starts_on).limit(1)
    )


def live_requests(fair_id: int) -> dict[int, BoothRequest]:
    """The requested or approved request of each booth that has one."""
    rows = db.session.scalars(
        select(BoothRequest)
        .where(BoothRequest.fair_id == fair_id, BoothRequest.status.in_(HOLDING_STATUSES))
        .options(joinedload(BoothRequest.cooperative), selectinload(BoothRequest.products))
    )
    return {r.booth_id: r for r in rows}


def floor_plan(fair: Fair, now: datetime) -> list[list[BoothState | None]]:
    """Rows of booth states, laid out by each booth's row and column (None: an aisle)."""
    requests = live_requests(fair.id)
    if not fair.booths:
        return []
    rows = max(b.row for b in fair.booths)
    cols = max(b.col for b in fair.booths)
    grid: list[list[BoothState | None]] = [[None] * cols for _ in range(rows)]
    for booth in fair.booths:
        grid[booth.row - 1][booth.col - 1] = booth_state(booth, requests.get(booth.id), now)
    return grid


def booth_state(booth: Booth, request: BoothRequest | None, now: datetime) -> BoothState:
    if request is not None:
        state = "taken" if request.status == "approved" else "requested"
        return BoothState(booth, state, request.cooperative)
    if booth.closed:
        return BoothState(booth, "closed", None)
    if booth.held_for_id and booth.held_until and booth.held_until > now:
        return BoothState(booth, "held", None)
    return BoothState(booth, "free", None)


def holds_ending(fair: Fair, now: datetime) -> list[datetime]:
    """When the fair's booths held for the waiting list stop being held (a hold ends by the
    clock, before the expiry job writes anything)."""
    return [
        b.held_until for b in fair.booths if b.held_for_id and b.held_until and b.held_until > now
    ]


def exhibitors(fair_id: int) -> list[BoothRequest]:
    return db.session.scalars(
        select(BoothRequest)
        .where(BoothRequest.fair_id == fair_id, BoothRequest.status == "approved")
        .options(
            joinedload(BoothRequest.cooperative),
            joinedload(BoothRequest.booth),
            selectinload(BoothRequest.products),
        )
        .order_by(BoothRequest.booth_id)
    ).all()


def is_full(fair: Fair, now: datetime) -> bool:
    return all(state.state != "free" for row in floor_plan(fair, now) for state in row if state)


def request_booth(
    fair_id: int,
    booth_id: int,
    cooperative: Cooperative,
    *,
    product_ids: list[int],
    contact_person: str,
    contact_phone: str,
    note: str,
    today: date,
) -> BoothRequest:
    """Ask for a booth. The partial unique index on live requests makes sure that of two
    cooperatives asking at the same moment, one gets it and the other BoothTaken. The same
    cooperative asking twice for the same booth (a double click) is one request: the second
    is given the first."""
    now = utcnow()
    try:
        with write_transaction():
            fair = db.session.get(Fair, fair_id)
            booth = db.session.scalar(
                select(Booth).where(Booth.id == booth_id, Booth.fair_id == fair_id)
            )
            live = _live_request(booth_id)
            if live is not None:
                if live.cooperative_id == cooperative.id:
                    return live
                raise BoothTaken()
            if today > fair.registration_deadline:
                raise DeadlinePassed()
            if booth.closed:
                raise BoothClosed()
            held = booth.held_for_id and booth.held_until and booth.held_until > now
            if held and booth.held_for_id != cooperative.id:
                raise BoothHeld()
            if not fair.allow_multiple_booths and _live_count(fair_id, cooperative.id):
                raise OneBoothOnly()
            products = db.session.scalars(
                select(Product).where(
                    Product.id.in_(product_ids), Product.cooperative_id == cooperative.id
                )
            ).all()
            request = BoothRequest(
                fair_id=fair_id,
                booth_id=booth_id,
                cooperative_id=cooperative.id,
                contact_person=contact_person,
                contact_phone=contact_phone,
                note=note,
                products=list(products),
            )
            db.session.add(request)
            if held:  # the offer is taken up
                booth.held_for_id, booth.held_until = None, None
                _close_waitlist_entry(fair_id, cooperative.id, "done")
            db.session.flush()
    except IntegrityError:
        # Another request for the booth was committed meanwhile (PostgreSQL): ours, sent twice,
        # or another cooperative's.
        live = _live_request(booth_id)
        if live is not None and live.cooperative_id == cooperative.id:
            return live
        raise BoothTaken() from None
    return request


def _live_request(booth_id: int) -> BoothRequest | None:
    return db.session.scalar(
        select(BoothRequest).where(
            BoothRequest.booth_id == booth_id, BoothRequest.status.in_(HOLDING_STATUSES)
        )
    )


def _live_count(fair_id: int, cooperative_id: int) -> int:
    return db.session.scalar(
        select(func.count(BoothRequest.id)).where(
            BoothRequest.fair_id == fair_id,
            BoothRequest.cooperative_id == cooperative_id,
            BoothRequest.status.in_(HOLDING_STATUSES),
        )
    )


# Which moves a request may make, and who frees the booth by making them.
TRANSITIONS = {
    "requested": ("approved", "rejected", "cancelled"),
    "approved": ("cancelled",),
    "rejected": (),
    "cancelled": (),
}


def decide(request_id: int, to_status: str, *, reason: str = "", actor_id: int | None = None):
    """Approve, reject or cancel a request; a booth that frees up goes to the waiting list.

    Returns (request, offered waitlist entry or None) so the caller can tell the cooperative.
    A request already moved to to_status (the same decision sent twice) is left as it is and
    nobody is offered anything again.
    """
    now = utcnow()
    with write_transaction():
        request = db.session.get(BoothRequest, request_id)
        if request.status == to_status:
            return request, None
        if to_status not in TRANSITIONS[request.status]:
            raise IllegalRequestMove(f"{request.status} -> {to_status}")
        moved = db.session.execute(
            update(BoothRequest)
            .where(BoothRequest.id == request.id, BoothRequest.status == request.status)
            .values(status=to_status, reason=reason, decided_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:  # another request moved it meanwhile (PostgreSQL): see where to
            db.session.refresh(request)
            if request.status == to_status:
                return request, None
            raise IllegalRequestMove(f"{request.status} -> {to_status}")
        audit.record(
            actor_id, "booth_request.status", "booth_request", request.id,
            f"{request.status} → {to_status} {reason}".strip(),
        )  # fmt: skip
        tell_decision(request, to_status, reason, actor_id)
        offered = None
        if to_status in ("rejected", "cancelled"):
            offered = _offer_to_waitlist(request.fair, request.booth, now)
    db.session.refresh(request)
    return request, offered


def _offer_to_waitlist(fair: Fair, booth: Booth, now: datetime) -> WaitlistEntry | None:
    first = db.session.scalar(
        select(WaitlistEntry)
        .where(WaitlistEntry.fair_id == fair.id, WaitlistEntry.status == "waiting")
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        .limit(1)
        .with_for_update()  # two booths freed at once are offered to two cooperatives
    )
    if first is None:
        return None
    booth.held_for_id = first.cooperative_id
    booth.held_until = now + timedelta(hours=fair.hold_hours)
    first.status = "offered"
    tell_offer(first, fair)
    return first


def _close_waitlist_entry(fair_id: int, cooperative_id: int, status: str) -> None:
    db.session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.fair_id == fair_id, WaitlistEntry.cooperative_id == cooperative_id)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )


def expire_holds(fair: Fair, now: datetime) -> list[WaitlistEntry]:
    """Holds that ran out: that offer expires and the booth goes to the next in line."""
    if not db.session.scalar(select(func.count(Booth.id)).where(*_expired_hold(fair, now))):
        return []  # the usual case: a page view that changes nothing takes no write lock
    offered = []
    with write_transaction():
        for booth in db.session.scalars(
            select(Booth).where(*_expired_hold(fair, now)).with_for_update()
        ):
            _close_waitlist_entry(fair.id, booth.held_for_id, "expired")
            booth.held_for_id, booth.held_until = None, None
            entry = _offer_to_waitlist(fair, booth, now)
            if entry is not None:
                offered.append(entry)
    return offered


def _expired_hold(fair: Fair, now: datetime):
    return Booth.fair_id == fair.id, Booth.held_for_id.is_not(None), Booth.held_until <= now


def join_waitlist(fair: Fair, cooperative: Cooperative, now: datetime, today: date):
    """A place in the full fair's waiting list; AlreadyWaiting when the cooperative has one
    (also when the same click arrives twice: one place, and the second is told so)."""
    with write_transaction():
        if today > fair.registration_deadline:
            raise DeadlinePassed()
        entry = WaitlistEntry(fair_id=fair.id, cooperative_id=cooperative.id)
        if db.session.scalar(
            select(WaitlistEntry.id).where(
                WaitlistEntry.fair_id == fair.id, WaitlistEntry.cooperative_id == cooperative.id
            )
        ):
            raise AlreadyWaiting()
        if not is_full(fair, now):
            raise FairNotFull()
        if not insert_unless_taken(entry):  # a request at the same moment put it there
            raise AlreadyWaiting()
    return entry


def booth_codes(rows: int, cols: int, pattern: str) -> list[tuple[int, int, str]]:
    """(row, col, code) for a rows × cols grid. The pattern uses {row} (A, B, …) and
    {col} (1, 2, …): "{row}{col}" gives A1, A2, … B1, … Every code is different and at most
    CODE_LENGTH characters (BadGrid, CodesTooLong)."""
    if not (1 <= rows <= 26 and 1 <= cols <= 40):
        raise BadGrid()
    try:
        codes = [
            (r, c, pattern.format(row=string.ascii_uppercase[r - 1], col=c))
            for r in range(1, rows + 1)
            for c in range(1, cols + 1)
        ]
    except (KeyError, IndexError, ValueError, AttributeError):
        raise BadGrid() from None
    if len({code for _, _, code in codes}) != len(codes):
        raise BadGrid()
    if any(len(code) > CODE_LENGTH for _, _, code in codes):
        raise CodesTooLong()
    return codes


def create_fair(*, rows: int, cols: int, pattern: str, zone: str, size: str, price: int, **fields):
    """A fair with a rows × cols grid of booths in one step, added to the current transaction
    (the caller commits: the demo data, tests; the office's page uses make_fair). Its slug is
    one no other fair has, also when two fairs of the same name are made at the same moment."""
    codes = booth_codes(rows, cols, pattern)

    def build(slug: str) -> Fair:
        fair = Fair(slug=slug, **fields)
        fair.booths = [
            Booth(code=code, row=r, col=c, zone=zone, size=size, price=price)
            for r, c, code in codes
        ]
        return fair

    return add_with_unique_slug(Fair, fields["name"], build)


def make_fair(*, actor_id: int | None, **grid_and_fields) -> Fair:
    """The office makes a fair (create_fair's arguments): one transaction, with its audit
    record."""
    with write_transaction():
        fair = create_fair(**grid_and_fields)
        audit.record(
            actor_id, "fair.create", "fair", fair.id, f"{fair.name}: {len(fair.booths)} gian"
        )
    return fair


def update_fair(fair_id: int, fields: dict, *, actor_id: int | None = None) -> list[str]:
    """Save the fair's fields; returns the names of those that changed (none when the same
    form is saved twice: the second save changes nothing and records nothing)."""
    with write_transaction():
        fair = db.session.get(Fair, fair_id, with_for_update=True, populate_existing=True)
        changed = [name for name, value in fields.items() if getattr(fair, name) != value]
        for name in changed:
            setattr(fair, name, fields[name])
        if changed:
            audit.record(actor_id, "fair.edit", "fair", fair.id, ", ".join(changed))
    return changed


def update_booth(
    fair_id: int, booth_id: int, fields: dict, *, actor_id: int | None = None
) -> Booth | None:
    """Save a booth's zone, size, price and whether it is let; None when the fair has no such
    booth. Saving the same values twice changes and records nothing the second time."""
    with write_transaction():
        booth = db.session.scalar(
            select(Booth)
            .where(Booth.id == booth_id, Booth.fair_id == fair_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if booth is None:
            return None
        changed = [name for name, value in fields.items() if getattr(booth, name) != value]
        for name in changed:
            setattr(booth, name, fields[name])
        if changed:
            audit.record(
                actor_id, "booth.edit", "booth", booth.id, f"{booth.code}: {', '.join(changed)}"
            )
    return booth


def requests_of(cooperative_id: int) -> list[BoothRequest]:
    return db.session.scalars(
        select(BoothRequest)
        .where(BoothRequest.cooperative_id == cooperative_id)
        .options(joinedload(BoothRequest.fair), joinedload(BoothRequest.booth))
        .order_by(BoothRequest.created_at.desc())
    ).all()


def request_of(cooperative_id: int, request_id: int) -> BoothRequest | None:
    return db.session.scalar(
        select(BoothRequest).where(
            BoothRequest.id == request_id, BoothRequest.cooperative_id == cooperative_id
        )
    )


def waiting_offers(cooperative_id: int, now: datetime) -> list[Booth]:
    """Booths held for this cooperative right now."""
    return db.session.scalars(
        select(Booth)
        .where(Booth.held_for_id == cooperative_id, Booth.held_until > now)
        .options(joinedload(Booth.fair))
    ).all()
