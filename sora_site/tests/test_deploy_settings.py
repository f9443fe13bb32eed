"""Production settings: the README's environment passes Django's deploy checklist, https behind
a trusted proxy (redirects, secure cookies, HSTS, share tags), and limits per visitor's address
rather than the proxy's."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from feed.tests.social_helpers import published
from sora_site.tests.settings_helpers import production_env, run_with_settings

DEPLOY_CHECK = (
    "from django.core.management import call_command\n"
    "call_command('check', deploy=True, fail_level='WARNING')"
)
SHOW = (
    "import json\nfrom django.conf import settings as s\n"
    "print(json.dumps({n: getattr(s, n, None) for n in ["
    "'SECURE_PROXY_SSL_HEADER', 'USE_X_FORWARDED_HOST', 'SECURE_SSL_REDIRECT', "
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'RATELIMIT_IP_META_KEY']}))"
)


def _settings(env: dict[str, str]) -> dict[str, object]:
    result = run_with_settings(SHOW, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _meta(html: str, key: str) -> str:
    match = re.search(rf'<meta property="{re.escape(key)}" content="([^"]*)">', html)
    assert match, f"no {key} tag"
    return unescape(match.group(1))


# --- The deploy checklist -----------------------------------------------------------------------


def test_it_passes_the_deploy_check_with_the_documented_production_environment(
    tmp_path: Path,
) -> None:
    # The database and Redis hosts in the README don't resolve here: the check needs no network.
    result = run_with_settings(DEPLOY_CHECK, production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr


def test_it_names_the_four_https_warnings_when_https_is_left_off(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["SORA_HTTPS"]
    result = run_with_settings(DEPLOY_CHECK, env)
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_it_turns_on_redirects_secure_cookies_hsts_and_the_proxy_header(tmp_path: Path) -> None:
    assert _settings(production_env(tmp_path)) == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "USE_X_FORWARDED_HOST": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "RATELIMIT_IP_META_KEY": "sora_site.proxy.client_ip",
    }


def test_it_trusts_no_forwarded_header_and_sends_no_hsts_by_default(tmp_path: Path) -> None:
    shown = _settings({"SORA_VAR_DIR": str(tmp_path)})
    assert shown["SECURE_PROXY_SSL_HEADER"] is None
    assert shown["RATELIMIT_IP_META_KEY"] is None
    assert shown["SECURE_SSL_REDIRECT"] is False
    assert shown["SESSION_COOKIE_SECURE"] is False
    assert shown["SECURE_HSTS_SECONDS"] == 0


def test_hsts_length_subdomains_preload_and_forwarded_host_follow_their_variables(
    tmp_path: Path,
) -> None:
    env = {
        **production_env(tmp_path),
        "SORA_HSTS_SECONDS": "3600",
        "SORA_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SORA_HSTS_PRELOAD": "yes",
        "SORA_USE_X_FORWARDED_HOST": "1",
    }
    shown = _settings(env)
    assert shown["SECURE_HSTS_SECONDS"] == 3600
    assert shown["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert shown["SECURE_HSTS_PRELOAD"] is True
    assert shown["USE_X_FORWARDED_HOST"] is True


@pytest.mark.parametrize(
    ("name", "value", "sentence"),
    [
        ("SORA_HTTPS", "maybe", "SORA_HTTPS must be true or false, not 'maybe'."),
        ("SORA_TRUSTED_PROXY", "nginx", "SORA_TRUSTED_PROXY must be true or false, not 'nginx'."),
        ("SORA_HSTS_SECONDS", "a year", "SORA_HSTS_SECONDS must be a whole number, not 'a year'."),
    ],
)
def test_a_bad_value_stops_start_up_with_a_sentence_naming_the_variable(
    tmp_path: Path, name: str, value: str, sentence: str
) -> None:
    env = {**production_env(tmp_path), name: value}
    result = run_with_settings("print('started')", env)
    assert result.returncode != 0
    assert sentence in result.stderr
    assert "started" not in result.stdout


# --- Share tags behind the proxy ----------------------------------------------------------------

PROXY = ("HTTP_X_FORWARDED_PROTO", "https")
# What nginx sends on (README, "Production"): the host name as typed, and the scheme it served.
BEHIND_PROXY = {"HTTP_HOST": "testserver", "HTTP_X_FORWARDED_PROTO": "https"}


@pytest.mark.django_db
def test_share_tags_carry_https_links_behind_a_trusted_proxy(client: Client, alice: User) -> None:
    post = published(alice, "a lighthouse on a cliff at dawn")
    with override_settings(SECURE_PROXY_SSL_HEADER=PROXY):
        html = client.get(reverse("feed:post", args=[post.pk]), **BEHIND_PROXY).content.decode()
    assert _meta(html, "og:url") == f"https://testserver/p/{post.pk}/"
    assert _meta(html, "og:video") == f"https://testserver{post.job.video.url}"
    assert _meta(html, "og:image") == f"https://testserver{post.job.poster.url}"


@pytest.mark.django_db
def test_a_visitor_cannot_claim_https_when_no_proxy_is_trusted(client: Client, alice: User) -> None:
    post = published(alice, "a lighthouse on a cliff at dawn")
    assert settings.SECURE_PROXY_SSL_HEADER is None
    html = client.get(reverse("feed:post", args=[post.pk]), **BEHIND_PROXY).content.decode()
    assert _meta(html, "og:video") == f"http://testserver{post.job.video.url}"


@pytest.mark.django_db
def test_plain_http_through_the_proxy_is_redirected_to_https(client: Client) -> None:
    with override_settings(SECURE_PROXY_SSL_HEADER=PROXY, SECURE_SSL_REDIRECT=True):
        plain = client.get("/", HTTP_HOST="testserver", HTTP_X_FORWARDED_PROTO="http")
        secure = client.get("/", **BEHIND_PROXY)
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/"
    assert secure.status_code == 200


# --- Limits count the visitor, not the proxy ----------------------------------------------------


def _sign_in(client: Client, username: str, forwarded_for: str) -> tuple[int, str]:
    response = client.post(
        reverse("accounts:login"),
        {"username": username, "password": "not the password"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )
    return response.status_code, response.content.decode()


@pytest.mark.django_db
def test_sign_in_limits_count_each_visitor_behind_the_proxy_on_their_own(client: Client) -> None:
    rates = {**settings.SORA_RATE_LIMITS, "login-ip": "2/h"}
    with override_settings(
        SORA_RATE_LIMITS=rates, RATELIMIT_IP_META_KEY="sora_site.proxy.client_ip"
    ):
        assert _sign_in(client, "guess1", "203.0.113.5")[0] == 200
        assert _sign_in(client, "guess2", "203.0.113.5")[0] == 200
        status, page = _sign_in(client, "guess3", "203.0.113.5")
        # A made-up address in front of the proxy's own entry doesn't start a fresh count.
        spoofed, _ = _sign_in(client, "guess4", "198.51.100.99, 203.0.113.5")
        neighbour, neighbour_page = _sign_in(client, "someone", "198.51.100.7")
    assert status == 429
    assert "Too many attempts in a short time. Try again in" in page
    assert spoofed == 429
    assert neighbour == 200
    assert "Too many attempts" not in neighbour_page
