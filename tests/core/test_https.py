"""KAM_HTTPS: the HTTPS settings switch on together, and `kam check --deploy` is clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.urls import reverse

from kam import config

PRODUCTION = {
    "KAM_HTTPS": "true",
    "KAM_DEBUG": "false",
    "KAM_SECRET_KEY": "a-long-production-secret-key-0123456789-abcdefghijklmnop",
    "KAM_ALLOWED_HOSTS": "kam.example.com",
}

# Run in a fresh interpreter: settings are read from the environment once, at start-up.
SHOW_HTTPS = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client

plain = Client().get("/login/", HTTP_HOST="kam.example.com")
proxied = Client().get("/login/", HTTP_HOST="kam.example.com", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "redirect": plain.status_code, "location": plain.get("Location"),
    "status": proxied.status_code, "hsts": proxied.get("Strict-Transport-Security"),
    "csrf_cookie": str(proxied.cookies.get("csrftoken")),
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
}))
"""


def run_kam_python(tmp_path, args, **env):
    # Not DJANGO_ALLOW_ASYNC_UNSAFE either, which the browser tests set for the session.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KAM_", "DJANGO_"))}
    clean.update(DJANGO_SETTINGS_MODULE="kam.settings", KAM_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, *args], env=clean, capture_output=True, text=True, timeout=120
    )


def test_kam_https_turns_on_the_redirect_hsts_and_secure_cookies(tmp_path):
    result = run_kam_python(tmp_path, ["-c", SHOW_HTTPS], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["redirect"] == 301
    assert shown["location"] == "https://kam.example.com/login/"
    assert shown["status"] == 200
    assert shown["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "Secure" in shown["csrf_cookie"]
    assert shown["session_secure"] and shown["csrf_secure"]
    assert shown["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_check_deploy_has_nothing_to_warn_about_in_production_settings(tmp_path):
    result = run_kam_python(
        tmp_path, ["-m", "kam", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_kam_https_the_site_stays_plain_http(settings):
    assert not settings.SECURE_SSL_REDIRECT
    assert not settings.SESSION_COOKIE_SECURE
    assert not getattr(settings, "SECURE_HSTS_SECONDS", 0)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KAM_HTTPS", "sometimes"),
        ("KAM_HSTS_SECONDS", "a year"),
        ("KAM_HSTS_SECONDS", "-1"),
        ("KAM_HSTS_PRELOAD", "maybe"),
        ("KAM_LOGIN_FAILURE_LIMIT", "30"),
        ("KAM_LOGIN_COOLOFF_MINUTES", "0"),
        ("KAM_PROXY_COUNT", "one"),
    ],
)
def test_a_bad_https_or_login_value_names_its_variable(tmp_path, variable, value):
    with pytest.raises(config.ConfigError) as raised:
        config.load({"KAM_DATA_DIR": str(tmp_path), variable: value})
    assert raised.value.variable == variable


@pytest.mark.parametrize("path", ["login", "accounts:dashboard"])
def test_pages_carry_a_policy_that_allows_no_inline_script(client_for, alice, path):
    response = client_for(alice).get(reverse(path))
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
