"""Sign-in through a real OpenID Connect redirect, in headless Chromium.

`oidc-provider-mock` runs as a local identity provider (its authorisation form takes a subject, whose
`email` claim it then issues); the dashboard runs with an `[auth]` secrets file in a temporary folder
(`--secrets.files`), never one in the repository. A team leader signs in, sees only their team's filter
values and cases, exports within scope and signs out; someone with no role signs in and sees no data.
The audit trail records each step.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, sync_playwright

import store
from tests.e2e.app_driver import (
    CHROMIUM,
    CHROMIUM_MISSING,
    ROOT,
    VIEWPORT,
    assert_no_app_error,
    free_port,
    launch_chromium,
    open_filters,
    open_from_sidebar,
    rerun_seconds,
    running_dashboard,
    wait_until_drawn,
)

pytestmark = pytest.mark.e2e

NORTH, SOUTH = "North Team (demo)", "South Team (demo)"
LEADER = "north.lead@council.gov.uk"
STRANGER = "stranger@council.gov.uk"
PROVIDER_START_SECONDS = 30.0


@pytest.fixture
def identity_provider(tmp_path: Path) -> Iterator[str]:
    """oidc-provider-mock on a free port; yields its issuer URL."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    log = (tmp_path / "provider.log").open("wb")
    provider = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--host", "127.0.0.1"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + PROVIDER_START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2):
                    break
            except OSError:
                if provider.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        (tmp_path / "provider.log").read_text(errors="replace")[-2000:]
                    ) from None
                time.sleep(0.2)
        yield issuer
    finally:
        if provider.poll() is None:
            os.killpg(provider.pid, signal.SIGTERM)
            provider.wait(timeout=10)
        log.close()


@pytest.fixture
def signed_in_dashboard(tmp_path: Path, identity_provider: str) -> Iterator[tuple[str, str]]:
    """The dashboard on demo data with sign-in on, a team leader on the People list; (base URL, store URL)."""
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_MISSING)
    database_url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    for command in (
        ["demo"],
        ["users", "add", "admin@council.gov.uk", "--role", "admin"],
        ["users", "add", LEADER, "--role", "team_leader", "--team", NORTH],
    ):
        subprocess.run(
            [sys.executable, "cli.py", "--db", database_url, *command],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-test-cookie-secret-0123456789"\n'
        'client_id = "jsw-dashboard"\n'
        'client_secret = "not-a-real-secret"\n'
        f'server_metadata_url = "{identity_provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    with running_dashboard(
        database_url, tmp_path / "server.log", port=port, extra_args=["--secrets.files", str(secrets)]
    ) as base_url:
        yield base_url, database_url


@pytest.fixture
def page(signed_in_dashboard: tuple[str, str]) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
            browser_page = context.new_page()
            browser_page.set_default_timeout(30_000)
            yield browser_page
        finally:
            browser.close()


def sign_in_as(page: Page, base_url: str, subject: str) -> None:
    """From the dashboard's sign-in page through the provider's form and back, signed in."""
    page.goto(base_url)
    wait_until_drawn(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/oauth2/authorize" in url)
    page.get_by_placeholder("sub").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(lambda url: url.startswith(base_url) and "oauth2callback" not in url)
    wait_until_drawn(page)


def team_choices(page: Page) -> list[str]:
    """The options the sidebar's Team filter offers."""
    box = open_filters(page).get_by_test_id("stMultiSelect").filter(has_text="Team").first
    box.get_by_role("combobox").click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return [option.strip() for option in options]


def test_a_team_leader_signs_in_sees_only_their_team_exports_it_and_signs_out(
    page: Page, signed_in_dashboard: tuple[str, str]
) -> None:
    base_url, database_url = signed_in_dashboard
    sign_in_as(page, base_url, LEADER)
    assert_no_app_error(page)
    sidebar = page.get_by_test_id("stSidebar")
    assert sidebar.get_by_text(f"Signed in as {LEADER}").is_visible()
    assert "Upload" not in sidebar.get_by_test_id("stSidebarNav").inner_text()
    assert team_choices(page) == [NORTH]

    # Export: the orders within scope only, downloaded through the logged export.
    open_from_sidebar(page, "Export")
    main = page.get_by_test_id("stMain")
    rerun_seconds(page, page.get_by_role("button", name="Prepare files").click)
    with page.expect_download() as download_info:
        main.get_by_role("button", name="Download CSV").click()
    orders = pd.read_csv(
        io.BytesIO(Path(download_info.value.path()).read_bytes()), encoding="utf-8-sig", dtype=str
    )
    assert len(orders) > 0 and set(orders["team"]) == {NORTH}

    # A page the role lacks, opened by its address, refuses.
    page.goto(f"{base_url}/upload")
    wait_until_drawn(page)
    assert page.get_by_text("You do not have access to this page.").is_visible()
    assert not page.get_by_test_id("stFileUploader").count()

    # Sign out: recorded, and the browser is back at the sign-in page.
    page.goto(base_url)
    wait_until_drawn(page)
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    # Streamlit clears its sign-in cookie, then sends the browser to the provider to end its session there.
    page.wait_for_url(lambda url: "/oauth2/end_session" in url)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(lambda url: url.startswith(base_url))
    wait_until_drawn(page)
    assert page.get_by_role("button", name="Sign in").is_visible()
    assert not page.get_by_test_id("stMetric").count()

    trail = store.list_audit(store.connect(database_url))
    mine = trail[trail["user"] == LEADER]["action"].tolist()
    assert mine[0] == "sign_in"
    assert "export" in mine and "access_refused" in mine and mine[-1] == "sign_out"
    assert SOUTH not in " ".join(trail[trail["user"] == LEADER]["detail"])


def test_someone_with_no_role_signs_in_and_sees_no_data(
    page: Page, signed_in_dashboard: tuple[str, str]
) -> None:
    base_url, database_url = signed_in_dashboard
    sign_in_as(page, base_url, STRANGER)
    main = page.get_by_test_id("stMain")
    assert main.locator("h1").inner_text() == "No access yet"
    assert main.get_by_text(f"python cli.py users add {STRANGER} --role ROLE").is_visible()
    assert not page.get_by_test_id("stMetric").count()
    assert not page.get_by_test_id("stDataFrame").count()
    assert not page.get_by_test_id("stSidebarNav").count()
    refused = store.list_audit(store.connect(database_url), action="access_refused")
    assert refused["user"].tolist() == [STRANGER]
