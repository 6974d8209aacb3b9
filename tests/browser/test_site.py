"""The course website (`make site`), built fresh and opened page by page in headless Chromium.

The site is built into a temporary folder from the working tree and served from 127.0.0.1 by a
thread of this process (stopped at the end). Every page is opened; every internal link and image
must resolve; every lesson shows its title and a diagram with its alt text; hint and solution
toggles open on click; launch links are well-formed; axe-core finds no serious or critical
accessibility violation; no page is wider than a phone. Screenshots of the home page and lesson 02
(desktop and phone) go beside the other browser screenshots.
"""
from __future__ import annotations

import functools
import html
import json
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers import exercises
from helpers.site import build_site, lesson_notebooks, repository_setting, site_pages
from helpers.site.pages import SHOW_SOLUTION, launch_links, parse_repository

from .lab_server import ROOT

AXE = Path(os.environ.get("COURSE_AXE", ROOT / "build" / "npm" / "node_modules" / "axe-core" / "axe.min.js"))
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
ALT = re.compile(r'<img\b[^>]*\balt="([^"]+)"')


# Sphinx 9 warns about its own future API inside the theme and MyST: not this course's to fix.
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output for failures
        pass


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A browser that drops a connection it no longer needs is not an error of the site."""
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built site: its folder, the build's result, and the base URL it is served at."""
    out = tmp_path_factory.mktemp("site") / "site"
    result = build_site(out)
    assert result["warnings"] == [], "the site builds without warnings:\n" + "\n".join(result["warnings"])
    server = SiteServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"out": out, "result": result, "base": f"http://127.0.0.1:{server.server_address[1]}/"}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def tab(browser, site):
    """A desktop-sized tab that refuses (and records) every request leaving 127.0.0.1."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(30_000)
    outside: list[str] = []

    def guard(route):
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host == "127.0.0.1" or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.outside_requests = outside
    page.failed_responses = []
    page.on("response", lambda r: page.failed_responses.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        yield page
    finally:
        context.close()


def page_urls(site) -> list[str]:
    return [site["base"] + p.relative_to(site["out"]).as_posix() for p in site_pages(site["out"])]


def lesson_url(site, stem: str) -> str:
    return f"{site['base']}lessons/{stem}.html"


def test_build_reports_its_pages(site):
    result = site["result"]
    names = {p.relative_to(site["out"]).as_posix() for p in site_pages(site["out"])}
    lessons = {f"lessons/{p.stem}.html" for p in lesson_notebooks()}
    assert {"index.html", "setup.html", "instructors.html"} | lessons == names
    assert result["pages"] == len(names) and result["bytes"] > 0
    print(f"\nsite: {result['pages']} pages, {result['bytes'] / 1e6:.1f} MB, built in {result['seconds']} s")


def test_every_page_opens_and_every_internal_link_and_image_resolves(tab, site):
    broken, checked = [], set()
    for url in page_urls(site):
        tab.failed_responses.clear()
        response = tab.goto(url)
        assert response is not None and response.ok, url
        tab.wait_for_load_state("load")
        links = tab.eval_on_selector_all(
            "a[href], img[src], link[href], script[src]",
            "els => els.map(e => [e.tagName, e.href || e.src, e.getAttribute('href') || e.getAttribute('src')])")
        images = tab.eval_on_selector_all("img", "els => els.map(e => [e.src.slice(0, 60), e.complete && e.naturalWidth > 0])")
        broken += [f"{url}: image {src} did not load" for src, ok in images if not ok]
        broken += [f"{url}: {what}" for what in tab.failed_responses]
        for tag, target, raw in links:
            if not target.startswith(site["base"]):
                continue
            path, _, fragment = target.partition("#")
            key = (path, fragment)
            if key in checked:
                continue
            checked.add(key)
            try:
                with urllib.request.urlopen(path, timeout=10) as reply:
                    body = reply.read().decode("utf-8", "replace") if path.endswith(".html") else ""
            except urllib.error.HTTPError as err:
                broken.append(f"{url}: {tag} {raw} -> {err.code}")
                continue
            if fragment and path.endswith(".html") and not re.search(
                    rf'id="{re.escape(urllib.parse.unquote(fragment))}"', body):
                broken.append(f"{url}: {tag} {raw} -> no #{fragment} on that page")
    assert not broken, "\n".join(broken)
    assert len(checked) > 50, "the pages link to each other and to their images"
    assert not tab.outside_requests, f"the site asked the network for: {tab.outside_requests[:5]}"


@pytest.mark.parametrize("notebook", [p.name for p in lesson_notebooks()])
def test_lesson_page_has_its_title_and_diagrams_with_alt_text(tab, site, notebook):
    nb = json.loads((ROOT / "solutions" / notebook).read_text(encoding="utf-8"))
    title = "".join(nb["cells"][0]["source"]).lstrip()[2:].partition("\n")[0].strip()
    stored_alts = set()
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            markup = output.get("data", {}).get("text/html", "")
            stored_alts |= {html.unescape(a) for a in ALT.findall("".join(markup))}
    tab.goto(lesson_url(site, notebook[:-6]))
    assert tab.locator("h1").first.inner_text().replace("#", "").strip() == title
    shown_alts = set(tab.eval_on_selector_all(".cell_output img", "els => els.map(e => e.alt)"))
    assert stored_alts, f"{notebook} draws at least one diagram with alt text"
    assert stored_alts <= shown_alts, f"alt text lost on the site: {sorted(stored_alts - shown_alts)[:3]}"
    assert all(alt.strip() for alt in shown_alts), "every output image has alt text"


def test_hint_and_solution_toggles_open_on_click(tab, site):
    tab.goto(lesson_url(site, "02_sequences_are_3d"))
    declared = exercises.exercises_for("02")
    hints = tab.locator("details.course-hint")
    solutions = tab.locator("details.hide", has_text=SHOW_SOLUTION)
    assert hints.count() == sum(len(e.hints) for e in declared)
    assert solutions.count() == len(declared)

    first_hint = hints.first
    body = first_hint.locator(".course-hint-body")
    assert first_hint.locator("summary").inner_text().strip() == f"Show hint 1 of {len(declared[0].hints)}"
    assert not body.is_visible()
    first_hint.locator("summary").click()
    assert body.is_visible() and body.inner_text().strip() == declared[0].hints[0].replace("`", "").strip()

    solution = solutions.first
    code = solution.locator(".cell_input")
    assert not code.is_visible(), "the answer is hidden until asked for"
    solution.locator("summary").click()
    assert code.is_visible() and "rnn_input_shape = (5, 1)" in code.inner_text()
    assert "Correct" in solution.inner_text(), "the check's verdict is inside the solution toggle"


def test_launch_links_are_well_formed_and_the_download_is_the_blank_notebook(tab, site):
    owner, name = parse_repository(repository_setting())
    for path in lesson_notebooks():
        tab.goto(lesson_url(site, path.stem))
        expected = launch_links(repository_setting(), path.name)
        bar = tab.locator("nav.course-launch")
        assert bar.count() == 1, path.name
        for kind, host in (("binder", "mybinder.org"), ("colab", "colab.research.google.com")):
            href = bar.locator(f"a.course-launch-{kind}").get_attribute("href")
            assert href == expected[kind]
            parts = urllib.parse.urlsplit(href)
            assert parts.scheme == "https" and parts.hostname == host
            assert f"/{owner}/{name}/" in parts.path and href.endswith(f"notebooks/{path.name}")
        download = urllib.parse.urljoin(tab.url, bar.locator("a.course-launch-download").get_attribute("href"))
        with urllib.request.urlopen(download, timeout=10) as reply:
            served = json.loads(reply.read())
        learner = json.loads((ROOT / "notebooks" / path.name).read_text(encoding="utf-8"))
        assert served == learner, f"{path.name}: the download is the learner notebook"
        assert not any(c.get("outputs") for c in served["cells"]) and "BEGIN SOLUTION" not in json.dumps(served)


def axe_violations(tab) -> list[dict]:
    tab.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")  # check hidden text too
    # the theme fades an opened toggle in (opacity 0 -> 1 over 0.5 s): judge colours once every fade is over,
    # or axe measures the half-transparent text (on a quiet machine it runs within the fade)
    tab.evaluate("() => Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))")
    tab.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = tab.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                                        first: v.nodes[0] && v.nodes[0].target.join(' ')}));
    }""")
    return result


def test_accessibility_axe_core_finds_no_serious_violation(tab, site):
    assert AXE.exists(), f"{AXE} is missing: `make test-browser` installs axe-core with npm (.ci/browser-setup.sh)"
    serious, summary = [], {}
    for url in page_urls(site):
        tab.goto(url)
        for violation in axe_violations(tab):
            summary[violation["id"]] = violation["impact"]
            if violation["impact"] in ("serious", "critical"):
                serious.append(f"{url}: {violation}")
    print(f"\naxe-core: {len(page_urls(site))} pages, other violations: {summary or 'none'}")
    assert not serious, "\n".join(serious)


def test_pages_fit_a_phone_and_screenshots(browser, site, screenshots):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        too_wide = []
        for url in page_urls(site):
            phone.goto(url)
            width = phone.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"] + 1:
                too_wide.append(f"{url}: {width} px")
        phone.goto(site["base"] + "index.html")
        phone.screenshot(path=str(screenshots / "site_home_phone.png"))
        phone.goto(lesson_url(site, "02_sequences_are_3d"))
        phone.screenshot(path=str(screenshots / "site_lesson02_phone.png"))
        assert not too_wide, "pages wider than a phone:\n" + "\n".join(too_wide)
    finally:
        context.close()
    context = browser.new_context(viewport=DESKTOP)
    try:
        desk = context.new_page()
        desk.goto(site["base"] + "index.html")
        desk.screenshot(path=str(screenshots / "site_home_desktop.png"))
        desk.goto(lesson_url(site, "02_sequences_are_3d"))
        desk.locator("details.course-hint summary").first.click()
        desk.screenshot(path=str(screenshots / "site_lesson02_desktop.png"))
    finally:
        context.close()
