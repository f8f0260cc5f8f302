"""A real browser for end-to-end tests: Debian's Chromium driven by Playwright (which downloads nothing)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page, sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[1] / "e2e" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium tries to reach Google's services, which this closed network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise RuntimeError("Chromium is not installed: `apt-get install chromium` (.ci/run does it).")
    return found


@dataclass
class Browser:
    page: Page
    name: str
    console_errors: list[str] = field(default_factory=list)
    shots: int = 0

    def screenshot(self, label: str) -> Path:
        """Keep a picture of the page as a test artifact (tests/e2e/artifacts/, ignored by git)."""
        self.shots += 1
        path = ARTIFACTS / f"{self.name}-{self.shots:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path


@contextmanager
def browser(name: str, width: int = 1440, height: int = 900) -> Iterator[Browser]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(15_000)
        session = Browser(page=page, name=name)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                session.console_errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: session.console_errors.append(str(error)))
        try:
            yield session
        except BaseException:
            session.screenshot("failure")
            raise
        finally:
            context.close()
            chromium.close()
