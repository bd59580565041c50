"""The sandbox answers like Amazon: tokens, pages that expire, 429 with its header, confirmShipment."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from orderkit.sample import DEFAULT_NOW
from orderkit.sellercentral import Limit, RatePlan

JP = "A1VC38T7YXB528"


@pytest.fixture
def http():
    with httpx.Client() as client:
        yield client


def _token(http, sb, secrets):
    form = dict(zip(("refresh_token", "client_id", "client_secret"), secrets, strict=True))
    answer = http.post(f"{sb.url}/auth/o2/token", data={"grant_type": "refresh_token", **form})
    return {"x-amz-access-token": answer.json()["access_token"]}


def _search(http, sb, headers, **params):
    query = {"lastUpdatedAfter": "2026-09-01T00:00:00Z", "marketplaceIds": JP, **params}
    return http.get(f"{sb.url}/orders/2026-01-01/orders", params=query, headers=headers)


def test_a_request_without_a_valid_token_is_refused(http, sandbox):
    answer = _search(http, sandbox, {"x-amz-access-token": "made-up"})
    assert answer.status_code == 403 and answer.json()["errors"][0]["code"] == "Unauthorized"


def test_a_pagination_token_expires_after_24_hours(http, make_sandbox, movable_clock, fake_secrets):
    sb = make_sandbox(clock=movable_clock, token_ttl=10 * 86400)
    headers = _token(http, sb, fake_secrets)
    token = _search(http, sb, headers).json()["pagination"]["nextToken"]
    movable_clock.at = DEFAULT_NOW + dt.timedelta(hours=25)
    answer = _search(http, sb, headers, paginationToken=token)
    assert answer.status_code == 400 and "expired" in answer.json()["errors"][0]["message"]


def test_a_request_beyond_the_plan_gets_429_with_the_rate_header(http, make_sandbox, fake_secrets):
    sb = make_sandbox(rate_plan=RatePlan({"searchOrders": Limit(0.5, 1)}))
    headers = _token(http, sb, fake_secrets)
    first, second = _search(http, sb, headers), _search(http, sb, headers)
    assert (first.status_code, second.status_code) == (200, 429)
    assert second.headers["x-amzn-RateLimit-Limit"] == "0.5"
    assert second.json()["errors"][0]["code"] == "QuotaExceeded"


def test_only_the_included_data_asked_for_is_served(http, sandbox, fake_secrets):
    headers = _token(http, sandbox, fake_secrets)
    order = _search(http, sandbox, headers, includedData="FULFILLMENT").json()["orders"][0]
    assert "fulfillment" in order and "buyer" not in order and "recipient" not in order


def test_confirm_shipment_without_a_tracking_number_gets_400_with_errors(
    http, sandbox, fake_secrets
):
    headers = _token(http, sandbox, fake_secrets)
    oid = next(
        o
        for o, d in sandbox.documents.items()
        if d["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    )
    item = sandbox.documents[oid]["orderItems"][0]["orderItemId"]
    body = {
        "marketplaceId": JP,
        "packageDetail": {
            "packageReferenceId": "1",
            "carrierCode": "Yamato Transport",
            "shipDate": "2026-11-26T09:00:00Z",
            "orderItems": [{"orderItemId": item, "quantity": 1}],
        },
    }
    url = f"{sandbox.url}/orders/v0/orders/{oid}/shipmentConfirmation"
    answer = http.post(url, json=body, headers=headers)
    assert answer.status_code == 400 and "trackingNumber" in answer.json()["errors"][0]["message"]
    body["packageDetail"]["trackingNumber"] = "123456789012"
    assert http.post(url, json=body, headers=headers).status_code == 204


def test_the_sandbox_runs_as_a_demo_server_from_the_command_line(http):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with subprocess.Popen(
        [sys.executable, "-m", "orderkit.sellercentral.sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as server:
        try:
            url = server.stdout.readline().split(" at ")[-1].strip()
            form = {
                "grant_type": "refresh_token",
                "refresh_token": "r",
                "client_id": "i",
                "client_secret": "s",
            }
            answer = http.post(f"{url}/auth/o2/token", data=form)
            assert answer.status_code == 200 and answer.json()["expires_in"] == 3600
        finally:
            server.terminate()
        assert "Warning" not in server.stderr.read()
