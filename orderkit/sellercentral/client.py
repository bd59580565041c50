"""A thin Selling Partner API client on :mod:`httpx`: LWA tokens, usage plans, retries.

Why not ``python-amazon-sp-api`` (``sp_api``, 2.1.35, which Python sellers use and which does
have Orders 2026-01-01): it cannot be pointed at a local server for both endpoints. Its SP-API
endpoint comes from a fixed ``Marketplaces`` enum and its ``host`` header is cut out of an
``https://`` URL (``endpoint[8:]``), and the LWA host is a class constant (``api.amazon.com``);
its access tokens live in a process-wide cache with its own lifetime, and it reads the wall clock
for ``x-amz-date``. Tests against the local :class:`~orderkit.sellercentral.Sandbox`, token expiry
under a passed-in clock and an injectable rate limiter would all need to patch its internals. The
few calls orderkit makes are simple REST: this module does them with ``httpx`` and the shapes of
Amazon's own models (``amzn/selling-partner-api-models``), read by
:func:`orderkit.io.read_spapi_orders`.

:class:`Transport` sends one operation: it waits for the operation's token bucket, adds the
access token (refreshed before it expires by the passed-in clock, and again when the API answers
403 because it expired), adopts ``x-amzn-RateLimit-Limit``, and retries 429, 5xx and network
errors with exponential backoff and jitter, ``max_attempts`` times in all; then an
:class:`~orderkit.sellercentral.errors.ApiError` says what failed. Secrets travel only in request
bodies and headers; nothing here logs or raises one.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

import httpx

from orderkit.clock import Clock
from orderkit.sellercentral.credentials import Credentials, Secret
from orderkit.sellercentral.errors import ApiError, AuthorizationError
from orderkit.sellercentral.ratelimit import RateLimiter

__all__ = ["Transport"]

log = logging.getLogger("orderkit.sellercentral")
_MARGIN: Final = dt.timedelta(seconds=60)  # refresh a token this long before it expires
_RETRIED: Final = frozenset({429, 500, 502, 503, 504})
_EXPIRED: Final = ("expired", "Unauthorized")  # how the API says a token is no longer good


def _error(response: httpx.Response) -> tuple[str, str]:
    """Return Amazon's (code, message) of an error response (``ErrorList`` or LWA's shape)."""
    try:
        body = response.json()
    except ValueError:
        return "", response.reason_phrase
    if isinstance(body, Mapping) and isinstance(body.get("errors"), list) and body["errors"]:
        first = body["errors"][0]
        return str(first.get("code", "")), str(first.get("message", ""))
    if isinstance(body, Mapping) and "error" in body:
        return str(body["error"]), str(body.get("error_description", ""))
    return "", response.reason_phrase


class Transport:
    """Sends SP-API operations for one set of credentials (see the module docstring).

    Args:
        credentials: the LWA credentials and the endpoints.
        limiter: the token buckets of the usage plan.
        clock: *now*, for token lifetimes.
        max_attempts: tries per operation (the first included).
        backoff: the first retry's pause in seconds (doubling, capped at ``max_backoff``,
            each drawn from [½, 1] of it: the jitter).
        sleep: how to pause between retries.
        http: an ``httpx.Client`` (default: a new one, 30 s timeout).
        seed: the jitter's random seed.
    """

    def __init__(
        self,
        credentials: Credentials,
        limiter: RateLimiter,
        *,
        clock: Clock,
        max_attempts: int = 6,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        http: httpx.Client | None = None,
        seed: int | None = None,
    ) -> None:
        self.credentials = credentials
        self.limiter = limiter
        self.clock = clock
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._http = http or httpx.Client(timeout=30.0)
        self._jitter = random.Random(seed)
        self._token: tuple[Secret, dt.datetime] | None = None
        self._rdt: tuple[Secret, dt.datetime] | None = None
        self.calls = 0  # requests sent, retries included
        self.retries = 0

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    # -- tokens -------------------------------------------------------------------------------------
    def access_token(self) -> Secret:
        """Return a valid LWA access token, exchanging the refresh token when needed.

        Raises:
            AuthorizationError: the token endpoint refused the credentials.
            ApiError: the token endpoint could not be reached.

        """
        now = self.clock.now()
        if self._token is not None and now < self._token[1]:
            return self._token[0]
        c = self.credentials
        form = {
            "grant_type": "refresh_token",
            "refresh_token": c.refresh_token.reveal(),
            "client_id": c.client_id.reveal(),
            "client_secret": c.client_secret.reveal(),
        }
        try:
            response = self._http.post(c.token_url, data=form)
        except httpx.TransportError as exc:
            raise ApiError("token", 0, type(exc).__name__, "LWA endpoint unreachable") from None
        if response.status_code != 200:
            code, message = _error(response)
            raise AuthorizationError(response.status_code, code, message)
        body = response.json()
        life = dt.timedelta(seconds=float(body.get("expires_in", 3600)))
        self._token = (Secret(str(body["access_token"])), now + max(life - _MARGIN, life / 2))
        log.debug("access token refreshed (valid for %s)", life)
        return self._token[0]

    def forget_token(self) -> None:
        """Drop the access tokens: the next call gets new ones (the API said they expired)."""
        self._token = None
        self._rdt = None

    def restricted_token(self, path: str, elements: tuple[str, ...]) -> Secret:
        """Return a Restricted Data Token for GET ``path`` with ``elements`` (v0's PII)."""
        now = self.clock.now()
        if self._rdt is not None and now < self._rdt[1]:
            return self._rdt[0]
        body = {
            "restrictedResources": [{"method": "GET", "path": path, "dataElements": list(elements)}]
        }
        answer = self.call(
            "createRestrictedDataToken", "POST", "/tokens/2021-03-01/restrictedDataToken", json=body
        ).json()
        life = dt.timedelta(seconds=float(answer.get("expiresIn", 3600)))
        self._rdt = (
            Secret(str(answer["restrictedDataToken"])),
            now + max(life - _MARGIN, life / 2),
        )
        return self._rdt[0]

    # -- calls --------------------------------------------------------------------------------------
    def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        token: Callable[[], Secret] | None = None,
    ) -> httpx.Response:
        """Send ``operation`` and return its successful (2xx) response.

        Args:
            operation: the operation's name in the usage plan (``searchOrders``, …).
            method: the HTTP method.
            path: the path below the endpoint (``/orders/2026-01-01/orders``).
            params: the query parameters (lists are sent as repeated parameters).
            json: the JSON body, if any.
            token: where the ``x-amz-access-token`` comes from (default: the LWA access token;
                a Restricted Data Token for v0's PII).

        Raises:
            ApiError: a client error (4xx other than 429 and an expired token), or 429/5xx/network
                errors in each of ``max_attempts`` tries; it carries the last status and code.
            AuthorizationError: the credentials were refused.

        """
        url = self.credentials.endpoint.rstrip("/") + path
        status, code, message = 0, "", ""
        for attempt in range(1, self.max_attempts + 1):
            self.limiter.acquire(operation)
            secret = (token or self.access_token)()
            headers = {"x-amz-access-token": secret.reveal(), "user-agent": "orderkit"}
            self.calls += 1
            try:
                response = self._http.request(
                    method, url, params=params, json=json, headers=headers
                )
            except httpx.TransportError as exc:
                status, code, message = 0, type(exc).__name__, "the server could not be reached"
            else:
                self.limiter.announced(operation, response.headers.get("x-amzn-RateLimit-Limit"))
                if response.is_success:
                    return response
                status, (code, message) = response.status_code, _error(response)
                if status in (401, 403) and any(w in f"{code} {message}" for w in _EXPIRED):
                    self.forget_token()  # expired mid-sync: a new token, then the same request
                    if attempt < self.max_attempts:
                        continue
                if status not in _RETRIED:
                    raise ApiError(operation, status, code, message, attempts=attempt)
                if status == 429:
                    self.limiter.throttled(operation)
            if attempt < self.max_attempts:
                self.retries += 1
                pause = self._pause(attempt)
                log.info(
                    "%s: HTTP %s %s, retry %d in %.2f s", operation, status, code, attempt, pause
                )
                self._sleep(pause)
        raise ApiError(operation, status, code, message, attempts=self.max_attempts)

    def _pause(self, attempt: int) -> float:
        """Return the pause before retry ``attempt``: exponential, capped, with jitter."""
        ceiling = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return ceiling * self._jitter.uniform(0.5, 1.0)
