"""The cooperative's reviews page (/dashboard/reviews, on the dashboard blueprint and behind its
guards): every review of its products, hidden ones with the office's reason, and the one
reply to each. Rules in marketplace.reviews and core.reviews."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core import reviews
from core.bounds import number_arg
from core.db import TryAgain
from core.forms import ReplyForm
from marketplace import reviews as shop_reviews
from marketplace.views.dashboard import dashboard


@dashboard.get("/reviews")
def reviews_page():
    page = shop_reviews.cooperative_reviews(
        g.cooperative.id, number_arg(request.args.get("page"), 1, 10_000) or 1
    )
    return render_template("dashboard/reviews.html", page=page)


@dashboard.post("/reviews/<int:review_id>/reply")
def reply_review(review_id: int):
    if shop_reviews.own_review(g.cooperative.id, review_id) is None:
        abort(404)
    form = ReplyForm()
    back = url_for("dashboard.reviews_page") + f"#review-{review_id}"
    if not form.validate():
        for error in form.reply.errors:
            flash(error, "error")
        return redirect(back)
    try:
        shop_reviews.reply(g.cooperative.id, review_id, form.reply.data)
        flash(_("Đã gửi trả lời."), "success")
    except reviews.AlreadyReplied as error:
        flash(error.message, "info")
    except reviews.ReviewError as error:
        flash(error.message, "error")
    except TryAgain:
        flash(_("Hệ thống đang bận. Vui lòng thử lại."), "error")
    return redirect(back)
