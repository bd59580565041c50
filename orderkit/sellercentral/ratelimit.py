"""Amazon's usage plans and a client-side token bucket per operation.

Every SP-API operation has a *usage plan*: a rate (requests per second, refilled continuously)
and a burst (the bucket's size). The documented defaults are in :data:`DOCUMENTED` (from the
models in ``amzn/selling-partner-api-models``: ``orders_2026-01-01.json``, ``ordersV0.json``,
``tokens_2021-03-01.json``); a response's ``x-amzn-RateLimit-Limit`` header gives the rate Amazon
actually applies to this seller, and the bucket adopts it.

A :class:`TokenBucket` waits, when empty, exactly as long as the next token takes — one sleep,
never a busy loop. Its clock (``monotonic``) and ``sleep`` are passed in, so tests run without
sleeping.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

__all__ = ["DOCUMENTED", "Limit", "RateLimiter", "RatePlan", "TokenBucket"]


@dataclass(frozen=True, slots=True)
class Limit:
    """One operation's usage plan: ``rate`` requests per second, ``burst`` at once."""

    rate: float
    burst: int

    def __post_init__(self) -> None:
        if not (self.rate > 0 and self.burst >= 1):
            raise ValueError(f"a usage plan needs rate > 0 and burst ≥ 1, not {self}")

    def seconds_for(self, requests: int) -> float:
        """Return the least time ``requests`` calls take from a full bucket."""
        return max(0, requests - self.burst) / self.rate


@dataclass(frozen=True, slots=True)
class RatePlan:
    """A usage plan per operation (operation name → :class:`Limit`).

    ``None`` as a limit switches the operation's limiting off (benchmarks of the client's own
    cost); an operation not in the plan is not limited either.
    """

    limits: Mapping[str, Limit | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "limits", MappingProxyType(dict(self.limits)))

    def get(self, operation: str) -> Limit | None:
        """Return ``operation``'s limit, or ``None`` when it is not limited."""
        return self.limits.get(operation)

    def scaled(self, factor: float) -> RatePlan:
        """Return this plan with every rate × ``factor`` and the bursts kept (benchmarks)."""
        return RatePlan(
            {
                op: None if lim is None else Limit(lim.rate * factor, lim.burst)
                for op, lim in self.limits.items()
            }
        )

    @classmethod
    def unlimited(cls) -> RatePlan:
        """Return a plan that limits nothing."""
        return cls({op: None for op in DOCUMENTED.limits})


#: The documented default plans (rate, burst) of the operations orderkit calls.
DOCUMENTED: Final = RatePlan(
    {
        # Orders 2026-01-01
        "searchOrders": Limit(0.0056, 20),
        "getOrder": Limit(0.5, 30),
        # Orders v0 (order reads deprecated; confirmShipment current)
        "getOrders": Limit(0.0167, 20),
        "getOrderItems": Limit(0.5, 30),
        "confirmShipment": Limit(2, 10),
        # Tokens 2021-03-01 (the Restricted Data Token for v0's PII)
        "createRestrictedDataToken": Limit(1, 10),
    }
)


class TokenBucket:
    """A token bucket: ``burst`` tokens, refilled at ``rate`` per second.

    Args:
        limit: the rate and burst.
        monotonic: a clock in seconds (default :func:`time.monotonic`).
        sleep: how to wait (default :func:`time.sleep`).

    Thread-safe: the widget's sync thread and a notebook may share one client.
    """

    def __init__(
        self,
        limit: Limit,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self._monotonic = monotonic
        self._sleep = sleep
        self._tokens = float(limit.burst)
        self._at = monotonic()
        self._lock = threading.Lock()

    def _refill(self, now: float) -> None:
        self._tokens = min(self.limit.burst, self._tokens + (now - self._at) * self.limit.rate)
        self._at = now

    def acquire(self) -> float:
        """Take a token, waiting (one sleep) until there is one; return the seconds waited."""
        with self._lock:
            now = self._monotonic()
            self._refill(now)
            self._tokens -= 1  # taken now; a negative balance is the wait of this caller
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.limit.rate
        if wait > 0:
            self._sleep(wait)
        return wait

    def try_acquire(self) -> bool:
        """Take a token if there is one, without waiting; return whether one was taken."""
        with self._lock:
            self._refill(self._monotonic())
            if self._tokens < 1 - 1e-9:  # a client waiting exactly 1/rate gets its token
                return False
            self._tokens -= 1
            return True

    def drain(self) -> None:
        """Empty the bucket: the server said 429, so its bucket is empty whatever ours counts."""
        with self._lock:
            self._refill(self._monotonic())
            self._tokens = min(self._tokens, 0.0)

    def set_rate(self, rate: float) -> None:
        """Adopt the rate the server announced (``x-amzn-RateLimit-Limit``), burst kept."""
        if not (math.isfinite(rate) and rate > 0) or rate == self.limit.rate:
            return
        with self._lock:
            self._refill(self._monotonic())
            self.limit = Limit(rate, self.limit.burst)


class RateLimiter:
    """One :class:`TokenBucket` per operation of a :class:`RatePlan`."""

    def __init__(
        self,
        plan: RatePlan,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.plan = plan
        self._buckets = {
            op: TokenBucket(lim, monotonic=monotonic, sleep=sleep)
            for op, lim in plan.limits.items()
            if lim is not None
        }
        self.waited = 0.0  # seconds spent waiting for tokens, in all

    def acquire(self, operation: str) -> None:
        """Wait for ``operation``'s token (no wait when it is not limited)."""
        bucket = self._buckets.get(operation)
        if bucket is not None:
            self.waited += bucket.acquire()

    def throttled(self, operation: str) -> None:
        """Note a 429 for ``operation``: its bucket is emptied."""
        bucket = self._buckets.get(operation)
        if bucket is not None:
            bucket.drain()

    def announced(self, operation: str, header: str | None) -> None:
        """Adopt the rate of an ``x-amzn-RateLimit-Limit`` header, if it is a number."""
        bucket = self._buckets.get(operation)
        if bucket is None or not header:
            return
        try:
            bucket.set_rate(float(header))
        except ValueError:
            return  # a header that is not a number says nothing: the documented plan stays

    def limit(self, operation: str) -> Limit | None:
        """Return the limit in force for ``operation`` (after any announced rate)."""
        bucket = self._buckets.get(operation)
        return None if bucket is None else bucket.limit
