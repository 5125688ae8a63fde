"""Recalls: a lot taken off sale with a reason, by its cooperative or the OCOP office, and
every buyer whose order line took units from it told what to do.

A recall is one conditional UPDATE of the lot's status (selling or expired → recalled): of two
recalls at once, or one sent twice, one happens and the other finds it made. In the same
write transaction the units the lot still had leave the product's stock (a product's stock
is its selling lots' units left, marketplace.lots), each buyer is written a message (once per
recall and order), the other side is told (the cooperative when the office recalled, the
office when the cooperative did) and the recall is audited.
"""

from dataclasses import dataclass

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, distinct, func, or_, select, update

from core import audit
from core.db import TryAgain, write_transaction
from core.extensions import db
from core.i18n import InReadersLanguage
from core.models import Message, User, utcnow
from core.notifications import Recipient, notify, site_link
from core.text import phone_for_reading, tel_url
from marketplace.lots import hold_product, move_stock
from marketplace.models import Checkout, Lot, Order, OrderLine, OrderLineLot
from marketplace.notifications import recipient_for

REASON_LENGTH = Lot.recall_reason.type.length
BUYER_EVENT = "lot.recalled"
STAFF_EVENT = "lot.recalled_staff"
RECALLABLE = ("selling", "expired")


class RecallError(ValueError):
    pass


class ReasonRequired(RecallError):
    pass


class AlreadyRecalled(RecallError):
    pass


@dataclass(frozen=True)
class Buyer:
    """One order that took units of the lot: whom to tell, and how many units they have."""

    order_id: int
    order_code: str
    units: int
    # The checkout's: who ordered, and how to reach them.
    buyer_id: int | None
    name: str
    phone: str
    email: str | None
    language: str


