"""Mails about orders: the buyer's confirmation and each cooperative's new-order notice."""

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from core.mail import send_mail
from marketplace.models import Checkout


def order_link(checkout: Checkout) -> str:
    return url_for(
        "marketplace.order", code=checkout.code, token=checkout.access_token, _external=True
    )


def send_order_mails(checkout: Checkout) -> None:
    link = order_link(checkout)
    if checkout.email:
        send_mail(
            checkout.email,
            _("Đơn hàng %(code)s đã được đặt", code=checkout.code),
            render_template("mail/order_placed.txt", checkout=checkout, link=link),
        )
    for order in checkout.orders:
        owner = order.cooperative.owner
        if owner is None:
            continue
        # Cooperatives get their notice in Vietnamese, whatever the buyer reads.
        with force_locale("vi"):
            send_mail(
                owner.email,
                _("Đơn hàng mới %(code)s", code=order.code),
                render_template("mail/new_order.txt", order=order, checkout=checkout),
            )
