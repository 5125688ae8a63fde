"""The shop profile (/dashboard/profile), on the dashboard's blueprint and behind its guards.
Rules in marketplace.profile, the form in marketplace.profile_forms."""

from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import uploads
from core.accounts import WrongPassword
from core.db import TryAgain
from core.limits import limited
from core.uploads import max_image_bytes, upload_folder
from marketplace import profile as shop_profile
from marketplace.profile_forms import ProfileForm
from marketplace.views.dashboard import dashboard, prepared_picture, try_again
from payments.banks import bank_name


@dashboard.route("/profile", methods=["GET", "POST"])
@limited("PASSWORD")  # the bank account's password, counted with the password change's
def profile():
    cooperative = g.cooperative
    form = ProfileForm(cooperative=cooperative)
    if form.validate_on_submit():
        logo = prepared_picture(form.logo)
        if logo is not False:
            try:
                bank_changed = shop_profile.save_profile(
                    cooperative.id,
                    current_user.id,
                    form.details(),
                    form.bank(),
                    form.password.data or "",
                    logo=logo,
                    remove_logo=form.remove_logo.data,
                    upload_folder=upload_folder(),
                    office=current_app.config["OFFICE_CONTACT"],
                )
            except shop_profile.PasswordRequired:
                form.password.errors = [
                    _(
                        "Nhập mật khẩu hiện tại để thay đổi tài khoản nhận tiền. Chưa có gì được lưu."
                    )  # fmt: skip
                ]
            except WrongPassword:
                form.password.errors = [_("Mật khẩu hiện tại không đúng. Chưa có gì được lưu.")]
            except TryAgain:
                flash(try_again(), "error")
            else:
                flash(_("Đã lưu hồ sơ cửa hàng."), "success")
                if bank_changed:
                    flash(
                        _("Tài khoản nhận tiền đã thay đổi; chủ hợp tác xã sẽ nhận thư báo."),
                        "info",
                    )
                return redirect(url_for(".profile"))
    return render_template(
        "dashboard/profile.html",
        form=form,
        cooperative=cooperative,
        bank=bank_name(cooperative.bank_bin),
        max_image_mb=uploads.megabytes(max_image_bytes()),
    )
