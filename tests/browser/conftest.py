"""Browser tests: Debian's Chromium driven by Playwright, against the site served by uvicorn.

They skip with a clear message when Chromium is absent, unless ``REQUIRE_BROWSER=1`` (as in
CI), when they fail instead. axe-core and the Nu Html Checker come from ``tests/browser``'s npm
packages (``make test`` installs them).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from sqlmodel import Session

from app import migrate
from app.demo import seed_demo
from app.main import create_app
from tests.conftest import make_settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TOOLS = Path(__file__).parent / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"


def need(condition: bool, message: str) -> None:
    """Skip on a laptop that lacks a tool; fail where the browser tests are required."""
    if condition:
        return
    if REQUIRED:
        pytest.fail(f"REQUIRE_BROWSER=1 mais {message}")
    pytest.skip(message)


class LiveServer:
    def __init__(self, base_url: str, settings: Any) -> None:
        self.base_url = base_url
        self.settings = settings

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The whole site with its demo data, served on a free local port."""
    tmp = tmp_path_factory.mktemp("live")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    settings = make_settings(tmp, f"sqlite:///{tmp / 'live.sqlite3'}", base_url=base_url)
    migrate.upgrade(settings.database_url)
    app = create_app(settings)
    with Session(app.state.engine) as session:
        list(seed_demo(session, settings))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("le serveur de test n'a pas démarré")
        time.sleep(0.05)
    yield LiveServer(base_url, settings)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    need(Path(CHROMIUM).exists(), f"Chromium est absent ({CHROMIUM}) : apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


class Watched:
    """A page and the console errors it produced (a CSP violation shows up there)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A phone-sized page (360 px wide), with JavaScript on."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-BE")
    yield context.new_page()
    context.close()


@pytest.fixture
def watched(page: Page) -> Watched:
    return Watched(page)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now.

    The script is evaluated through the DevTools protocol, which the page's CSP does not govern.
    """
    need(AXE.exists(), f"axe-core est absent ({AXE}) : npm ci --prefix tests/browser")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["html"][:160] for n in v["nodes"][:3]],
        }
        for v in result["violations"]
    ]


def vnu_errors(documents: dict[str, str], tmp_path: Path) -> dict[str, list[str]]:
    """The Nu Html Checker's errors for each named HTML document (one Java start for all)."""
    need(VNU.exists(), f"vnu-jar est absent ({VNU}) : npm ci --prefix tests/browser")
    need(shutil.which("java") is not None, "Java est absent : le Nu Html Checker en a besoin")
    files: dict[str, str] = {}
    for index, (name, html) in enumerate(documents.items()):
        file = tmp_path / f"page-{index}.html"
        file.write_text(html, encoding="utf-8")
        files[file.name] = name
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            *map(str, tmp_path.glob("page-*.html")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors: dict[str, list[str]] = {name: [] for name in documents}
    for message in messages:
        name = files.get(message.get("url", "?").rsplit("/", 1)[-1], message.get("url", "?"))
        errors.setdefault(name, []).append(
            f"ligne {message.get('lastLine')}: {message.get('message')}"
        )
    return {name: found for name, found in errors.items() if found}
