"""Credentials: environment, keyring, what is missing; secrets never shown anywhere."""

from __future__ import annotations

import logging

import pytest
from keyring.backend import KeyringBackend

from orderkit.sellercentral import (
    AuthorizationError,
    Credentials,
    CredentialsMissing,
    Secret,
    SellerCentral,
    load_credentials,
)
from orderkit.sellercentral.credentials import store_in_keyring


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict (CI has no system keyring)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    import keyring

    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def _env(secrets):
    return {
        "ORDERKIT_LWA_REFRESH_TOKEN": secrets[0],
        "ORDERKIT_LWA_CLIENT_ID": secrets[1],
        "ORDERKIT_LWA_CLIENT_SECRET": secrets[2],
    }


def test_a_secret_shows_only_stars():
    secret = Secret("hunter2")
    assert repr(secret) == "'***'" and str(secret) == "***" and f"{secret}" == "***"
    assert secret.reveal() == "hunter2"


def test_credentials_show_no_secret_in_their_repr(fake_secrets):
    text = repr(Credentials.of(*fake_secrets))
    assert not any(s in text for s in fake_secrets)


def test_credentials_come_from_the_environment(fake_secrets, memory_keyring):
    creds = load_credentials(environ=_env(fake_secrets))
    assert creds.source == "environment"
    assert (
        creds.refresh_token.reveal(),
        creds.client_id.reveal(),
        creds.client_secret.reveal(),
    ) == fake_secrets


def test_credentials_come_from_the_keyring_when_the_environment_has_none(
    fake_secrets, memory_keyring
):
    store_in_keyring(*fake_secrets)
    creds = load_credentials(environ={})
    assert creds.source == "keyring" and creds.client_secret.reveal() == fake_secrets[2]


def test_missing_credentials_name_the_settings_to_give(memory_keyring, fake_secrets):
    env = _env(fake_secrets)
    del env["ORDERKIT_LWA_CLIENT_SECRET"]
    with pytest.raises(CredentialsMissing) as caught:
        load_credentials(environ=env)
    assert caught.value.missing == ("ORDERKIT_LWA_CLIENT_SECRET",)


def test_the_endpoint_comes_from_the_environment_too(fake_secrets, memory_keyring):
    env = {**_env(fake_secrets), "ORDERKIT_SPAPI_ENDPOINT": "http://127.0.0.1:9"}
    creds = load_credentials(environ=env)
    assert creds.endpoint == "http://127.0.0.1:9"
    assert creds.token_url == "http://127.0.0.1:9/auth/o2/token"


def test_refused_credentials_raise_without_showing_them(make_sandbox, fake_secrets):
    sb = make_sandbox()
    wrong = Credentials.of(fake_secrets[0] + "x", fake_secrets[1], fake_secrets[2], endpoint=sb.url)
    with SellerCentral(credentials=wrong) as sc, pytest.raises(AuthorizationError) as caught:
        sc.sync(None)
    assert caught.value.code == "invalid_grant"
    assert not any(s in str(caught.value) for s in fake_secrets)


def test_no_secret_in_any_output_of_a_sync_and_a_send(
    make_sandbox,
    make_client,
    store,
    since,
    fake_secrets,
    caplog,
    capsys,
    tmp_path,
    confirmations_for,
):
    caplog.set_level(logging.DEBUG)
    sb = make_sandbox(fail_every=7)  # retries log their lines too
    sc = make_client(sb)
    result = sc.sync(store, since=since)
    sent = sc.confirm(confirmations_for(store), store=store, dry_run=False)
    print(sc, sc.transport.credentials, result, sent, sent.describe(), result.describe())
    store.close()
    outputs = [caplog.text, capsys.readouterr().out]
    outputs += [p.read_bytes().decode("utf-8", "replace") for p in tmp_path.glob("store.sqlite*")]
    assert caplog.text and len(outputs) >= 3
    for text in outputs:
        assert not any(s in text for s in fake_secrets)
