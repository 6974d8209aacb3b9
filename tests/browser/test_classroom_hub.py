"""A workshop on a real JupyterHub: two learners answer lesson 01's q1 wrong, then right; the instructor's
dashboard (the classroom service, logged in through the hub's OAuth) shows both, the shared
misconception and its count.

The hub runs on loopback ports only (tests/browser/hub_server.py) and is stopped, with every server and
kernel it started, at the end of the module. Screenshots: ``10_*`` to ``13_*`` in the screenshots folder.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from urllib.parse import quote

import pytest

from . import lab_ui
from .conftest import VIEWPORT
from .hub_server import HubServer
from .lab_server import ROOT

LEARNERS = ["learner1", "learner2"]
INSTRUCTOR = "teacher"
LESSON = "01_dense_and_batch_axis.ipynb"
WRONG = "dense_shape = (10,)  # your answer\nex.q1.check(dense_shape)"
RIGHT = "dense_shape = (None, 10)  # your answer\nex.q1.check(dense_shape)"
MISCONCEPTION = "Keras keeps the batch axis in front of every shape: add it, written as None."
SPAWN_TIMEOUT_MS = 240_000


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """The hub, after each learner's release folder was handed out into their home."""
    workdir = tmp_path_factory.mktemp("hub")
    server = HubServer(workdir, LEARNERS, [INSTRUCTOR])
    release = workdir / "release"
    for name in LEARNERS:
        (release / name).mkdir(parents=True)
        shutil.copy(ROOT / "notebooks" / LESSON, release / name / LESSON)
    server.prepare_homes()
    handed = subprocess.run([sys.executable, "-m", "helpers.classroom", "hand-out", "--release", str(release),
                             "--homes", server.homes_pattern], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert handed.returncode == 0, handed.stderr
    assert all(f"{name}: 1 copied" in handed.stdout for name in LEARNERS), handed.stdout
    server.start()
    try:
        yield server
    finally:
        server.stop()


def login(browser, hub: HubServer, name: str, next_path: str):
    """A fresh browser context logged in to the hub as ``name`` (any password), sent on to ``next_path``."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(f"{hub.login_url}?next={quote(next_path)}")
    page.fill("#username_input", name)
    page.fill("#password_input", "any password works with DummyAuthenticator")
    page.click("#login_submit")
    return context, page


def answer_q1_wrong_then_right(browser, hub: HubServer, name: str, screenshots):
    context, page = login(browser, hub, name, "/hub/home")
    try:
        page.wait_for_url(re.compile(r"/hub/home"), timeout=60_000)
        page.goto(f"{hub.base}/hub/spawn/{name}?next={quote(f'/user/{name}/lab/tree/{LESSON}')}")
        page.wait_for_url(re.compile(rf"^{re.escape(hub.base)}/user/{name}/lab"), timeout=SPAWN_TIMEOUT_MS)
        server = hub.user(name)
        lab_ui.open_notebook(page, server, LESSON)
        lab_ui.run_cell(page, server, LESSON, 1)   # the imports
        index = next(i for i, text in enumerate(lab_ui.cell(page, i).inner_text() for i in range(12))
                     if "ex.q1.check(dense_shape)" in text)
        outputs = lab_ui.cell(page, index).locator(".jp-OutputArea-output")

        lab_ui.replace_cell_source(page, index, WRONG)
        lab_ui.run_cell(page, server, LESSON, index)
        assert outputs.locator(".course-verdict.course-not-yet").count() == 1, outputs.all_inner_texts()
        assert MISCONCEPTION in outputs.inner_text()
        page.screenshot(path=str(screenshots / f"10_hub_{name}_q1_not_yet.png"))

        lab_ui.replace_cell_source(page, index, RIGHT)
        lab_ui.run_cell(page, server, LESSON, index)
        assert outputs.locator(".course-verdict.course-correct").count() == 1, outputs.all_inner_texts()
        page.screenshot(path=str(screenshots / f"11_hub_{name}_q1_correct.png"))
    except Exception:
        page.screenshot(path=str(screenshots / f"FAILED_hub_{name}.png"))
        raise
    finally:
        context.close()


def summary(hub: HubServer) -> dict:
    token = (hub.classroom_dir / "instructor.token").read_text().strip()
    request = urllib.request.Request(hub.dashboard_url + "api/summary", headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_two_learners_answers_reach_the_instructors_dashboard(browser, hub, screenshots):
    for name in LEARNERS:
        answer_q1_wrong_then_right(browser, hub, name, screenshots)

    # Every check was sent in the background, under the hub's name for the learner, and stored.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and summary(hub)["verdicts"] < 4:
        time.sleep(0.5)
    stored = summary(hub)
    assert stored["verdicts"] == 4, f"{stored}\n{hub.log_tail()}"
    assert [p["learner"] for p in stored["progress"]] == LEARNERS
    q1 = next(row for row in stored["exercises"] if row["key"] == "01.q1")
    assert (q1["attempted"], q1["right"], q1["stuck"]) == (2, 2, 0)
    top = stored["misconceptions"][0]
    assert (top["key"], top["message"], top["learners"], top["times"]) == ("01.q1", MISCONCEPTION, 2, 2)

    context, page = login(browser, hub, INSTRUCTOR, "/services/classroom/")
    try:
        page.wait_for_url(re.compile(r"/services/classroom/$"), timeout=60_000)   # hub OAuth, then the dashboard
        row = page.locator("#misconceptions tr.misconception").filter(has_text=MISCONCEPTION)
        row.wait_for(state="visible", timeout=30_000)
        assert row.locator("td.learners").inner_text().strip() == "2"
        assert row.locator("td.times").inner_text().strip() == "2"
        learners = page.locator("#learners tr.learner td.learner").all_inner_texts()
        assert sorted(learners) == LEARNERS
        bar = page.locator("#exercises .exercise[data-key='01.q1'] .counts")
        assert bar.inner_text().startswith("2 right, 0 stuck")
        page.screenshot(path=str(screenshots / "12_hub_instructor_dashboard.png"), full_page=True)
    except Exception:
        page.screenshot(path=str(screenshots / "FAILED_hub_dashboard.png"), full_page=True)
        raise AssertionError(f"dashboard at {page.url}: {page.inner_text('body')[:500]}\n{hub.log_tail(40)}")
    finally:
        context.close()


def test_a_learner_cannot_open_the_dashboard(browser, hub, screenshots):
    context, page = login(browser, hub, LEARNERS[0], "/hub/home")
    try:
        page.wait_for_url(re.compile(r"/hub/home"), timeout=60_000)
        response = page.goto(hub.dashboard_url)   # through the hub's OAuth, which knows who this is
        assert response.status == 403, (response.url, response.status)
        assert page.locator("#misconceptions").count() == 0
        page.screenshot(path=str(screenshots / "13_hub_learner_refused_dashboard.png"))
    finally:
        context.close()
