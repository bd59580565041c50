"""Where the Selling Partner API credentials come from, and how they are kept out of sight.

An app authorised by the seller holds three secrets of *Login with Amazon* (LWA): a refresh
token, the app's client id and its client secret. orderkit reads them from

1. the environment: ``ORDERKIT_LWA_REFRESH_TOKEN``, ``ORDERKIT_LWA_CLIENT_ID``,
   ``ORDERKIT_LWA_CLIENT_SECRET`` (and ``ORDERKIT_SPAPI_ENDPOINT``, ``ORDERKIT_LWA_ENDPOINT`` to
   point at another server, e.g. the local :class:`~orderkit.sellercentral.Sandbox`); or
2. the system keyring (:mod:`keyring`), service :data:`KEYRING_SERVICE`, one entry per setting
   named like the variable (``store_in_keyring`` writes them),

never from a notebook cell. Each secret is a :class:`Secret`: its ``repr`` and ``str`` are
``'***'``, so a log line, an exception, a widget or a saved notebook that shows one shows nothing;
only :meth:`Secret.reveal` gives the value, and only the HTTP client calls it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from orderkit.sellercentral.errors import CredentialsMissing

__all__ = [
    "ENDPOINTS",
    "ENV",
    "JP",
    "KEYRING_SERVICE",
    "LWA_ENDPOINT",
    "Credentials",
    "Secret",
    "load_credentials",
    "store_in_keyring",
]

#: The environment variables (and keyring entry names) of each setting.
ENV: Final = {
    "refresh_token": "ORDERKIT_LWA_REFRESH_TOKEN",
    "client_id": "ORDERKIT_LWA_CLIENT_ID",
    "client_secret": "ORDERKIT_LWA_CLIENT_SECRET",
    "endpoint": "ORDERKIT_SPAPI_ENDPOINT",
    "token_endpoint": "ORDERKIT_LWA_ENDPOINT",
}
KEYRING_SERVICE: Final = "orderkit-sellercentral"
#: The SP-API endpoint per region; Amazon.co.jp is in the Far East region.
ENDPOINTS: Final = {
    "fe": "https://sellingpartnerapi-fe.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "na": "https://sellingpartnerapi-na.amazon.com",
}
LWA_ENDPOINT: Final = "https://api.amazon.com/auth/o2/token"
JP: Final = "A1VC38T7YXB528"  # Amazon.co.jp's marketplace id
_SECRETS: Final = ("refresh_token", "client_id", "client_secret")


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret value that never shows itself: ``repr`` and ``str`` are ``'***'``."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        """Return the value (for the HTTP request that needs it, nowhere else)."""
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    def __str__(self) -> str:
        return "***"

    def __reduce__(self) -> Any:  # no pickling into a saved notebook or a cache
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True, slots=True)
class Credentials:
    """The LWA credentials and where to send requests.

    Attributes:
        refresh_token, client_id, client_secret: the LWA secrets.
        endpoint: the SP-API base URL (the Far East region's by default, for Amazon.co.jp).
        token_endpoint: the LWA token URL; by default Amazon's, or ``<endpoint>/auth/o2/token``
            when ``endpoint`` is a local server (the sandbox serves both).
        source: where they were read (``"environment"``, ``"keyring"``, ``"given"``).
    """

    refresh_token: Secret
    client_id: Secret
    client_secret: Secret
    endpoint: str = ENDPOINTS["fe"]
    token_endpoint: str | None = None
    source: str = "given"

    @classmethod
    def of(
        cls,
        refresh_token: str,
        client_id: str,
        client_secret: str,
        *,
        endpoint: str | None = None,
        token_endpoint: str | None = None,
    ) -> Credentials:
        """Return credentials from plain strings (tests, or a secrets manager's values)."""
        return cls(
            Secret(refresh_token),
            Secret(client_id),
            Secret(client_secret),
            endpoint or ENDPOINTS["fe"],
            token_endpoint,
        )

    @property
    def token_url(self) -> str:
        """Return the LWA token URL these credentials are exchanged at."""
        if self.token_endpoint:
            return self.token_endpoint
        if self.endpoint in ENDPOINTS.values():
            return LWA_ENDPOINT
        return self.endpoint.rstrip("/") + "/auth/o2/token"


def _from_keyring(backend: Any) -> dict[str, str]:
    import keyring

    kr = backend if backend is not None else keyring.get_keyring()
    found = {}
    for name, var in ENV.items():
        value = kr.get_password(KEYRING_SERVICE, var)
        if value:
            found[name] = value
    return found


def load_credentials(
    *,
    environ: Mapping[str, str] | None = None,
    keyring_backend: Any = None,
    endpoint: str | None = None,
) -> Credentials:
    """Return the credentials from the environment, else from the system keyring.

    Args:
        environ: the environment to read (default ``os.environ``).
        keyring_backend: a :mod:`keyring` backend (default: the system's).
        endpoint: overrides the endpoint found.

    Returns:
        The credentials; their ``source`` says where they came from.

    Raises:
        CredentialsMissing: neither place holds all three secrets (names the variables).

    """
    env = os.environ if environ is None else environ
    values = {name: env[var] for name, var in ENV.items() if env.get(var)}
    source = "environment"
    if not all(k in values for k in _SECRETS):
        try:
            stored = _from_keyring(keyring_backend)
        except Exception as exc:
            # Said, not swallowed: the error names what is missing and why the keyring was no help.
            missing = tuple(ENV[k] for k in _SECRETS if k not in values)
            raise CredentialsMissing(missing) from exc
        values = {**stored, **values}
        source = "keyring"
    missing = tuple(ENV[k] for k in _SECRETS if k not in values)
    if missing:
        raise CredentialsMissing(missing)
    return Credentials(
        Secret(values["refresh_token"]),
        Secret(values["client_id"]),
        Secret(values["client_secret"]),
        endpoint or values.get("endpoint") or ENDPOINTS["fe"],
        values.get("token_endpoint"),
        source,
    )


def store_in_keyring(
    refresh_token: str, client_id: str, client_secret: str, *, keyring_backend: Any = None
) -> None:
    """Store the three LWA secrets in the system keyring (run once, from a terminal)."""
    import keyring

    kr = keyring_backend if keyring_backend is not None else keyring.get_keyring()
    for name, value in zip(_SECRETS, (refresh_token, client_id, client_secret), strict=True):
        kr.set_password(KEYRING_SERVICE, ENV[name], value)
