"""Messages on the site: a person's own (/account/messages) and the office's list of every
message with "send again" for the failed ones (/admin/messages)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core import notifications
from core.admin import admin
from core.db import TryAgain, flash_busy
from core.labels import CHANNEL_NAMES, MESSAGE_STATUS_NAMES

bp = Blueprint("messages", __name__)

STATUSES = tuple(MESSAGE_STATUS_NAMES)


@bp.get("/account/messages")
@login_required
def my_messages():
    return render_template(
        "core/messages.html",
        messages=notifications.messages_of(current_user.id),
        message_status_names=MESSAGE_STATUS_NAMES,
    )


@admin.get("/messages")
def office_messages():
    status = request.args.get("status", "failed")
    status = status if status in STATUSES else ""
    return render_template(
        "admin/messages.html",
        messages=notifications.messages_for_office(status or None),
        status=status,
        statuses=STATUSES,
        message_status_names=MESSAGE_STATUS_NAMES,
        channel_names=CHANNEL_NAMES,
    )


@admin.post("/messages/<int:message_id>/send")
def send_message_again(message_id: int):
    try:
        if notifications.send_again(message_id, current_user.id):
            flash(_("Đã đưa thư vào hàng đợi để gửi lại."), "success")
        else:
            flash(_("Thư này không ở trạng thái gửi lỗi (có thể đã được gửi lại)."), "info")
    except TryAgain:
        flash_busy()
    return redirect(url_for("admin.office_messages", status="failed"))
