"""The Seller Central panel, driven by its buttons against a local Sandbox (no internet)."""

from __future__ import annotations

import datetime as dt

import keyring.backend
import pytest

from orderkit import sample
from orderkit.i18n import _
from orderkit.sellercentral import Credentials, SellerCentral, load_credentials
from orderkit.store import Store
from orderkit.widgets import SellerCentralPanel, Workbench
from orderkit.widgets.sellercentral import T

NOW = sample.DEFAULT_NOW
SECRETS = ("fake-refresh-Atzr|sc-widget", "fake-client-id-sc-widget", "fake-secret-sc-widget")


class EmptyKeyring(keyring.backend.KeyringBackend):
    """A keyring that holds nothing (CI has no system keyring)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError


class Clock:
    """A clock the test moves."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


@pytest.fixture(scope="module")
def book():
    return sample.book(40, seed=5, now=NOW)


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def sandbox(book, clock):
    from orderkit.sellercentral import Sandbox

    with Sandbox(book, clock=clock, page_size=10) as sb:  # Amazon's time moves with the test's
        yield sb


@pytest.fixture
def client(sandbox, clock):
    with SellerCentral(
        sandbox.url, Credentials.of(*SECRETS), clock=clock, page_size=10, sleep=lambda _s: None
    ) as sc:
        yield sc


@pytest.fixture
def store(tmp_path):
    with Store(path=tmp_path / "store.sqlite") as s:
        yield s


def _not_configured():
    return SellerCentral(credentials=load_credentials(environ={}, keyring_backend=EmptyKeyring()))


def _unshipped(store: Store) -> str:
    statuses = store.load().statuses(NOW)
    mfn = store.load().orders.set_index("order_id")["fulfillment_channel"]
    ok = statuses.loc[
        (statuses["status"] == "Unshipped")
        & (mfn.reindex(statuses["order_id"]).to_numpy() == "MFN")
    ]
    return str(ok["order_id"].iloc[0])


def _texts(widget) -> str:
    """Every value and description the widget and its children hold, as one string."""
    out = []
    for key in ("value", "description", "placeholder"):
        value = getattr(widget, key, None)
        if isinstance(value, str):
            out.append(value)
    for child in getattr(widget, "children", ()):
        out.append(_texts(child))
    return "\n".join(out)


def _confirm_calls(sandbox) -> int:
    return sum(r.operation == "confirmShipment" for r in sandbox.requests)


# ---- not configured -----------------------------------------------------------------------------


def test_without_credentials_the_panel_says_how_to_configure_them(store):
    panel = SellerCentralPanel(store, connect=_not_configured)
    assert not panel.connected
    assert "ORDERKIT_LWA_REFRESH_TOKEN" in panel.status.value
    assert "keyring" in panel.status.value
    assert panel.sync_button.disabled


def test_the_configuration_help_follows_the_language(store):
    panel = SellerCentralPanel(store, connect=_not_configured, lang="en")
    english = panel.status.value
    panel.lang = "ja"
    assert panel.status.value == _(T["not_configured"], "ja")
    assert panel.status.value != english


def test_without_credentials_nothing_is_synced_and_the_store_keeps_its_sample(store):
    store.save(sample.book(10, seed=2))
    panel = SellerCentralPanel(store, connect=_not_configured)
    assert panel.sync() is None
    assert len(store.load()) == 10


def test_credentials_amazon_refuses_are_shown_as_not_connected(store, book, clock):
    from orderkit.sellercentral import Sandbox

    with (
        Sandbox(book, clock=clock, credentials=("other", "other", "other")) as sb,
        SellerCentral(sb.url, Credentials.of(*SECRETS), clock=clock, max_attempts=1) as sc,
    ):
        panel = SellerCentralPanel(store, client=sc)
    assert panel.status.value.startswith("Not connected:")
    assert not panel.sync_button.disabled  # a later sync tries again


def test_a_connection_amazon_accepts_is_shown_as_connected(store, client, sandbox):
    panel = SellerCentralPanel(store, client=client)
    assert panel.status.value.startswith("Connected to")
    assert sandbox.url in panel.status.value


def test_unchecked_credentials_are_not_called_connected_until_a_sync_answers(store, client):
    panel = SellerCentralPanel(store, client=client, check=False)
    assert panel.status.value.startswith("Credentials found")
    panel.sync_button.click()
    assert panel.status.value.startswith("Connected to")


# ---- sync -----------------------------------------------------------------------------------------


def test_sync_button_imports_the_orders_into_the_store(store, client, book):
    panel = SellerCentralPanel(store, client=client)
    panel.sync_button.click()
    assert set(store.load().orders["order_id"]) == set(book.orders["order_id"])


def test_progress_counts_pages_as_they_are_saved(store, client):
    panel = SellerCentralPanel(store, client=client)
    seen: list[int] = []
    panel.progress.observe(lambda change: seen.append(change["new"]), names="value")
    panel.sync_button.click()
    pages = panel.result.pages
    assert pages > 1
    assert [v for v in seen if v] == list(range(1, pages + 1))
    assert panel.progress_label.value == _(T["progress"], "en", pages=pages, orders=40)


