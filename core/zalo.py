"""Zalo ZNS: a template message to a Vietnamese phone, by Zalo's template-message API.

Vietnamese buyers read Zalo before mail. ZNS sends only templates the Official Account had
approved by Zalo, each with its own id and named parameters; ZALO_ZNS_TEMPLATES says which
event goes by which template ("order.confirmed=231234,order.shipped=231235"), and the event's
`params` (core.notifications.notify) fill the template. Without ZALO_ZNS_ACCESS_TOKEN the
channel is off.

Written by hand on the standard library: the API is one JSON POST, and Zalo publishes no
Python client.
"""

import json
import urllib.error
import urllib.request

from flask import current_app

from core.text import is_mobile, normalise_phone

API_URL = "https://business.openapi.zalo.me/message/template"
TIMEOUT_SECONDS = 10
PARAM_LIMIT = 200  # ZNS refuses longer parameter values (most types allow 30 to 200)


class ZaloError(RuntimeError):
    pass


def templates() -> dict[str, str]:
    """event -> template id, from ZALO_ZNS_TEMPLATES."""
    pairs = (item.partition("=") for item in current_app.config["ZALO_ZNS_TEMPLATES"].split(","))
    return {event.strip(): template.strip() for event, _, template in pairs if template.strip()}


def is_on() -> bool:
    return bool(current_app.config["ZALO_ZNS_ACCESS_TOKEN"])


def zalo_phone(phone: str | None) -> str | None:
    """0912345678 -> 84912345678, the form ZNS wants; None for a landline (no Zalo), a number
    abroad or none."""
    local = normalise_phone(phone or "")
    return "84" + local[1:] if is_mobile(local) else None


def send_template(phone: str, template_id: str, data: dict, tracking_id: str) -> str:
    """Send one template message; Zalo's message id, or ZaloError with Zalo's reason."""
    body = json.dumps(
        {
            "phone": phone,
            "template_id": template_id,
            "template_data": {key: str(value)[:PARAM_LIMIT] for key, value in data.items()},
            "tracking_id": tracking_id,
        }
    ).encode()
    request = urllib.request.Request(
        current_app.config["ZALO_ZNS_URL"] or API_URL,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "access_token": current_app.config["ZALO_ZNS_ACCESS_TOKEN"],
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            answer = json.load(response)
    except (OSError, ValueError) as error:  # URLError and timeouts are OSErrors
        raise ZaloError(f"{type(error).__name__}: {error}") from error
    # Zalo answers HTTP 200 with {"error": 0, "data": {"msg_id": …}} or a negative error code.
    if not isinstance(answer, dict) or answer.get("error") != 0:
        code = answer.get("error") if isinstance(answer, dict) else None
        reason = answer.get("message") if isinstance(answer, dict) else answer
        raise ZaloError(f"ZNS error {code}: {reason}")
    return str((answer.get("data") or {}).get("msg_id", ""))
