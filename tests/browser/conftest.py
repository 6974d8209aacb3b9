"""Fixtures for the browser tests: a JupyterLab server on a copy of notebooks/, and headless Chromium.

Collected only when ``COURSE_BROWSER=1`` (see the root conftest.py); run them with
``make test-browser``. Screenshots go to ``bench-results/browser/`` (or ``$COURSE_SCREENSHOTS``),
and the folder is printed at the end of the run.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .lab_server import ROOT, LabServer

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
# Flags that let Debian's Chromium run headless as root on a machine with no outside network.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}


def screenshot_dir() -> Path:
    return Path(os.environ.get("COURSE_SCREENSHOTS", ROOT / "bench-results" / "browser")).resolve()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """An emptied folder for this run's PNG screenshots (and the diagram's alt text)."""
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("*.png"), *folder.glob("*.txt")]:
        old.unlink()
    return folder


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab from .venv on 127.0.0.1 (random port and token) serving a copy of notebooks/."""
    workdir = tmp_path_factory.mktemp("jupyterlab")
    notebooks = workdir / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    server = LabServer(notebooks, home=workdir / "home").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (which gives it a new empty profile)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test-browser`, which installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def page(browser):
    """One browser tab per test module, with a fixed window size so screenshots compare by eye."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def pytest_terminal_summary(terminalreporter):
    folder = screenshot_dir()
    shots = sorted(folder.glob("*.png")) if folder.exists() else []
    terminalreporter.write_line(f"browser screenshots ({len(shots)} PNG): {folder}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, keep what the browser showed and the end of the server's log beside the screenshots."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    tab = item.funcargs.get("page") or getattr(item.funcargs.get("lesson"), "page", None)
    if tab is not None:
        try:
            tab.screenshot(path=str(folder / f"FAILED_{item.name}.png"))
        except Exception as error:  # a dead browser must not hide the real failure
            report.sections.append(("browser", f"no failure screenshot: {error}"))
    server = item.funcargs.get("lab")
    if server is not None:
        report.sections.append(("jupyterlab log (tail)", server.log_tail()))
