"""The cast every access test uses (CONVENTIONS.md).

alice is the KAM of the account, bob is on its team, charlie is a KAM with no access to it,
mia mentors it, and lee is the programme lead.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings

from kam.users.models import Role
from tests.factories import (
    AccountFactory,
    ContactFactory,
    MentorAssignmentFactory,
    TeamMembershipFactory,
    UserFactory,
)

# Tests must not depend on the machine's speed: hypothesis' default deadline (200 ms per
# example) fails property tests on a busy CI machine. Speed is measured in benchmarks/.
settings.register_profile("kam", deadline=None)
settings.load_profile("kam")

PASSWORD = "s3cret-pass"

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's sync API runs an event loop in this thread for as long as it lives; Django's ORM
# calls made by the tests themselves (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


@pytest.fixture(scope="session")
def chromium_browser():
    """Debian's chromium through one Playwright for the whole session: a second sync Playwright
    started while the first lives fails ("Sync API inside the asyncio loop"), so every browser
    test of every folder shares this one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


pytest_plugins = ["tests.rollups"]


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", first_name="Alice", role=Role.KEY_ACCOUNT_MANAGER)


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", first_name="Bob", role=Role.TEAM_MEMBER)


@pytest.fixture
def charlie(db):
    return UserFactory(username="charlie", first_name="Charlie", role=Role.KEY_ACCOUNT_MANAGER)


@pytest.fixture
def mia(db):
    return UserFactory(username="mia", first_name="Mia", role=Role.MENTOR)


@pytest.fixture
def lee(db):
    return UserFactory(username="lee", first_name="Lee", role=Role.PROGRAMME_LEAD, is_staff=True)


@pytest.fixture
def account(alice, bob, mia):
    account = AccountFactory(name="PT Sinar Abadi Mebel Jepara", owner=alice)
    TeamMembershipFactory(account=account, user=bob, role="customer_service")
    MentorAssignmentFactory(account=account, mentor=mia)
    ContactFactory(account=account, name="Budi Santoso", department="Pengadaan")
    return account


@pytest.fixture
def other_account(charlie):
    account = AccountFactory(
        name="广州华美家具有限公司", owner=charlie, country="CN", currency="CNY"
    )
    ContactFactory(account=account, name="王伟", department="采购部")
    return account


@pytest.fixture
def client_for(client):
    """A test client logged in as the given user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _empty_cache():
    """What a page caches (kam caches derived figures, keyed by the data they came from) must
    not outlive the test whose database rows it came from."""
    cache.clear()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in another language leaves it active on the thread; the next test must not
    inherit it (messages and reasons would change language from test to test)."""
    yield
    translation.activate("en")
