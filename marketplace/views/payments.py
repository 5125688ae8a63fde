"""The cooperative's payments page (/dashboard/payments), on the dashboard's blueprint: where
SePay sends its notices (the address and the key, and a new key), the statement upload and
its columns, the credits waiting for a person, the last transactions and the refunds due.
The rules are payments' (feeds, statements, matching, refunds); orders' codes are the
marketplace's (marketplace.payables)."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from core.db import TryAgain
from marketplace.labels import ORDER_STATUS_NAMES
from marketplace.payables import order_codes
from marketplace.payment_forms import AssignForm, ColumnsForm, RotateForm, StatementForm
from marketplace.views.dashboard import dashboard
from payments import feeds, matching, refunds, statements
from payments.feeds import KeyChanged
from payments.matching import MatchError
from payments.statements import StatementError

RECENT = 30


def _coop_id() -> int:
    return g.cooperative.id


def _busy() -> str:
    return _("Hệ thống đang bận, chưa có gì thay đổi. Vui lòng thử lại.")


def _back():
    # No #anchor: the message is at the top of the page.
    return redirect(url_for("dashboard.payments"))


def _statement_message(error: StatementError) -> str:
    """The refusal in the reader's language, its numbers as the reader writes them."""
    params = {
        name: format_number(value) if isinstance(value, int) else value
        for name, value in error.params.items()
    }
    return _(error.message, **params)


def _pending(token: str | None, header: int | None, form: ColumnsForm | None = None):
    """The kept upload of the column step, its table and the form for it; None when the
    token is no kept file of this cooperative (imported already, or expired)."""
    upload = statements.kept(_coop_id(), token)
    if upload is None:
        return None
    table = statements.read(upload.content, upload.filename)
    feed = feeds.feed_of(_coop_id())
    saved = feeds.statement_columns(feed)
    if header is None or not 0 < header <= min(len(table.rows), statements.HEADER_SEARCH_ROWS):
        header = table.header_for(saved) or table.guess_header()
    if form is None:
        mapping = {**table.guess_mapping(header), **saved} if saved else table.guess_mapping(header)
        columns = table.columns(header)
        form = ColumnsForm(formdata=None, upload=upload.token, header=header)
        for name in statements.FIELDS:
            getattr(form, name).data = mapping.get(name) if mapping.get(name) in columns else ""
    form.for_table(table, header)
    return {"upload": upload, "table": table, "header": header, "form": form}


def _page(*, pending=None, statement_form=None, assign_errors=None, status=200):
    cooperative_id = _coop_id()
    feed = feeds.feed_of(cooperative_id)
    recent = matching.recent(cooperative_id, RECENT)
    queue = matching.unmatched(cooperative_id)
    due = refunds.due_for(cooperative_id)
    order_ids = {a.payable_id for t in recent for a in t.allocations if a.payable_kind == "order"}
    order_ids |= {r.payable_id for r in due if r.payable_kind == "order"}
    return render_template(
        "dashboard/payments.html",
        feed=feed,
        sepay_url=url_for("payments_webhooks.sepay", token=feed.token, _external=True),
        hmac_url=url_for("payments_webhooks.signed", token=feed.token, _external=True),
        rotate_form=RotateForm(formdata=None, seen=feeds.key_fingerprint(feed.api_key)),
        statement_form=statement_form or StatementForm(formdata=None),
        saved_columns=feeds.statement_columns(feed),
        pending=pending,
        field_names=statements.FIELD_NAMES,
        queue=queue,
        assign_errors=assign_errors or {},
        recent=recent,
        refunds=due,
        codes=order_codes(cooperative_id, sorted(order_ids)),
        why=matching.why,
        status_names=matching.STATUS_NAMES,
        order_status_names=ORDER_STATUS_NAMES,
        reason_names=refunds.REASONS,
        has_bank_account=bool(g.cooperative.bank_bin and g.cooperative.bank_account),
    ), status


@dashboard.get("/payments")
def payments():
    token = request.args.get("statement", "")[:32]
    header = request.args.get("header", "")
    header = int(header) if header.isascii() and header.isdigit() and len(header) <= 3 else None
    pending = None
    if token:
        try:
            pending = _pending(token, header)
        except StatementError as error:  # it was read once already: only if the code changed
            flash(_statement_message(error), "error")
            return _back()
        if pending is None:
            flash(
                _("Tệp sao kê này đã được nhập hoặc đã quá một ngày. Vui lòng tải lên lại."), "info"
            )
            return _back()
    return _page(pending=pending)


@dashboard.post("/payments/key")
def rotate_key():
    form = RotateForm()
    try:
        feeds.rotate_key(_coop_id(), current_user.id, seen=form.seen.data or "")
    except KeyChanged:
        flash(_("Khóa đã được đổi trước đó; khóa đang hiện bên dưới là khóa mới nhất."), "info")
    except TryAgain:
        flash(_busy(), "error")
    else:
        flash(
            _("Đã đổi khóa API. Hãy dán khóa mới vào SePay: khóa cũ không còn dùng được."),
            "success",
        )
    return _back()


