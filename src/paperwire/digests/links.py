"""Signed links for subscriptions: confirm (expires), settings and unsubscribe (last until revoked).

Each token is an HMAC-signed (subscription id, nonce) pair. Without the hub's secret key none can be
made, so they cannot be forged or enumerated; the nonce, stored with the subscription, lets the hub
revoke every link it sent by replacing it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

CONFIRM_HOURS = 72


class BadLink(ValueError):
    """A link that is not ours, was revoked, or has expired; the message says which, in one line."""


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


@dataclass(frozen=True, slots=True)
class LinkRef:
    subscription_id: int
    nonce: str


class SubscriptionLinks:
    def __init__(self, secret: str, base_url: str):
        self.base_url = base_url.rstrip("/")
        self._confirm = URLSafeTimedSerializer(secret, salt="paperwire.subscription.confirm")
        self._manage = URLSafeSerializer(secret, salt="paperwire.subscription.manage")
        self._unsubscribe = URLSafeSerializer(secret, salt="paperwire.subscription.unsubscribe")

    # -- tokens ---------------------------------------------------------------------------------

    def confirm_token(self, subscription_id: int, nonce: str) -> str:
        return self._confirm.dumps([subscription_id, nonce])

    def manage_token(self, subscription_id: int, nonce: str) -> str:
        return self._manage.dumps([subscription_id, nonce])

    def unsubscribe_token(self, subscription_id: int, nonce: str) -> str:
        return self._unsubscribe.dumps([subscription_id, nonce])

    def read_confirm(self, token: str) -> LinkRef:
        try:
            data = self._confirm.loads(token, max_age=CONFIRM_HOURS * 3600)
        except SignatureExpired:
            raise BadLink("this confirmation link has expired: subscribe again to get a new one") from None
        except BadSignature:
            raise BadLink("this confirmation link is not valid") from None
        return _ref(data, "confirmation")

    def read_manage(self, token: str) -> LinkRef:
        try:
            return _ref(self._manage.loads(token), "settings")
        except BadSignature:
            raise BadLink("this settings link is not valid") from None

    def read_unsubscribe(self, token: str) -> LinkRef:
        try:
            return _ref(self._unsubscribe.loads(token), "unsubscribe")
        except BadSignature:
            raise BadLink("this unsubscribe link is not valid") from None

    # -- URLs -----------------------------------------------------------------------------------

    def confirm_url(self, subscription_id: int, nonce: str) -> str:
        return f"{self.base_url}/subscribe/confirm?token={self.confirm_token(subscription_id, nonce)}"

    def manage_url(self, subscription_id: int, nonce: str) -> str:
        return f"{self.base_url}/subscription?token={self.manage_token(subscription_id, nonce)}"

    def unsubscribe_url(self, subscription_id: int, nonce: str) -> str:
        return f"{self.base_url}/unsubscribe/{self.unsubscribe_token(subscription_id, nonce)}"


def _ref(data, what: str) -> LinkRef:
    if not (
        isinstance(data, list) and len(data) == 2 and isinstance(data[0], int) and isinstance(data[1], str)
    ):
        raise BadLink(f"this {what} link is not valid")
    return LinkRef(data[0], data[1])


def check_ref(ref: LinkRef, nonce: str | None, what: str) -> None:
    """The link's nonce must be the subscription's current one: older links were revoked."""
    if nonce is None or not secrets.compare_digest(ref.nonce, nonce):
        raise BadLink(f"this {what} link is no longer valid")
