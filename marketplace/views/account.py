"""The marketplace's parts of the account page (/account, core.views), registered in core.hooks
by marketplace.init_app: the account's cooperative and its state, and after the card the link
to the shop and the buyer's orders, and the address book."""

from flask import render_template
from markupsafe import Markup

from marketplace.addresses import addresses_of
from marketplace.orders import checkouts_of_buyer
from marketplace.payables import checkout_totals


def cooperative_facts(_user) -> Markup:
    return Markup(render_template("marketplace/_account_cooperative.html"))


def orders_section(user) -> Markup:
    return Markup(
        render_template(
            "marketplace/_account_orders.html",
            checkouts=checkouts_of_buyer(user.id),
            checkout_totals=checkout_totals,
        )
    )


def addresses_section(user) -> Markup:
    book = addresses_of(user.id)
    default = next((a for a in book if a.is_default), None)
    return Markup(
        render_template("marketplace/_account_addresses.html", default=default, count=len(book))
    )
