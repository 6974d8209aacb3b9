"""Drive JupyterLab 4 the way a learner does: menus, clicks and typing, through Playwright.

>>> notebook = open_notebook(page, lab, "00_welcome.ipynb")    # doctest: +SKIP
>>> run_all_cells(page, lab, "00_welcome.ipynb")               # doctest: +SKIP
>>> cell(page, 3).locator(".course-verdict").count()           # doctest: +SKIP
1
"""
from __future__ import annotations

import time
from pathlib import Path

from .lab_server import LabServer

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook tab in front
NOTEBOOK = f"{PANEL} .jp-Notebook"
RUN_TIMEOUT_S = 300


def open_notebook(page, lab: LabServer, name: str):
    """Open ``name`` in JupyterLab and wait until its kernel is connected and idle."""
    page.goto(lab.url(name))
    page.locator(f"{NOTEBOOK} .jp-Cell").first.wait_for(state="visible", timeout=60_000)
    wait_until(lambda: kernel_state(lab, name) == "idle", timeout=120,
               what=f"the kernel of {name} to start")
    # The notebook's own toolbar shows the kernel as connected and idle.
    page.locator(f"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
        state="attached", timeout=60_000)
    return page.locator(NOTEBOOK)


def cell(page, index: int):
    """The ``index``-th cell (0-based, markdown cells included) of the notebook on screen."""
    return page.locator(f"{NOTEBOOK} .jp-Cell").nth(index)


def choose_menu(page, menu: str, item: str) -> None:
    """Click ``menu`` in the menu bar, then its entry ``item``, e.g. ``("Run", "Run All Cells")``."""
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-content .lm-Menu-itemLabel").filter(has_text=item).first.click()


def kernel_state(lab: LabServer, name: str) -> str | None:
    """What the server says the kernel of notebook ``name`` is doing: ``'idle'``, ``'busy'``, ... or None."""
    for session in lab.api("sessions"):
        if Path(session.get("path", "")).name == name and session.get("kernel"):
            return session["kernel"].get("execution_state")
    return None


def prompts(page) -> list[str]:
    """The input prompts of all code cells as shown, e.g. ``['[1]:', '[*]:', '[ ]:']``."""
    return [text.strip() for text in page.locator(f"{NOTEBOOK} .jp-InputPrompt").all_inner_texts()]


def wait_until(condition, timeout: float, what: str, interval: float = 0.25) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")


def wait_for_run_to_finish(page, lab: LabServer, name: str, timeout: float = RUN_TIMEOUT_S) -> None:
    """Wait until no cell is queued or running (no ``[*]``) and the kernel is idle, twice in a row."""
    def settled() -> bool:
        shown = prompts(page)
        return (not any("*" in p for p in shown) and any(any(ch.isdigit() for ch in p) for p in shown)
                and kernel_state(lab, name) == "idle")

    def settled_twice() -> bool:
        if not settled():
            return False
        time.sleep(0.5)
        return settled()

    wait_until(settled_twice, timeout, f"the cells of {name} to finish")


def run_all_cells(page, lab: LabServer, name: str) -> None:
    """Run > Run All Cells, then wait for the kernel to settle."""
    choose_menu(page, "Run", "Run All Cells")
    # The first prompt turns from "[ ]" to "[*]" or a number once the run has really started.
    wait_until(lambda: any(p != "[ ]:" for p in prompts(page)), 30, "Run All Cells to start")
    wait_for_run_to_finish(page, lab, name)


def save(page, lab: LabServer, name: str) -> None:
    """File > Save Notebook, then wait until the file on disk no longer lags behind."""
    choose_menu(page, "File", "Save Notebook")
    page.locator(".jp-mod-dirty").first.wait_for(state="detached", timeout=30_000)


def replace_cell_source(page, index: int, source: str) -> None:
    """Select everything in cell ``index``'s editor and type ``source`` in its place."""
    editor = cell(page, index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)


def run_cell(page, lab: LabServer, name: str, index: int) -> None:
    """Run cell ``index`` in place (Ctrl+Enter) and wait until it shows a new execution count."""
    prompt = cell(page, index).locator(".jp-InputPrompt")
    before = prompt.inner_text().strip()
    cell(page, index).locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    wait_until(lambda: prompt.inner_text().strip() not in (before, "[*]:"), RUN_TIMEOUT_S,
               f"cell {index} of {name} to run")
    wait_for_run_to_finish(page, lab, name)
