"""Browser tests: the session app served over real HTTP, driven by Debian's Chromium through Playwright.

Chromium comes from the distribution (/usr/bin/chromium), never from `playwright install`.
Without it the browser tests are skipped locally and fail under CI (when `CI` is set).
The app uses a SQLite *file* database, so the server thread and the test see the same rows.
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import OUTPUT_DIR

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TABLET = {"width": 768, "height": 1024}
SKIP_REASON = "chromium not installed; browser tests run in CI"


def find_chromium() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _missing(what: str) -> None:
    """Skip locally; under CI a missing browser is a failure, never a silent skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}: the browser tests are required under CI. "
                    "Install Debian's chromium and fonts-wqy-zenhei (`make browser`).", pytrace=False)
    pytest.skip(SKIP_REASON)


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        _missing("chromium not found at /usr/bin/chromium or on PATH")
    return path


@pytest.fixture(scope="session")
def live_server(app):
    """The session app on 127.0.0.1:<free port>, served from a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(request, chromium, live_server):
    """A fresh tablet (768×1024, touch) browser context per test; a screenshot is kept when a test fails."""
    context = chromium.new_context(viewport=TABLET, has_touch=True, base_url=live_server)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        OUTPUT_DIR.mkdir(exist_ok=True)
        try:
            tab.screenshot(path=str(OUTPUT_DIR / f"failed-{request.node.name}.png"), full_page=True)
        except Exception:  # noqa: BLE001 - best effort only
            pass
    context.close()


@pytest.fixture
def output_dir():
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR
