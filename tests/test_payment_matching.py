"""payments.references and payments.matching: the rules, row by row, against a payable kind
kept in memory (the rules know payables only through payments.payables), then replays."""

import dataclasses
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from payments import matching, payables
from payments.matching import BankLine
from payments.models import Allocation, BankTransaction, Refund
from payments.payables import Due
from payments.references import code_of, reference_for, references_in

T0 = datetime(2026, 11, 20, 3, 0)  # when the orders were placed (UTC)
BOOKED = T0 + timedelta(hours=1)


class MemoryOrders:
    """A payable kind over a dict: what the rules asked it to do is what the test reads."""

    kind = "order"
    prefix = "HG"

    def __init__(self, dues):
        self.dues = {due.code: due for due in dues}

    def find(self, code):
        return self.dues.get(code)

    def candidates(self, payee_id, amount, booked_at):
        return [
            due for due in self.dues.values()
            if due.payee_id == payee_id and due.is_open and due.remaining == amount
            and due.paid == 0 and due.placed_at <= booked_at
        ]  # fmt: skip

    def receive(self, due, amount):
        self.dues[due.code] = dataclasses.replace(due, paid=self.dues[due.code].paid + amount)

    def give_back(self, payable_id, amount):
        raise AssertionError("not used here")


def due(number, amount, payee, paid=0, is_open=True, placed_at=T0):
    return Due("order", number, f"HG-2026-{number:06d}-1", payee, amount, paid, placed_at, is_open)


@pytest.fixture()
def shops(db, make, monkeypatch):
    ours, theirs = make.cooperative().id, make.cooperative().id
    kind = MemoryOrders(
        [
            due(1, 150_000, ours),  # A
            due(2, 80_000, ours),  # B
            due(3, 200_000, ours, paid=200_000),  # C: paid already
            due(4, 50_000, ours, is_open=False),  # D: cancelled
            due(5, 150_000, theirs),  # E: another cooperative's
            due(6, 80_000, ours),  # F: owes what B owes
            due(7, 123_456, ours),  # G: the only one owing this
            due(8, 99_000, ours, placed_at=T0 + timedelta(hours=2)),  # H: placed after BOOKED
            due(9, 300_000, ours, paid=100_000),  # P: part paid
        ]
    )
    monkeypatch.setattr(payables, "KINDS", {"order": kind})
    return ours, kind


def ref(number: int) -> str:
    return reference_for(f"HG-2026-{number:06d}-1")


A, B, C, D, E, G, H, P = (ref(n) for n in (1, 2, 3, 4, 5, 7, 8, 9))
WRONG_LETTER = A[:-1] + next(c for c in "ACDEFHJKMNPQRTUVWXY" if c != A[-1])
UNKNOWN = reference_for("HG-2026-000777-1")

# text, amount, then what follows: status, {order number: amount allocated},
# {order number: (refund amount, reason)}; options: direction, booked (a moment).
ROWS = [
    ("exact", A, 150_000, "matched", {1: 150_000}, {}),
    ("lower case", A.lower(), 150_000, "matched", {1: 150_000}, {}),
    ("spaces inside", f"{A[:6]} {A[6:10]} {A[10:]}", 150_000, "matched", {1: 150_000}, {}),
    ("dashes inside", f"{A[:2]}-{A[2:6]}-{A[6:]}", 150_000, "matched", {1: 150_000}, {}),
    ("a line break inside", f"{A[:8]}\n{A[8:]}", 150_000, "matched", {1: 150_000}, {}),
    ("dots inside", f"{A[:2]}.{A[2:6]}.{A[6:]}", 150_000, "matched", {1: 150_000}, {}),
    ("underscores", f"{A[:6]}_{A[6:]}", 150_000, "matched", {1: 150_000}, {}),
    ("MB's wrapping", f"MBVCB.8812345.{A[:6]} {A[6:10]} {A[10:]}.CT tu 0912345678 Nguyen Van A",
     150_000, "matched", {1: 150_000}, {}),
    ("O typed for 0", A.replace("0", "O"), 150_000, "matched", {1: 150_000}, {}),
    ("l typed for 1", A.replace("1", "l"), 150_000, "matched", {1: 150_000}, {}),
    ("digits glued before", f"CT0912345678{A}", 150_000, "matched", {1: 150_000}, {}),
    ("digits glued after", f"{A}0912345678", 150_000, "matched", {1: 150_000}, {}),
    ("Vietnamese around", f"Thanh toán đơn hàng {A} cảm ơn", 150_000, "matched", {1: 150_000}, {}),
    ("the bank's FT reference after", f"{A} FT26334123456789", 150_000, "matched", {1: 150_000}, {}),
    ("named twice", f"{A} {A}", 150_000, "matched", {1: 150_000}, {}),
    ("less: part paid", A, 100_000, "matched", {1: 100_000}, {}),
    ("more: paid, excess refunded", A, 200_000, "matched", {1: 200_000}, {1: (50_000, "overpaid")}),
    ("paid already: all back", C, 200_000, "matched", {3: 200_000}, {3: (200_000, "paid_twice")}),
    ("cancelled: all back", D, 50_000, "matched", {4: 50_000}, {4: (50_000, "cancelled")}),
    ("the rest of a part paid", P, 200_000, "matched", {9: 200_000}, {}),
    ("more of a part paid", P, 50_000, "matched", {9: 50_000}, {}),
    ("over the rest of a part paid", P, 250_000, "matched", {9: 250_000}, {9: (50_000, "overpaid")}),
    ("another cooperative's order", E, 150_000, "unmatched", {}, {}),
    ("outgoing", A, 150_000, "ignored", {}, {}, {"direction": "out"}),
    ("zero", A, 0, "ignored", {}, {}),
    ("a wrong check letter is no reference", WRONG_LETTER, 77_000, "unmatched", {}, {}),
    ("a mistyped digit is no reference", A[:5] + "9" + A[6:], 77_000, "unmatched", {}, {}),
    ("no check letter is no reference", A[:-1], 77_000, "unmatched", {}, {}),
    ("no reference, one owes it", "chuyen tien", 123_456, "matched", {7: 123_456}, {}),
    ("no text, one owes it", "", 123_456, "matched", {7: 123_456}, {}),
    ("no reference, two owe it", "chuyen tien", 80_000, "unmatched", {}, {}),
    ("no reference, none owes it", "chuyen tien", 77_000, "unmatched", {}, {}),
    ("no reference, owed by one placed later", "ck", 99_000, "unmatched", {}, {}),
    ("a reference dated before its order", H, 99_000, "unmatched", {}, {}),
    ("a valid reference to nothing, nobody owes it", UNKNOWN, 77_000, "unmatched", {}, {}),
    ("a valid reference to nothing, one owes it", UNKNOWN, 123_456, "matched", {7: 123_456}, {}),
    ("two orders, their sum", f"{A} {B}", 230_000, "matched", {1: 150_000, 2: 80_000}, {}),
    ("two orders, not their sum", f"{A} {B}", 200_000, "unmatched", {}, {}),
    ("two orders, one paid already", f"{A},{C}", 150_000, "unmatched", {}, {}),
    ("two orders, one cancelled", f"{A} {D}", 200_000, "unmatched", {}, {}),
    ("three orders, their sum", f"{A} {B} {G}", 353_456, "matched",
     {1: 150_000, 2: 80_000, 7: 123_456}, {}),
    ("a mistyped one beside a good one", f"{A} {WRONG_LETTER[:-1]}X", 150_000, "matched",
     {1: 150_000}, {}),
    ("dated before every order", "chuyen tien", 123_456, "unmatched", {}, {},
     {"booked": T0 - timedelta(days=1)}),
    ("dated minutes before its order: the bank's clock", A, 150_000, "matched", {1: 150_000}, {},
     {"booked": T0 - timedelta(minutes=5)}),
    ("dated a quarter of an hour before its order", A, 150_000, "unmatched", {}, {},
     {"booked": T0 - timedelta(minutes=15)}),
]  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=[row[0] for row in ROWS])
def test_a_bank_line_is_settled_by_the_rules(db, shops, row):
    _name, text, amount, status, allocated, refunds, *options = row
    options = options[0] if options else {}
    payee, kind = shops
    line = BankLine(
        source="sepay",
        external_id="92704",
        booked_at=options.get("booked", BOOKED),
        amount=amount,
        direction=options.get("direction", "in"),
        text=text,
    )
    transaction = matching.take_in(payee, line)
    db.session.expire_all()
    assert db.session.get(BankTransaction, transaction.id).status == status
    assert {
        a.payable_id: a.amount for a in db.session.scalars(select(Allocation)).all()
    } == allocated
    assert {
        r.payable_id: (r.amount, r.reason) for r in db.session.scalars(select(Refund)).all()
    } == refunds
    for number, amount_in in allocated.items():
        code = f"HG-2026-{number:06d}-1"
        before = {1: 0, 2: 0, 3: 200_000, 7: 0, 4: 0, 9: 100_000}[number]
        assert kind.dues[code].paid == before + amount_in


def test_there_are_at_least_forty_rows():
    assert len(ROWS) >= 40


def test_the_same_notice_twice_is_taken_once_and_another_source_is_another_line(db, shops):
    payee, kind = shops
    line = BankLine("sepay", "92704", BOOKED, 150_000, "in", A)
    assert matching.take_in(payee, line) is not None
    assert matching.take_in(payee, line) is None  # SePay retrying: nothing more
    assert matching.take_in(payee, dataclasses.replace(line, source="statement")) is not None
    assert db.session.scalar(select(func.count(Allocation.id))) == 2
    assert kind.dues["HG-2026-000001-1"].paid == 300_000
    assert db.session.scalar(select(Refund.reason)) == "paid_twice"


def test_the_cooperative_assigns_or_dismisses_a_waiting_credit_once(db, shops, make):
    payee, kind = shops
    officer = make.user(role="cooperative")
    waiting = matching.take_in(payee, BankLine("sepay", "1", BOOKED, 80_000, "in", "ck"))
    other = matching.take_in(payee, BankLine("sepay", "2", BOOKED, 5_000, "in", "phi"))
    assert [t.id for t in matching.unmatched(payee)] == [other.id, waiting.id]
    matching.assign(waiting.id, payee, "HG-2026-000002-1", officer.id)
    assert kind.dues["HG-2026-000002-1"].paid == 80_000
    with pytest.raises(matching.MatchError):  # a second click: nothing is paid twice
        matching.assign(waiting.id, payee, "HG-2026-000002-1", officer.id)
    with pytest.raises(matching.MatchError):  # another cooperative's order
        matching.assign(other.id, payee, "HG-2026-000005-1", officer.id)
    matching.dismiss(other.id, payee, officer.id)
    assert matching.unmatched(payee) == []
    db.session.expire_all()
    assert db.session.get(BankTransaction, other.id).status == "dismissed"


@pytest.mark.parametrize(
    "code", ["HG-2026-000011-1", "HG-2026-000011-12", "HG-2026-999999-3", "BK-2026-000001"]
)
def test_a_reference_is_short_ascii_and_gives_back_its_code(code):
    reference = reference_for(code)
    assert len(reference) <= 25 and reference.isascii() and reference.isalnum()
    assert references_in(f"ND {reference} tu 0912") == [reference]
    assert code_of(reference) == code


def test_any_single_mistyped_character_or_swapped_neighbours_is_refused():
    reference = reference_for("HG-2026-000011-1")
    body = reference[:-1]
    for index in range(2, len(body)):
        for digit in "0123456789":
            if digit != body[index]:
                typo = body[:index] + digit + body[index + 1 :] + reference[-1]
                assert references_in(typo) == [], typo
    for index in range(2, len(body) - 1):
        if body[index] != body[index + 1]:
            swapped = body[:index] + body[index + 1] + body[index] + body[index + 2 :]
            assert references_in(swapped + reference[-1]) == [], swapped


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("HG-2026-000011-1", "HG-2026-000011-1"),
        (" hg-2026-000011-1 ", "HG-2026-000011-1"),
        (reference_for("HG-2026-000011-1"), "HG-2026-000011-1"),
        (reference_for("HG-2026-000011-1").lower(), "HG-2026-000011-1"),
        ("HG20260000111X", "HG20260000111X"),  # a wrong check letter: no reference, as typed
        ("", ""),
    ],
)
def test_a_code_is_typed_as_a_code_or_as_the_reference(typed, code):
    assert matching.code_typed(typed) == code


def test_why_a_line_waits_is_said_in_words(db, shops):
    payee, _kind = shops
    waiting = matching.take_in(payee, BankLine("sepay", "9", BOOKED, 80_000, "in", "ck"))
    other = matching.take_in(payee, BankLine("sepay", "10", BOOKED, 150_000, "in", E))
    assert matching.why(waiting)[0].startswith("Không có mã đơn, và nhiều đơn")
    assert matching.why(other) == (
        "Mã %(code)s là đơn của cửa hàng khác.",
        {"code": "HG-2026-000005-1"},
    )
    paid = matching.take_in(payee, BankLine("sepay", "11", BOOKED, 150_000, "in", A))
    assert matching.why(paid) is None
