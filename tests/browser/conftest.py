"""Browser fixtures: the built site on a local port, Debian's Chromium driven by Playwright."""

import os
import pathlib
import shutil
import subprocess
from urllib.parse import urlparse

import pytest

from tests.conftest import ROOT

from .server import SiteServer

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
READY_TIMEOUT_MS = 90_000  # a cold Pyodide boot is ~4 s here; leave room on a loaded CI machine


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def site_dir():
    """The built site (PG_SITE_DIR overrides site/); built here if `nox -s tests` did not already build it."""
    site = pathlib.Path(os.environ.get("PG_SITE_DIR", ROOT / "site"))
    if not (site / "index.html").exists():
        subprocess.run(["mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=ROOT, check=True)
    return site


@pytest.fixture(scope="session")
def server(site_dir):
    """The site served on a free 127.0.0.1 port."""
    with SiteServer(str(site_dir)) as srv:
        yield srv


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (see README)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def context(browser):
    """One context for the session, so the HTTP cache keeps Pyodide warm between pages."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


class Watched:
    """A page plus everything it did wrong: console errors, page errors, foreign requests."""

    def __init__(self, page, base_url):
        self.page = page
        self.origin = urlparse(base_url).netloc
        self.console_errors, self.page_errors, self.foreign, self.failed = [], [], [], []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("request", self._request)
        page.on("requestfailed", lambda r: self.failed.append(r.url))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))

    def _request(self, request):
        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != self.origin:
            self.foreign.append(request.url)

    def assert_clean(self):
        """No console errors, no uncaught exceptions, no request off the origin, no failed request."""
        assert self.console_errors == []
        assert self.page_errors == []
        assert self.foreign == []
        assert self.failed == []


def open_page(context, server, path="", ready=True):
    """Open a page of the site, watched; wait for Python to be live unless ready=False."""
    page = context.new_page()
    watched = Watched(page, server.url)
    page.goto(server.url + path)
    if ready:
        page.wait_for_selector("html[data-pg-ready='true']", state="attached", timeout=READY_TIMEOUT_MS)
    return watched


@pytest.fixture(scope="module")
def playground(context, server):
    """The playground page with Python live; shared by a module's tests."""
    watched = open_page(context, server)
    yield watched
    watched.page.close()
