"""Confirmations out: dry run, send, partial failure, sending again, refusals."""

from __future__ import annotations

import pytest

from orderkit.sample import DEFAULT_NOW


@pytest.fixture
def synced(sandbox, make_client, store, since):
    """The sandbox, a client and a store holding the sandbox's orders."""
    sc = make_client(sandbox)
    sc.sync(store, since=since)
    return sandbox, sc, store


@pytest.fixture
def _confirmations(confirmations_for):
    return confirmations_for


def test_a_dry_run_shows_the_requests_and_sends_nothing(synced, _confirmations):
    sb, sc, store = synced
    lines = _confirmations(store)
    result = sc.confirm(lines, store=store)
    assert result.dry_run and len(result.requests) == 3
    body = result.requests[0].body
    assert body["marketplaceId"] == "A1VC38T7YXB528"
    assert body["packageDetail"]["trackingNumber"] == "1234-5678-0000"
    assert sb.served("confirmShipment") == [] and store.sent().empty


def test_a_send_confirms_each_order_once_and_records_the_results(synced, _confirmations):
    sb, sc, store = synced
    lines = _confirmations(store)
    result = sc.confirm(lines, store=store, dry_run=False)
    assert result.ok and len(result.sent) == 3
    assert [r.status for r in sb.served("confirmShipment")] == [204] * 3
    sent = store.sent()
    assert len(sent) == len(lines) and set(sent["result"]) == {"ok"}
    for r in result.sent:
        assert sb.documents[r.order_id]["fulfillment"]["fulfillmentStatus"] == "SHIPPED"


def test_a_sent_confirmation_is_recorded_as_an_action_in_the_history(synced, _confirmations):
    _, sc, store = synced
    lines = _confirmations(store, n=1)
    sc.confirm(lines, store=store, dry_run=False)
    events = store.load().events
    mine = events[(events["origin"] == "action") & (events["source"] == "spapi")]
    assert list(mine["kind"].unique()) == ["shipment_confirmed"]
    assert set(mine["order_id"]) == {lines[0]["order_id"]}
    assert store.load().order(lines[0]["order_id"]).state(at=DEFAULT_NOW).status == "Shipped"


def test_a_partial_failure_says_which_orders_went_and_which_did_not(synced, _confirmations):
    sb, sc, store = synced
    lines = _confirmations(store)
    refused = lines[-1]["order_id"]
    sb.documents[refused]["fulfillment"]["fulfillmentStatus"] = "CANCELLED"  # canceled at Amazon
    result = sc.confirm(lines, store=store, dry_run=False)
    assert [f.request.order_id for f in result.failed] == [refused]
    assert result.failed[0].code == "InvalidInput"
    assert refused not in {r.order_id for r in result.sent} and len(result.sent) == 2
    sent = store.sent()
    assert set(sent.loc[sent["result"] == "ok", "order_id"]) == {r.order_id for r in result.sent}
    assert set(sent.loc[sent["result"] != "ok", "order_id"]) == {refused}


def test_sending_again_after_a_partial_failure_sends_only_what_did_not_go(synced, _confirmations):
    sb, sc, store = synced
    lines = _confirmations(store)
    refused = lines[-1]["order_id"]
    sb.documents[refused]["fulfillment"]["fulfillmentStatus"] = "CANCELLED"
    sc.confirm(lines, store=store, dry_run=False)
    sb.documents[refused]["fulfillment"]["fulfillmentStatus"] = "UNSHIPPED"  # the problem fixed
    again = sc.confirm(lines, store=store, dry_run=False)
    assert [r.order_id for r in again.sent] == [refused]
    assert len(again.skipped) == 2
    accepted = [r for r in sb.served("confirmShipment") if r.status == 204]
    assert len(accepted) == 3  # every order confirmed exactly once


def test_confirmations_the_api_rules_refuse_send_nothing(synced, _confirmations):
    sb, sc, store = synced
    lines = _confirmations(store)
    lines[0] = {**lines[0], "tracking_number": None}  # the upload file allows it; the API does not
    result = sc.confirm(lines, store=store, dry_run=False)
    assert not result.ok and result.sent == ()
    assert result.problems[0].rule.id == "confirm-within-7-days"
    assert sb.served("confirmShipment") == []


def test_a_real_send_without_a_store_is_refused(synced, _confirmations):
    _, sc, store = synced
    with pytest.raises(ValueError, match="store"):
        sc.confirm(_confirmations(store), book=store.load(), dry_run=False)
