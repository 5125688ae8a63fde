"""Accounts, language and health routes. What an area adds to them (the cooperative sign-up,
parts of the account page) it registers in core.hooks; the cart joins the account on login
through Flask-Login's user_logged_in signal, which marketplace connects."""

from functools import wraps

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from core import accounts, hooks, reviews
from core.accounts import EmailTaken, authenticate, register_user
from core.db import TryAgain, database_is_reachable, flash_busy
from core.extensions import db, login_manager
from core.forms import (
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    PasswordForm,
    RegisterForm,
)
from core.i18n import localized
from core.labels import ROLE_NAMES
from core.limits import limited
from core.models import District, User
from core.security import is_local_path
from core.submissions import new_form_token
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


def _landing(user: User) -> str:
    """Where a person goes after logging in or signing up: back where they were (`next`, a
    path on this site only, never another host: an open redirect), else their role's home."""
    target = request.args.get("next", "")
    if is_local_path(target):
        return target
    if user.is_admin:
        return url_for("admin.index")
    signup = hooks.cooperative_signup()
    if user.role == "cooperative" and signup and signup.home:
        return url_for(signup.home)
    return url_for("core.account")


@bp.route("/login", methods=["GET", "POST"])
@limited("LOGIN", by_account_typed=True)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user:
            try:
                accounts.log_in(user, remember=form.remember.data)
            except TryAgain:
                flash_busy()
                return render_template("core/login.html", form=form)
            flash(_("Xin chào, %(name)s!", name=user.name), "success")
            return redirect(_landing(user))
        form.password.errors.append(_("Email hoặc mật khẩu không đúng."))
    return render_template("core/login.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
@limited("REGISTER")
def register():
    form = RegisterForm()
    signup = hooks.cooperative_signup()
    kinds = signup.kinds if signup else {}
    form.cooperative_kind.choices = [(k, _(v)) for k, v in kinds.items()]
    districts = db.session.scalars(select(District).order_by(District.name)).all()
    form.district_id.choices = [("", _("— Chọn —"))] + [
        (str(d.id), localized(d, "name")) for d in districts
    ]
    if form.validate_on_submit():
        try:
            user = accounts.register_account(
                lambda: _register_from_form(form),
                token=form.form_token.data,
                email=form.email.data,
                password=form.password.data,
                address=url_for("core.account"),
            )
            accounts.log_in(user)
        except EmailTaken:
            form.email.errors.append(_("Email này đã có tài khoản. Hãy đăng nhập."))
        except TryAgain:
            flash_busy()
        else:
            if user.role == "cooperative":
                flash(_("Đã đăng ký. Hợp tác xã của bạn đang chờ Văn phòng OCOP duyệt."), "info")
            else:
                flash(_("Chào mừng bạn đến với OCOP Hậu Giang!"), "success")
            return redirect(_landing(user))
    form.form_token.data = new_form_token()
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
        try:
            accounts.end_sessions(current_user.id, current_user.session_token)
        except TryAgain:
            flash_busy()
            return redirect(url_for("core.account"))
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("marketplace.home"))


@bp.get("/account")
@login_required
def account():
    return render_template("core/account.html", parts=hooks.account_parts(current_user))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limited("PASSWORD")
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.change_password(current_user.id, form.current.data, form.new.data)
            accounts.log_in(user)  # this device stays logged in, with the new session token
        except accounts.WrongPassword:
            form.current.errors.append(_("Mật khẩu hiện tại không đúng."))
        except TryAgain:
            flash_busy()
        else:
            flash(_("Đã đổi mật khẩu. Các thiết bị khác đã được đăng xuất."), "success")
            return redirect(url_for("core.account"))
    return render_template("core/password.html", form=form)


@bp.route("/account/forgot", methods=["GET", "POST"])
@limited("FORGOT_PASSWORD", by_account_typed=True)
def forgot_password():
    """Ask for a reset link by mail. The answer is the same whether the address has an
    account or not, so the form does not tell who has one."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.send_password_reset(
                form.email.data, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
            )
        except TryAgain:
            flash_busy()
        else:
            flash(
                _(
                    "Nếu địa chỉ này có tài khoản, chúng tôi đã gửi thư hướng dẫn đặt lại mật "
                    "khẩu. Hãy xem hộp thư (cả mục thư rác)."
                ),
                "info",
            )
            return redirect(url_for("core.login"))
    return render_template("core/forgot_password.html", form=form)


def _private_page(view):
    """A page whose address is a secret (a reset link's token): kept out of caches and out of
    the Referer header of what it links to."""

    @wraps(view)
    def answer(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return answer


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
@limited("RESET_PASSWORD")
@_private_page
def reset_password(token: str):
    """The mailed link: a new password, typed twice. Logs the person in; every other session
    of the account ends, and the link with it."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(token, form.new.data, max_age=max_age)
            accounts.log_in(user)
        except accounts.InvalidResetLink as error:
            return _dead_reset_link(error, max_age)
        except TryAgain:
            flash_busy()
        else:
            flash(_("Đã đặt mật khẩu mới. Các thiết bị khác đã được đăng xuất."), "success")
            return redirect(url_for("core.account"))
    try:
        user = accounts.user_for_reset_link(token, max_age=max_age)
    except accounts.InvalidResetLink as error:
        return _dead_reset_link(error, max_age)
    return render_template("core/reset_password.html", form=form, user=user)


def _dead_reset_link(error: accounts.InvalidResetLink, max_age: int):
    """A link that is expired, used or damaged: said plainly, with the way to ask again."""
    expired = isinstance(error, accounts.ResetLinkExpired)
    page = render_template("core/reset_link_dead.html", expired=expired, minutes=max_age // 60)
    return page, 400


@bp.get("/healthz")
def healthz():
    if database_is_reachable():
        return {"status": "ok"}, 200
    return {"status": "database unreachable"}, 503


@bp.record_once
def register_template_globals(state):
    # A global, not a context variable: macros imported without context (cards) use it.
    state.app.jinja_env.globals["review_average"] = reviews.average_text


@bp.app_context_processor
def layout_context():
    return {
        "current_locale": lambda: str(get_locale()),
        "office": current_app.config["OFFICE_CONTACT"],
        "role_names": ROLE_NAMES,
        "come_back": come_back,
    }


# Pages a login link does not come back to: they are the way in, or out.
_NO_COMING_BACK = {"core.login", "core.register", "core.forgot_password", "core.reset_password"}


def come_back() -> str | None:
    """The `next` of a login or sign-up link on this page: the page itself, or the `next` it
    was given where the page is itself the way in (login links on the sign-up page)."""
    if request.endpoint in _NO_COMING_BACK:
        return request.args.get("next") or None
    if request.method != "GET" or request.endpoint is None:
        return None
    return request.full_path.removesuffix("?")
