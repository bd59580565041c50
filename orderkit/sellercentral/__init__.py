"""Live Seller Central: orders in and shipment confirmations out through the Selling Partner API.

>>> from orderkit.sellercentral import SellerCentral, Sandbox, Credentials
>>> with Sandbox() as sb:                                     # doctest: +SKIP
...     sc = SellerCentral(sb.url, Credentials.of("r", "id", "secret"), clock=sb.clock)
...     result = sc.sync(store)

See ``docs/seller-central.md``: the library choice, the sync's watermark, the usage plans, the
credentials, and how to point it at a real account.
"""

from orderkit.sellercentral.central import SellerCentral
from orderkit.sellercentral.confirm import ConfirmRequest, ConfirmResult, Failure
from orderkit.sellercentral.credentials import Credentials, Secret, load_credentials
from orderkit.sellercentral.errors import (
    ApiError,
    AuthorizationError,
    CredentialsMissing,
    SellerCentralError,
)
from orderkit.sellercentral.ratelimit import DOCUMENTED, Limit, RatePlan
from orderkit.sellercentral.sandbox import Sandbox
from orderkit.sellercentral.sync import SyncResult, Window

__all__ = [
    "DOCUMENTED",
    "ApiError",
    "AuthorizationError",
    "ConfirmRequest",
    "ConfirmResult",
    "Credentials",
    "CredentialsMissing",
    "Failure",
    "Limit",
    "RatePlan",
    "Sandbox",
    "Secret",
    "SellerCentral",
    "SellerCentralError",
    "SyncResult",
    "Window",
    "load_credentials",
]
