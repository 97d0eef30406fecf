"""The client's address comes from trusted proxies only, and login throttling keys on it.

Served directly, ``X-Forwarded-For`` is ignored whatever it says. Behind a trusted proxy,
the address that proxy saw is used, whether it overwrites the header (one entry) or
appends to what the client sent (two entries).
"""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory

from jinhu.core import proxies
from jinhu.core.middleware import TrustedProxyMiddleware
from tests.factories import PASSWORD

PROXY = "10.0.0.5"
TRUSTED = proxies.networks([PROXY, "172.31.240.0/24"])
ATTACKER, USER = "203.0.113.9", "203.0.113.10"


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        (ATTACKER, None, ATTACKER),
        (ATTACKER, "1.1.1.1", ATTACKER),  # not from a proxy: the header is ignored
        (ATTACKER, f"{PROXY}", ATTACKER),
        (PROXY, None, PROXY),
        (PROXY, "", PROXY),
        (PROXY, ATTACKER, ATTACKER),  # overwriting proxy: one entry
        (PROXY, f"1.1.1.1, {ATTACKER}", ATTACKER),  # appending proxy: the client chose 1.1.1.1
        (PROXY, f"1.1.1.1,{ATTACKER}, 172.31.240.7", ATTACKER),  # two proxies of ours
        (PROXY, f"{ATTACKER}, {PROXY}", ATTACKER),
        (PROXY, f"{ATTACKER}:51234", ATTACKER),
        (PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        (PROXY, "::ffff:203.0.113.9", ATTACKER),
        (PROXY, "unknown", PROXY),  # garbage: the proxy that wrote it is what we know
        (PROXY, f"{ATTACKER}, garbage", PROXY),
        (PROXY, f"garbage, {ATTACKER}", ATTACKER),
        ("::ffff:10.0.0.5", ATTACKER, ATTACKER),
    ],
)
def test_client_address(peer, forwarded_for, expected):
    assert proxies.client_address(peer, forwarded_for, TRUSTED) == expected


def test_a_typo_in_the_proxy_list_is_an_error_not_an_open_door():
    with pytest.raises(ValueError, match=r"10\.0\.0\.300"):
        proxies.networks(["10.0.0.300"])


def _through(settings, trusted, **meta):
    settings.JINHU_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", **meta)
    return TrustedProxyMiddleware(lambda r: r)(request)


def test_forwarding_headers_are_removed_and_https_is_believed_from_our_proxy_only(settings):
    direct = _through(
        settings,
        [],
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="1.1.1.1",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert direct.META["REMOTE_ADDR"] == ATTACKER and not direct.is_secure()
    assert "HTTP_X_FORWARDED_FOR" not in direct.META
    proxied = _through(
        settings,
        [PROXY],
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=USER,
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert proxied.META["REMOTE_ADDR"] == USER and proxied.is_secure()
    assert proxied.META["JINHU_PROXY_PEER"] == PROXY
    assert "HTTP_X_FORWARDED_FOR" not in proxied.META


def _login(client, password, remote, forwarded_for=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(
        "/accounts/login/", {"username": "secretary-a", "password": password}, **extra
    ).status_code


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.JINHU_LOGIN_USER_FAILURE_LIMIT = 12
    settings.JINHU_TRUSTED_PROXIES = []
    return settings


def test_served_directly_a_spoofed_header_gives_no_fresh_lockout_key(limits, client, secretary_a):
    for n in range(4):
        assert _login(client, "wrong", ATTACKER, f"198.51.100.{n}") == 200
    assert _login(client, "wrong", ATTACKER, "198.51.100.4") == 429  # the fifth locks
    assert _login(client, PASSWORD, ATTACKER, "198.51.100.99") == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # The real user, from their own address, is not locked out by the attacker.
    assert _login(client, PASSWORD, USER) == 302


def test_behind_an_overwriting_proxy_one_entry_is_the_client(limits, client, secretary_a):
    limits.JINHU_TRUSTED_PROXIES = [PROXY]
    for _ in range(4):
        assert _login(client, "wrong", PROXY, ATTACKER) == 200
    assert _login(client, "wrong", PROXY, ATTACKER) == 429
    assert _login(client, PASSWORD, PROXY, ATTACKER) == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert _login(client, PASSWORD, PROXY, USER) == 302


def test_behind_an_appending_proxy_the_client_chosen_entry_is_ignored(limits, client, secretary_a):
    limits.JINHU_TRUSTED_PROXIES = [PROXY]
    for n in range(4):
        assert _login(client, "wrong", PROXY, f"198.51.100.{n}, {ATTACKER}") == 200
    assert _login(client, "wrong", PROXY, f"198.51.100.4, {ATTACKER}") == 429
    assert _login(client, PASSWORD, PROXY, f"198.51.100.50, {ATTACKER}") == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert _login(client, PASSWORD, PROXY, f"{ATTACKER}, {USER}") == 302


def test_a_client_that_names_our_proxy_is_not_believed(limits, client, secretary_a):
    limits.JINHU_TRUSTED_PROXIES = [PROXY]
    for _ in range(4):
        assert _login(client, "wrong", ATTACKER, PROXY) == 200
    assert _login(client, "wrong", ATTACKER, USER) == 429
    assert _login(client, PASSWORD, ATTACKER, USER) == 429


def test_guessing_from_many_addresses_locks_the_user_name(limits, client, secretary_a):
    # Below the per-address limit everywhere, but 12 failures in all.
    for n in range(11):
        assert _login(client, "wrong", f"198.51.100.{n}") == 200
    assert _login(client, "wrong", "198.51.100.11") == 429  # the twelfth locks the name
    assert _login(client, PASSWORD, USER) == 429
    # Another user is not affected.
    assert (
        client.post(
            "/accounts/login/",
            {"username": "nobody-else", "password": "wrong"},
            REMOTE_ADDR=USER,
        ).status_code
        == 200
    )


def test_the_user_name_limit_counts_only_the_cool_off(limits, client, secretary_a, moment):
    import datetime as dt

    for n in range(11):
        assert _login(client, "wrong", f"198.51.100.{n}") == 200
    moment.shift(dt.timedelta(minutes=31))  # (AXES_COOLOFF_TIME: 30 minutes)
    assert _login(client, "wrong", "198.51.100.77") == 200
    assert _login(client, PASSWORD, USER) == 302
