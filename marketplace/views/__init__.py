"""The marketplace's routes, one module per concern; all on one blueprint."""

from flask import Blueprint

bp = Blueprint("marketplace", __name__)

from marketplace.views import addresses, cart, catalogue, orders  # noqa: E402, F401
