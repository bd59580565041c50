"""The errors of the Seller Central connection (each an :class:`~orderkit.errors.OrderkitError`).

The tree::

    SellerCentralError        a sync or a confirmation could not be done
    ├── CredentialsMissing    no LWA refresh token / client id / secret configured
    ├── AuthorizationError    the token endpoint or the API refused the credentials
    └── ApiError              the API kept failing (429, 5xx, …) after the retries

Messages never carry a secret: they are built from operation names, status codes and Amazon's
error codes only.
"""

from __future__ import annotations

from orderkit.errors import OrderkitError

__all__ = ["ApiError", "AuthorizationError", "CredentialsMissing", "SellerCentralError"]


class SellerCentralError(OrderkitError):
    """A sync or a confirmation through the Selling Partner API could not be done."""


class CredentialsMissing(SellerCentralError):
    """No credentials are configured (see :mod:`orderkit.sellercentral.credentials`).

    Attributes:
        missing: the names of the settings that are absent (environment variable names).
    """

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__(
            "no Seller Central credentials: set "
            + ", ".join(missing)
            + " in the environment or store them in the system keyring"
            " (orderkit.sellercentral.credentials.store_in_keyring)"
        )
        self.missing = missing


class AuthorizationError(SellerCentralError):
    """The LWA token endpoint refused the credentials, or the API refused the access token.

    Attributes:
        status: the HTTP status code.
        code: Amazon's error code (``invalid_grant``, ``Unauthorized``, …).
    """

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(f"authorization refused (HTTP {status}, {code}): {detail}")
        self.status = status
        self.code = code


class ApiError(SellerCentralError):
    """An operation failed for good: a client error, or 429/5xx after every retry.

    Attributes:
        operation: the SP-API operation (``searchOrders``, ``confirmShipment``, …).
        status: the last HTTP status code (0 when the server could not be reached).
        code: Amazon's error code of the last response (``QuotaExceeded``, …) or ``""``.
        attempts: how many times the request was sent.
        fetched: what had been fetched and saved before the failure (set by the sync).
    """

    def __init__(
        self,
        operation: str,
        status: int,
        code: str,
        detail: str,
        *,
        attempts: int = 1,
        fetched: str = "",
    ) -> None:
        tail = f"; {fetched}" if fetched else ""
        super().__init__(
            f"{operation} failed after {attempts} attempt(s): HTTP {status} {code} {detail}".rstrip()
            + tail
        )
        self.operation = operation
        self.status = status
        self.code = code
        self.detail = detail
        self.attempts = attempts
        self.fetched = fetched

    def with_fetched(self, fetched: str) -> ApiError:
        """Return the same error saying what had been fetched before it."""
        return ApiError(
            self.operation,
            self.status,
            self.code,
            self.detail,
            attempts=self.attempts,
            fetched=fetched,
        )
