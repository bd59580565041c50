"""Fixtures of the Seller Central tests: the sandbox, fake time, fake credentials, a store."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from orderkit.clock import FixedClock
from orderkit.sample import DEFAULT_NOW
from orderkit.sellercentral import Credentials, RatePlan, Sandbox, SellerCentral
from orderkit.store import Store

#: Fake secrets, distinctive enough to grep every output for.
SECRETS = (
    "Atzr|FAKE-REFRESH-7f3c91",
    "amzn1.application-oa2-client.FAKEID42",
    "FAKE-SECRET-9q8w7e",
)
SINCE = DEFAULT_NOW - dt.timedelta(days=60)


class FakeTime:
    """Seconds that pass only when someone sleeps: the client's and the sandbox's shared time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += seconds


class MovableClock:
    """An orderkit clock a test moves forward (the sandbox's *now*)."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


@pytest.fixture
def fake_secrets() -> tuple[str, str, str]:
    return SECRETS


@pytest.fixture
def since() -> dt.datetime:
    return SINCE


@pytest.fixture
def movable_clock() -> MovableClock:
    return MovableClock(DEFAULT_NOW)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def credentials() -> Credentials:
    return Credentials.of(*SECRETS)


@pytest.fixture(scope="session")
def documents():
    """The sample's order documents, built once (each sandbox serves a copy)."""
    from orderkit import sample
    from orderkit.sellercentral.sandbox import order_documents

    return order_documents(sample.book(), DEFAULT_NOW)


@pytest.fixture
def make_sandbox(fake_time, documents):
    """Return started sandboxes of the sample on the fake time (stopped after the test)."""
    made = []

    def make(**kw) -> Sandbox:
        kw.setdefault("clock", FixedClock(DEFAULT_NOW))
        kw.setdefault("monotonic", fake_time.monotonic)
        kw.setdefault("credentials", SECRETS)
        sb = Sandbox(documents=documents, **kw).start()
        made.append(sb)
        return sb

    yield make
    for sb in made:
        sb.stop()


@pytest.fixture
def sandbox(make_sandbox):
    return make_sandbox()


@pytest.fixture
def store(tmp_path):
    with Store(path=tmp_path / "store.sqlite") as s:
        yield s


@pytest.fixture
def make_client(fake_time):
    """Return clients of a sandbox on the fake time (the documented plan unless ``plan=``)."""
    made = []

    def make(sb: Sandbox, **kw) -> SellerCentral:
        kw.setdefault("clock", FixedClock(DEFAULT_NOW))
        sc = SellerCentral(
            sb.url,
            Credentials.of(*SECRETS),
            monotonic=fake_time.monotonic,
            sleep=fake_time.sleep,
            seed=1,
            **kw,
        )
        made.append(sc)
        return sc

    yield make
    for sc in made:
        sc.close()


@pytest.fixture
def unlimited() -> RatePlan:
    return RatePlan.unlimited()


@pytest.fixture
def confirmations_for():
    """Return lines confirming all that is left of ``n`` unshipped MFN orders (a package each)."""
    from orderkit.metrics import status_at

    def lines(store, n=3):
        book = store.load()
        fleet = status_at(book, DEFAULT_NOW)
        todo = (fleet["status"] == "Unshipped") & (fleet["fulfillment_channel"] == "MFN")
        return [
            {
                "order_id": oid,
                "order_item_id": item,
                "quantity": qty,
                "ship_date": DEFAULT_NOW.date(),
                "carrier_code": "Yamato Transport",
                "tracking_number": f"1234-5678-{k:04d}",
                "package_reference_id": "1",
            }
            for k, oid in enumerate(sorted(fleet.index[todo])[:n])
            for item, qty in book.order(oid).state(at=DEFAULT_NOW).remaining.items()
            if qty > 0
        ]

    return lines
