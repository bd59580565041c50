"""Live Seller Central: orders in and shipment confirmations out through the Selling Partner API.

>>> from orderkit.sellercentral import SellerCentral, Sandbox, Credentials
>>> with Sandbox() as sb:                                     # doctest: +SKIP
...     sc = SellerCentral(sb.url, Credentials.of("r", "id", "secret"), clock=sb.clock)
...     result = sc.sync(store)

See ``docs/seller-central.md``: the library choice, the sync's watermark, the usage plans, the
credentials, and how to point it at a real account.
"""

from typing import TYPE_CHECKING, Any

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
from orderkit.sellercentral.sync import SyncResult, SyncStatus, Window

if TYPE_CHECKING:
    from orderkit.sellercentral.sandbox import Sandbox

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
    "SyncStatus",
    "Window",
    "load_credentials",
]


def __getattr__(name: str) -> Any:
    # The sandbox is imported when asked for, so that `python -m orderkit.sellercentral.sandbox`
    # runs it as __main__ without a first copy in sys.modules.
    if name == "Sandbox":
        from orderkit.sellercentral.sandbox import Sandbox

        return Sandbox
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
