"""Accounts, language and health routes. What an area adds to them (the cooperative sign-up,
parts of the account page) it registers in core.hooks; the cart joins the account on login
through Flask-Login's user_logged_in signal, which marketplace connects."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import hooks
from core.accounts import EmailTaken, authenticate, register_user
from core.db import database_is_reachable
from core.extensions import db, limiter, login_manager
from core.forms import LoginForm, PasswordForm, RegisterForm
from core.labels import ROLE_NAMES
from core.models import District, User
from core.text import normalise_phone, same_secret, whole_number

bp = Blueprint("core", __name__)

login_manager.login_view = "core.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(session_id: str):
    """The user of a session id made by User.get_id, while its token is still the user's."""
    user_id, _sep, token = session_id.partition("-")
    number = whole_number(user_id, max_digits=11)
    user = db.session.get(User, number) if number is not None else None
    if user is None or not same_secret(token or "-", user.session_token or "-"):
        return None
    return user


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another host (open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("core.account")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user:
            login_user(user, remember=form.remember.data)
            flash(_("Xin chào, %(name)s!", name=user.name), "success")
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Email hoặc mật khẩu không đúng."))
    return render_template("core/login.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def register():
    form = RegisterForm()
    signup = hooks.cooperative_signup()
    kinds = signup.kinds if signup else {}
    form.cooperative_kind.choices = [(k, _(v)) for k, v in kinds.items()]
    districts = db.session.scalars(select(District).order_by(District.name)).all()
    form.district_id.choices = [("", _("— Chọn —"))] + [(str(d.id), d.name) for d in districts]
    if form.validate_on_submit():
        try:
            user = _register_from_form(form)
            db.session.commit()
        except (EmailTaken, IntegrityError):
            db.session.rollback()
            form.email.errors.append(_("Email này đã có tài khoản. Hãy đăng nhập."))
        else:
            login_user(user)
            if user.role == "cooperative":
                flash(_("Đã đăng ký. Hợp tác xã của bạn đang chờ Văn phòng OCOP duyệt."), "info")
            else:
                flash(_("Chào mừng bạn đến với OCOP Hậu Giang!"), "success")
            return redirect(url_for("core.account"))
    return render_template("core/register.html", form=form)


def _register_from_form(form: RegisterForm) -> User:
    phone = normalise_phone(form.phone.data or "")
    if form.account_type.data == "cooperative":
        return hooks.cooperative_signup().create(
            email=form.email.data,
            name=form.name.data,
            password=form.password.data,
            phone=phone,
            cooperative_name=form.cooperative_name.data,
            kind=form.cooperative_kind.data,
            district_id=int(form.district_id.data),
        )
    return register_user(
        email=form.email.data, name=form.name.data, password=form.password.data, phone=phone
    )


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # A copy of this session's cookie must not outlive the logout.
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("marketplace.home"))


@bp.get("/account")
@login_required
def account():
    return render_template("core/account.html", parts=hooks.account_parts(current_user))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("Mật khẩu hiện tại không đúng."))
        else:
            current_user.set_password(form.new.data)
            current_user.end_sessions()  # every other device has to log in again
            db.session.commit()
            login_user(current_user._get_current_object())
            flash(_("Đã đổi mật khẩu. Các thiết bị khác đã được đăng xuất."), "success")
            return redirect(url_for("core.account"))
    return render_template("core/password.html", form=form)


@bp.get("/healthz")
def healthz():
    if database_is_reachable():
        return {"status": "ok"}, 200
    return {"status": "database unreachable"}, 503


@bp.app_context_processor
def layout_context():
    return {
        "current_locale": lambda: str(get_locale()),
        "office": current_app.config["OFFICE_CONTACT"],
        "role_names": ROLE_NAMES,
    }