def test_the_panel_shows_what_the_sync_changed(store, client):
    panel = SellerCentralPanel(store, client=client, lang="ja")
    panel.sync_button.click()
    assert panel.changes.value == "<br>".join(panel.result.summary.describe("ja").splitlines())


def test_last_sync_time_is_read_from_the_store(store, client):
    panel = SellerCentralPanel(store, client=client)
    assert panel.last_sync.value == _(T["never_synced"], "en")
    panel.sync_button.click()
    again = SellerCentralPanel(store, client=client)  # another panel, the same store
    assert again.last_sync.value == panel.last_sync.value
    assert "18:00 JST" in again.last_sync.value  # the sandbox's clock: 18:00 in Japan


def test_a_second_sync_adds_no_new_facts(store, client, clock):
    panel = SellerCentralPanel(store, client=client)
    panel.sync_button.click()
    clock.at = NOW + dt.timedelta(minutes=10)
    panel.sync_button.click()
    assert panel.result.summary.events_added == 0
    assert panel.result.summary.new_orders == ()


def test_a_failed_sync_is_shown_and_moves_no_watermark(store, book):
    from orderkit.sellercentral import Sandbox

    with (
        Sandbox(book, clock=NOW, fail_every=1) as sb,
        SellerCentral(
            sb.url, Credentials.of(*SECRETS), clock=NOW, max_attempts=2, sleep=lambda _s: None
        ) as sc,
    ):
        panel = SellerCentralPanel(store, client=sc)
        panel.sync_button.click()
        state = store.sync_state(sc.state_name()) or {}
    assert panel.result is None
    assert panel.progress.bar_style == "danger"
    assert panel.last_result.startswith("The sync failed")
    assert state.get("watermark") is None


# ---- confirm shipments -------------------------------------------------------------------------


def _previewed(store, client) -> tuple[SellerCentralPanel, str]:
    panel = SellerCentralPanel(store, client=client)
    panel.sync_button.click()
    order_id = _unshipped(store)
    panel.order_id.value = order_id
    panel.tracking.value = "1234-5678-9012"
    panel.preview_button.click()
    return panel, order_id


def test_the_preview_shows_the_requests_and_sends_nothing(store, client, sandbox):
    panel, order_id = _previewed(store, client)
    assert [r.order_id for r in panel.preview.requests] == [order_id]
    assert order_id in panel.preview_text.value
    assert _confirm_calls(sandbox) == 0
    assert store.sent().empty
    assert not panel.send_button.disabled


def test_send_asks_first_and_back_sends_nothing(store, client, sandbox):
    panel, _order = _previewed(store, client)
    panel.send_button.click()
    assert panel.sure_box.layout.display is None
    panel.back.click()
    assert panel.sure_box.layout.display == "none"
    assert _confirm_calls(sandbox) == 0


def test_yes_sends_the_previewed_confirmation_and_records_it_per_order(store, client, sandbox):
    panel, order_id = _previewed(store, client)
    panel.send_button.click()
    panel.yes.click()
    sent = store.sent([order_id])
    assert set(sent["result"]) == {"ok"}
    assert _confirm_calls(sandbox) == 1
    assert order_id in panel.message.value


def test_a_confirmed_order_is_not_offered_again(store, client, sandbox):
    panel, order_id = _previewed(store, client)
    panel.send_button.click()
    panel.yes.click()
    panel.preview_button.click()  # the same order again
    assert panel.preview is None
    assert panel.last_result == _(T["nothing_left"], "en", order=order_id)
    assert _confirm_calls(sandbox) == 1


def test_changing_the_form_after_a_preview_asks_for_a_new_one(store, client):
    panel, _order = _previewed(store, client)
    panel.tracking.value = "9999-8888-7777"
    assert panel.send_button.disabled
    assert panel.send() is None


def test_a_confirmation_the_rules_refuse_cannot_be_sent(store, client):
    panel, _order = _previewed(store, client)
    panel.tracking.value = ""  # the API requires a tracking number
    panel.preview_button.click()
    assert panel.preview.problems
    assert panel.send_button.disabled


def test_an_unknown_order_is_named(store, client):
    panel = SellerCentralPanel(store, client=client)
    panel.order_id.value = "503-0000000-0000000"
    panel.preview_button.click()
    assert panel.last_result == _(T["no_order"], "en", order="503-0000000-0000000")


def test_no_secret_appears_in_the_panel(store, client):
    panel, _order = _previewed(store, client)
    panel.send_button.click()
    panel.yes.click()
    shown = _texts(panel) + repr(panel.client) + panel.status.value
    assert not [s for s in SECRETS if s in shown]


# ---- in the workbench -----------------------------------------------------------------------------


def test_the_workbench_has_a_seller_central_section_whose_sync_refreshes_it(store, client, book):
    bench = Workbench(store.load(), now=NOW, store=store, seller_central=client)
    assert bench.sellercentral in bench.children
    bench.sellercentral.sync_button.click()
    assert len(bench.book) == len(book)


def test_the_workbench_language_switch_reaches_the_seller_central_section(store, client):
    bench = Workbench(store.load(), now=NOW, store=store, seller_central=client)
    bench.language.value = "ja"
    assert bench.sellercentral.sync_button.description == _(T["sync"], "ja")