def _imported_message(result: statements.Imported) -> str:
    new = result.matched + result.waiting
    message = ngettext(
        "Đã nhập sao kê: %(num)s khoản tiền vào mới, %(matched)s khớp với đơn, %(waiting)s chờ "
        "bạn xử lý.",
        "Đã nhập sao kê: %(num)s khoản tiền vào mới, %(matched)s khớp với đơn, %(waiting)s chờ "
        "bạn xử lý.",
        new,
        matched=result.matched,
        waiting=result.waiting,
    )
    if result.already:
        message += " " + ngettext(
            "%(num)s khoản đã có từ trước.", "%(num)s khoản đã có từ trước.", result.already
        )
    if result.skipped:
        message += " " + ngettext(
            "Bỏ qua %(num)s dòng không phải tiền vào.",
            "Bỏ qua %(num)s dòng không phải tiền vào.",
            result.skipped,
        )
    return message


def _import(table, header: int, mapping: dict, upload_token: str | None = None) -> str | None:
    """Import and say how it went; the message when it could not (a row, a busy database)."""
    try:
        result = statements.import_statement(
            _coop_id(), table, header, mapping, upload_token=upload_token
        )
    except StatementError as error:
        return _statement_message(error)
    except TryAgain:
        return _busy()
    flash(_imported_message(result), "success")
    return None


@dashboard.post("/payments/statement")
def upload_statement():
    form = StatementForm()
    upload = request.files.get("statement")
    if upload is None or not upload.filename:
        flash(_("Vui lòng chọn tệp sao kê (CSV hoặc Excel .xlsx)."), "error")
        return _back()
    data = upload.stream.read(statements.MAX_BYTES + 1)
    try:
        table = statements.read(data, upload.filename)
    except StatementError as error:
        flash(_statement_message(error), "error")
        return _back()
    saved = feeds.statement_columns(feeds.feed_of(_coop_id()))
    if saved and not form.remap.data:
        header = table.header_for(saved)
        if header is not None:
            if problem := _import(table, header, saved):
                flash(problem, "error")
            return _back()
        flash(
            _("Các cột đã lưu không có trong tệp này. Vui lòng chọn lại các cột bên dưới."), "info"
        )
    try:
        token = statements.keep(_coop_id(), upload.filename, data)
    except TryAgain:
        flash(_busy(), "error")
        return _back()
    return redirect(url_for("dashboard.payments", statement=token) + "#statement")


@dashboard.post("/payments/statement/columns")
def statement_columns():
    token = request.form.get("upload", "")[:32]
    header = request.form.get("header", "")
    header = int(header) if header.isascii() and header.isdigit() and len(header) <= 3 else None
    try:
        pending = _pending(token, header, ColumnsForm())
    except StatementError as error:
        flash(_statement_message(error), "error")
        return _back()
    if pending is None:
        flash(_("Tệp sao kê này đã được nhập hoặc đã quá một ngày. Vui lòng tải lên lại."), "info")
        return _back()
    form = pending["form"]
    if request.form.get("action") == "reread":
        return redirect(
            url_for("dashboard.payments", statement=token, header=pending["header"]) + "#statement"
        )
    if not form.validate():
        return _page(pending=pending, status=422)
    if problem := _import(pending["table"], pending["header"], form.mapping(), upload_token=token):
        return _page(pending={**pending, "problem": problem}, status=422)
    return _back()


def _own_transaction_or_404(transaction_id: int) -> None:
    if matching.transaction_of(_coop_id(), transaction_id) is None:
        abort(404)


@dashboard.post("/payments/transactions/<int:transaction_id>/assign")
def assign_transaction(transaction_id: int):
    _own_transaction_or_404(transaction_id)
    form = AssignForm()
    typed = (form.code.data or "")[:40]
    if not form.validate():
        return _page(assign_errors={transaction_id: (form.code.errors, typed)}, status=422)
    try:
        due = matching.assign(transaction_id, _coop_id(), form.code.data, current_user.id)
    except MatchError as error:
        if str(error) == "not waiting":
            flash(_("Khoản tiền này đã được xử lý trước đó; không có gì thay đổi thêm."), "info")
            return _back()
        message = _(
            "Không tìm thấy đơn “%(code)s” của cửa hàng. Hãy ghi mã đơn như HG-2026-000123-1.",
            code=typed.strip(),
        )
        return _page(assign_errors={transaction_id: ([message], typed)}, status=422)
    except TryAgain:
        flash(_busy(), "error")
        return _back()
    flash(_("Đã ghi khoản tiền này cho đơn %(code)s.", code=due.code), "success")
    return _back()


@dashboard.post("/payments/transactions/<int:transaction_id>/dismiss")
def dismiss_transaction(transaction_id: int):
    _own_transaction_or_404(transaction_id)
    try:
        matching.dismiss(transaction_id, _coop_id(), current_user.id)
    except MatchError:
        flash(_("Khoản tiền này đã được xử lý trước đó; không có gì thay đổi thêm."), "info")
    except TryAgain:
        flash(_busy(), "error")
    else:
        flash(_("Đã đánh dấu: khoản tiền này không phải tiền của cửa hàng."), "success")
    return _back()
