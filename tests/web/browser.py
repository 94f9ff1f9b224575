"""Browser fixtures: Debian's chromium through Playwright, and a real background worker.

Import the fixtures into a conftest (or a test module) to use them; each is
defined under a ``*_fixture`` name and registered under the short one, so a
test's ``page`` argument does not shadow the import::

    from tests.web.browser import (  # noqa: F401  (pytest finds fixtures by name)
        browser_fixture,
        page_fixture,
        queue_worker_fixture,
        sqlite_test_database_in_a_file,
    )

``browser`` is one chromium per test module (never ``playwright install``:
``FREEDOMCITIES_CHROMIUM`` names the executable, ``/usr/bin/chromium`` by
default); ``page`` is a fresh context, so fresh cookies, for each test.
``queue_worker`` runs huey's own consumer in threads of the test process, on
the SQLite queue in the test data folder, so pages show a job's real progress.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from huey import Huey
from huey.consumer import Consumer
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

CHROMIUM = os.environ.get("FREEDOMCITIES_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
OUTPUT_DIR = Path(__file__).resolve().parents[1] / "output"
"""Screenshots from the browser tests (gitignored)."""
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core, pinned in package.json as a dev dependency and installed by ``npm ci``."""
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[Browser]:
    """Debian's chromium, headless, for one test module; skip (in CI, fail) without it.

    Playwright's sync API keeps an asyncio loop marked as running in the main
    thread for as long as it is open, so Django refuses ORM calls there
    (SynchronousOnlyOperation) and ``asyncio.run()`` fails. Hence one chromium
    per module rather than per session, and Django's check relaxed only while
    it is open: the loop is Playwright's, no Django code runs in it.
    """
    if not shutil.which(CHROMIUM):
        message = (
            f"chromium is not at {CHROMIUM}; apt-get install chromium or set FREEDOMCITIES_CHROMIUM"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@contextmanager
def fresh_page(browser: Browser) -> Iterator[Page]:
    """A page in a new browser context: nobody signed in, nothing cached."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(15_000)
    blocked: list[str] = []
    try:
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                blocked.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        yield page
    finally:
        context.close()
    assert not blocked, f"the Content-Security-Policy blocked something: {blocked}"


@pytest.fixture(name="page")
def page_fixture(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context for each test."""
    with fresh_page(browser) as new:
        yield new


def login(page: Page, live_server_url: str, username: str, password: str) -> None:
    """Sign in through the real sign-in form and wait until the app says who is signed in."""
    page.goto(f"{live_server_url}/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


@pytest.fixture(name="axe")
def axe_fixture() -> Path:
    """axe-core's script; skip (in CI, fail) when npm has not installed it."""
    if not AXE.is_file():
        message = f"axe-core is not installed at {AXE}; run npm ci (or scripts/test)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def accessibility_problems(page: Page, axe: Path) -> list[str]:
    """What axe-core finds wrong with the page as it stands, against WCAG 2.1 A and AA.

    One line per broken rule: the page's path, the rule, its impact, the first
    element that breaks it and axe's advice, so a failing test says what to mend.
    """
    page.evaluate(axe.read_text(encoding="utf-8"))  # through DevTools: the page's CSP allows
    # no inline script, and a test tool is not the page's own script
    found: list[dict[str, Any]] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(result => result.violations)",
        WCAG_TAGS,
    )
    path = urlsplit(page.url).path
    return [
        f"{path}: {v['id']} ({v['impact']}) {v['nodes'][0]['target']} - {v['help']}" for v in found
    ]


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG in ``tests/output/`` and return its path."""
    OUTPUT_DIR.mkdir(exist_ok=True)
    path = OUTPUT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


_CONSUMER_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _close_connections() -> None:
    """Close this thread's database connections (run by each worker thread as it stops)."""
    from django.db import connections

    connections.close_all()


class QueueWorker:
    """Huey's consumer in threads of this process, started when a test is ready for it."""

    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self.consumer: Consumer | None = None

    def start(self) -> None:
        """Start one worker thread; an idle one looks at the queue at least every 0.5 s."""
        # Each worker thread opens its own database connection; close it as the thread
        # ends, or PostgreSQL refuses to drop the test database ("being accessed by other
        # users"). The name makes registering it again a no-op.
        self.huey.on_shutdown(name="close-django-connections")(_close_connections)
        self.consumer = self.huey.create_consumer(
            workers=1, worker_type="thread", periodic=False, max_delay=0.5, shutdown_timeout=30
        )
        # Consumer.start() installs handlers for SIGINT, SIGTERM and SIGHUP in the main
        # thread; keep pytest's own, so Ctrl-C still stops the test run.
        kept = {number: signal.getsignal(number) for number in _CONSUMER_SIGNALS}
        try:
            self.consumer.start()
        finally:
            for number, handler in kept.items():
                signal.signal(number, handler)

    def stop(self) -> None:
        """Let the current job finish, then stop the threads."""
        if self.consumer is not None:
            self.consumer.stop(graceful=True)
            self.consumer = None


@pytest.fixture(name="queue_worker")
def queue_worker_fixture(transactional_db: None) -> Iterator[QueueWorker]:
    """A real background worker on the settings' queue (not the immediate mode of other tests).

    The worker opens its own database connection, so the test needs committed
    data (``transactional_db``) and a test database other threads can open:
    see :func:`sqlite_test_database_in_a_file`.
    """
    from django.conf import settings

    huey = settings.HUEY
    huey.immediate = False  # back to the SQLite (or Redis) queue of the settings
    huey.flush()
    worker = QueueWorker(huey)
    yield worker
    worker.stop()
    huey.flush()
    huey.immediate = True  # as the web tests' autouse fixture left it


@pytest.fixture(scope="session", name="django_db_modify_db_settings")
def sqlite_test_database_in_a_file(
    request: pytest.FixtureRequest, django_db_modify_db_settings_parallel_suffix: None
) -> None:
    """Keep the SQLite test database in a file in the test data folder, not in memory.

    The live server thread and the queue worker thread each open the database,
    as the web app and its worker do in production. SQLite's shared-cache
    memory database answers "database table is locked" at once when two
    connections collide; a file waits for the other (the settings' busy
    timeout). PostgreSQL (``DATABASE_URL``) and a configured test name are left alone.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and not database.get("TEST", {}).get("NAME"):
        worker = getattr(request.config, "workerinput", {}).get("workerid", "")  # pytest-xdist
        name = Path(database["NAME"]).with_name(f"test-freedomcities{worker}.sqlite3")
        database.setdefault("TEST", {})["NAME"] = str(name)