def reason_given(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ReasonRequired()
    return reason[:REASON_LENGTH]


def buyers_of(lot_id: int) -> list[Buyer]:
    """Every order whose lines took units of the lot, with its buyer: one query, through
    order_line_lots' index on lot_id. Cancelled orders are left out: their goods never left
    the cooperative (cancelling puts the stock back), so their buyers hold nothing to stop
    using."""
    # Columns, not objects: a lot may have thousands of buyers, and loading as many Checkout
    # objects is most of the time (bench/bench_recall.py).
    who = (Checkout.buyer_id, Checkout.name, Checkout.phone, Checkout.email, Checkout.language)
    rows = db.session.execute(
        _orders_that_took(select(Order.id, Order.code, func.sum(OrderLineLot.quantity), *who))
        .join(Checkout, Checkout.id == Order.checkout_id)
        .where(OrderLineLot.lot_id == lot_id)
        .group_by(Order.id, Order.code, *who)
        .order_by(Order.id)
    ).all()
    return [Buyer(*row) for row in rows]


def _orders_that_took(query):
    """query over the orders whose lines took units of lots (order_line_lots), cancelled
    orders left out (buyers_of says why)."""
    return (
        query.select_from(OrderLineLot)
        .join(OrderLine, OrderLine.id == OrderLineLot.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status != "cancelled")
    )


def buyer_once_key(lot_id: int, order_id: int) -> str:
    return f"{BUYER_EVENT}:{lot_id}:{order_id}"


def trace_link(lot: Lot) -> str:
    """The lot's public trace page, by its short address (the mail's link need not be GS1's)."""
    return site_link("marketplace.trace_lot", code=lot.trace_code)


def recall_lot(lot_id: int, *, reason: str, actor: User) -> list[Buyer]:
    """Recall the lot; the buyers told. AlreadyRecalled when it was (by anyone, even a moment
    ago in another request): nothing changes and nobody is told again."""
    reason = reason_given(reason)
    with write_transaction():
        product_id = db.session.scalar(select(Lot.product_id).where(Lot.id == lot_id))
        if product_id is None:
            raise AlreadyRecalled()
        # The product's row before the lot's, in the checkout's order: a recall and a checkout
        # of the same product wait for each other instead of deadlocking.
        hold_product(product_id)
        now = utcnow()
        values = {"status": "recalled", "recalled_at": now, "recall_reason": reason,
                  "recalled_by_id": actor.id}  # fmt: skip
        # Selling first: its units left leave the stock. An expired lot's left it already.
        was_selling = db.session.execute(
            update(Lot)
            .where(Lot.id == lot_id, Lot.status == "selling")
            .values(**values)
            .returning(Lot.product_id, Lot.units_left)
        ).first()
        if was_selling is not None:
            move_stock(was_selling.product_id, -was_selling.units_left)
        else:
            was_expired = db.session.execute(
                update(Lot).where(Lot.id == lot_id, Lot.status == "expired").values(**values)
            ).rowcount
            if not was_expired:
                raise AlreadyRecalled()
        lot = db.session.get(Lot, lot_id, populate_existing=True)
        db.session.refresh(lot.product)
        buyers = buyers_of(lot_id)
        _tell_buyers(lot, buyers)
        _tell_staff(lot, actor, len(buyers))
        audit.record(
            actor.id, "lot.recall", "lot", lot.id,
            f"{lot.product.name} · {lot.code}: {reason}",
        )  # fmt: skip
    return buyers


def recall_posted(lot: Lot, form, actor: User, busy: str) -> bool:
    """The recall form's POST, on the cooperative's page and the office's: the recall and what
    the person is told (flashed; `busy` when the database asks to try again), or the form's
    reason marked. True when the page is to be loaded again (recalled, now or before)."""
    if lot.status == "recalled" or not form.validate_on_submit():
        return False
    try:
        recall_lot(lot.id, reason=form.reason.data, actor=actor)
    except ReasonRequired:
        form.reason.errors = [_("Hãy ghi lý do thu hồi; người mua sẽ đọc lý do này.")]
        return False
    except AlreadyRecalled:
        flash(_("Lô này đã được thu hồi trước đó."), "info")
    except TryAgain:
        flash(busy, "error")
        return False
    else:
        flash(_("Đã thu hồi lô %(lot)s; người mua đang được báo tin.", lot=lot.code), "success")
    return True


def _tell_buyers(lot: Lot, buyers: list[Buyer]) -> None:
    cooperative = lot.product.cooperative
    # The buyers' accounts in one query; recipient_for then finds them in the session.
    account_ids = {b.buyer_id for b in buyers if b.buyer_id is not None}
    if account_ids:
        db.session.scalars(select(User).where(User.id.in_(account_ids))).all()
    link = trace_link(lot)
    for buyer in buyers:
        recipient = recipient_for(buyer.buyer_id, buyer.email, buyer.language, buyer.phone)
        if recipient is None:  # a guest who left no email: the office calls (its buyers page)
            continue
        notify(
            BUYER_EVENT,
            recipient,
            "lot_recalled",
            _l("Thu hồi sản phẩm: %(product)s, lô %(lot)s",
               product=InReadersLanguage(lot.product, "name"), lot=lot.code),
            once_key=buyer_once_key(lot.id, buyer.order_id),
            params={"order_code": buyer.order_code, "customer_name": buyer.name},
            lot=lot,
            buyer=buyer,
            cooperative=cooperative,
            phone=phone_for_reading(cooperative.phone),
            tel=tel_url(cooperative.phone),
            link=link,
        )  # fmt: skip


def _tell_staff(lot: Lot, actor: User, buyers: int) -> None:
    """The side that did not recall: the cooperative's owner when the office did, the office's
    accounts when the cooperative did."""
    if actor.role == "admin":
        owner = lot.product.cooperative.owner
        people = [owner] if owner is not None else []
    else:
        people = db.session.scalars(
            select(User).where(User.role == "admin").order_by(User.id)
        ).all()
    for person in people:
        notify(
            STAFF_EVENT,
            Recipient.of(person),
            "lot_recalled_staff",
            _l("Lô %(lot)s của %(product)s đã bị thu hồi",
               product=InReadersLanguage(lot.product, "name"), lot=lot.code),
            once_key=f"{STAFF_EVENT}:{lot.id}:{person.id}",
            lot=lot,
            buyers=buyers,
            by_office=actor.role == "admin",
            for_office=person.role == "admin",
        )  # fmt: skip


# --- what the office reads ------------------------------------------------------------------


@dataclass(frozen=True)
class Told:
    """The messages of a recall by status: sent, waiting (queued or retrying), failed."""

    buyers: int
    sent: int = 0
    waiting: int = 0
    failed: int = 0

    @property
    def unreachable(self) -> int:
        return max(self.buyers - self.sent - self.waiting - self.failed, 0)


def _messages_of(lot_ids: list[int]):
    """The condition on Message of the recalls' messages to buyers (their once keys)."""
    prefixes = [f"{BUYER_EVENT}:{lot_id}:" for lot_id in lot_ids]
    return and_(
        Message.event == BUYER_EVENT,
        or_(*(Message.once_key.startswith(prefix, autoescape=True) for prefix in prefixes)),
    )


def _lot_and_order(once_key: str) -> tuple[int, int]:
    """The lot and the order a recall's message is about, from its once key."""
    lot_id, order_id = once_key.removeprefix(f"{BUYER_EVENT}:").split(":")[:2]
    return int(lot_id), int(order_id)


def _buyer_messages(lot_id: int):
    """The mail (and Zalo) messages of a recall, by order id."""
    found = {}
    for message in db.session.scalars(select(Message).where(_messages_of([lot_id]))):
        found.setdefault(_lot_and_order(message.once_key)[1], []).append(message)
    return found


def told(lot_id: int) -> Told:
    """How many buyers the recall tells, and where each one's mail is."""
    return told_of([lot_id])[lot_id]


def told_of(lot_ids: list[int]) -> dict[int, Told]:
    """told() for each of several recalls (the office's list), in two queries whatever their
    number: the orders to tell counted by lot, and the messages' states read as columns."""
    if not lot_ids:
        return {}
    buyers = dict(
        db.session.execute(
            _orders_that_took(select(OrderLineLot.lot_id, func.count(distinct(Order.id))))
            .where(OrderLineLot.lot_id.in_(lot_ids))
            .group_by(OrderLineLot.lot_id)
        ).all()
    )
    mails = {}  # (lot, order): the state of its mail, else of its first message
    for key, channel, status in db.session.execute(
        select(Message.once_key, Message.channel, Message.status)
        .where(_messages_of(lot_ids))
        .order_by(Message.id)
    ):
        about = _lot_and_order(key)
        if channel == "mail" or about not in mails:
            mails[about] = status
    counts = {lot_id: {"sent": 0, "waiting": 0, "failed": 0} for lot_id in lot_ids}
    for (lot_id, _order_id), status in mails.items():
        counts[lot_id][{"sent": "sent", "failed": "failed"}.get(status, "waiting")] += 1
    return {lot_id: Told(buyers=buyers.get(lot_id, 0), **counts[lot_id]) for lot_id in lot_ids}


def recalls(limit: int = 100) -> list[Lot]:
    """The recalled lots, newest recall first."""
    return db.session.scalars(
        select(Lot)
        .where(Lot.status == "recalled")
        .order_by(Lot.recalled_at.desc(), Lot.id.desc())
        .limit(limit)
    ).all()


@dataclass(frozen=True)
class BuyerTold:
    buyer: Buyer
    messages: list[Message]


def buyers_told(lot_id: int) -> list[BuyerTold]:
    """Each buyer of a recalled lot with the messages that told them (none: no address)."""
    messages = _buyer_messages(lot_id)
    return [BuyerTold(b, messages.get(b.order_id, [])) for b in buyers_of(lot_id)]


def find_lot(*, trace_code: str = "", product_id: int | None = None, code: str = "") -> Lot | None:
    """A lot by the code of its trace page, or by its product and the lot code on the label."""
    if trace_code:
        return db.session.scalar(select(Lot).where(Lot.trace_code == trace_code.strip().upper()))
    if product_id and code:
        return db.session.scalar(
            select(Lot).where(Lot.product_id == product_id, Lot.code == code.strip())
        )
    return None


@dataclass(frozen=True)
class Reach:
    """Who a recall of the lot would tell: its orders, the people behind them (an account, or
    a guest's email), and the orders of guests who left no email (the office calls them)."""

    orders: int
    people: int
    unreachable: int


def reach(lot_id: int) -> Reach:
    people, unreachable = set(), 0
    buyers = buyers_of(lot_id)
    for buyer in buyers:
        if buyer.buyer_id is not None:
            people.add(("account", buyer.buyer_id))
        elif buyer.email:
            people.add(("email", buyer.email.lower()))
        else:
            unreachable += 1
    return Reach(orders=len(buyers), people=len(people), unreachable=unreachable)
