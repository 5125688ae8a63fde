"""Payments, shared by every area that takes money: VietQR codes and transfer details
(vietqr, transfers), references with a check character (references), bank notices and
statements matched to what they pay (matching, payables), refunds (refunds). Used by
marketplace's orders and tourism's booking deposits: it imports core only, never an area;
an area tells it what can be paid by registering a payable kind (payables.register)."""


def init_app(app) -> None:
    """The tables of payments (for the migrations), its bank-notice webhooks."""
    from payments import models  # noqa: F401
    from payments.webhooks import bp

    app.register_blueprint(bp)
