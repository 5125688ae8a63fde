"""Community tourism. The listings and booking come with their own issue; until then the
page says so plainly instead of pretending."""

from flask import Blueprint, render_template

bp = Blueprint("tourism", __name__)


@bp.get("/tourism")
def index():
    return render_template("tourism/index.html")
