"""The provincial OCOP office's pages (/admin): only admins; a guest is sent to log in, any
other account gets 403. Areas add their admin routes to this blueprint."""

from flask import Blueprint, abort, render_template
from flask_login import current_user

from core.extensions import login_manager

admin = Blueprint("admin", __name__, url_prefix="/admin")


@admin.before_request
def only_admins():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None


@admin.get("")
def index():
    return render_template("admin/index.html")
