"""The sandbox is an allowlist, seen from the attacker's side (issue 19, part 3).

A course is cloned into /tmp (as CI's fresh clone may be) with its venv inside it as ``.venv``; the
instructor releases lesson 01 with ``--keys`` into the course folder and keeps the secret and the
roster there, as the README shows. Then, graded by that course's own Python:

* a student's blank notebook whose last cell walks every folder it can see, looking for its own
  key notebook (and runs it, which scored 9/9 before), for the secret and for the roster, finds
  nothing and scores 0;
* a cell that lists every path it can see (to some depth) finds only the allowlist: the system's
  programs and libraries, the Python, the course's package, /dev, /proc and its own scratch folder.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import site
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import helpers

from .test_grade_sandbox import skip_without_bubblewrap

pytestmark = pytest.mark.slow   # a release and two sandboxed kernels with TensorFlow

SECRET = "allowlist-secret-3c9e0d"
ROSTER = "id,name,email\nalice,Alice A,alice@uni.edu\nbob,Bob B,bob@uni.edu\n"
LESSON = "01"

# The attacker's search: every file it can see whose name gives it away. Run as a cell (root "/") and,
# as a control, outside any sandbox on the course folder (where it must find the key).
FINDER = '''
import json, os
def search(top):
    found = []
    for root, dirs, files in os.walk(top):
        if root in ("/proc", "/sys"):
            dirs[:] = []
            continue
        for name in files:
            path = os.path.join(root, name)
            if (name.endswith(".ipynb") and "/keys/" in path) or name in ("roster.csv", "course-secret.txt") \\
                    or (name.startswith("01_") and "alice" in path and name.endswith(".ipynb")):
                found.append(path)
            elif name.endswith((".txt", ".csv")) and os.path.getsize(path) < 4096 and not path.startswith("/usr"):
                try:
                    if SECRET in open(path, errors="replace").read():
                        found.append(path)
                except OSError:
                    pass
    return found
'''

ATTACK = FINDER + '''
found = search("/")
for path in found:
    if path.endswith(".ipynb"):
        for cell in json.load(open(path))["cells"]:
            if cell["cell_type"] == "code":
                try:
                    exec("".join(cell["source"]), globals())
                except Exception:
                    pass
assert not found, found
'''

LISTER = '''
import json, os
seen = []
for root, dirs, files in os.walk("/"):
    if root == "/proc" or root.count("/") >= DEPTH:
        dirs[:] = []
    seen.append(root)
    seen += [os.path.join(root, name) for name in files + dirs]
json.dump(seen, open("listing.json", "w"))
'''
DEPTH = 7

# Run by the clone's own Python: the grader's confinement around one kernel, the listing read back
# from its scratch folder, and what the grader's Python is made of (to build the expected allowlist).
LIST_SCRIPT = '''
import json, pathlib, site, sys, tempfile
from helpers.grade import execute, sandbox
box, note = sandbox.choose("on")
with tempfile.TemporaryDirectory(prefix="course-grade-", dir=box.scratch_folder()) as scratch:
    work = pathlib.Path(scratch) / "work"
    work.mkdir()
    with execute.Kernel(work, execute.Limits(cell_timeout=600, total_timeout=900), sandbox=box,
                        scratch=scratch) as kernel:
        run = kernel.run(sys.argv[1], timeout=600)
    listing = json.loads((work / "listing.json").read_text()) if run.status == "ok" else []
warm = type(kernel.km.provisioner).__name__ == "WarmSandboxProvisioner"
print(json.dumps({"status": run.status, "error": run.error, "scratch": scratch, "listing": listing, "warm": warm,
                  "prefixes": [sys.prefix, sys.base_prefix],
                  "site": site.getsitepackages() + [p for p in sys.path if p.endswith("site-packages")]}))
'''


def python_of(venv: Path) -> Path:
    return venv / "bin" / "python"


@pytest.fixture(params=["cold", "warm"])
def mode(request, cloned_course):
    """Cold sandboxed kernels (``COURSE_WARM_SANDBOX=0``), and kernels forked from the warm process
    inside the sandbox (the default)."""
    env = {name: value for name, value in cloned_course["env"].items() if name != "COURSE_WARM_SANDBOX"}
    if request.param == "cold":
        env["COURSE_WARM_SANDBOX"] = "0"
    return {**cloned_course, "env": env, "mode": request.param}


@pytest.fixture(scope="module")
def cloned_course():
    """A course in /tmp with ``.venv`` inside it, released with --keys into itself."""
    skip_without_bubblewrap()
    project = Path(tempfile.mkdtemp(prefix="course-clone-", dir="/tmp"))
    project.chmod(0o755)   # as a git clone is
    real = Path(helpers.__file__).resolve().parents[1]
    try:
        shutil.copytree(real / "helpers", project / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
        (project / "solutions").mkdir()
        for path in (real / "solutions").glob(f"{LESSON}_*.ipynb"):
            shutil.copy(path, project / "solutions" / path.name)
        for folder in (".git", "tests"):
            (project / folder).mkdir()
            (project / folder / "marker.txt").write_text(SECRET)
        venv = project / ".venv"
        base = os.path.realpath(sys.executable)
        subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
        # the clone's venv gets the course's dependencies from this machine's environment
        packages = next(venv.glob("lib/python*/site-packages"))
        (packages / "course-deps.pth").write_text(os.path.realpath(site.getsitepackages()[0]) + "\n")
        (project / "course-secret.txt").write_text(SECRET + "\n")
        (project / "roster.csv").write_text(ROSTER)
        env = {**os.environ, "PYTHONPATH": str(project)}
        subprocess.run([str(python_of(venv)), "-m", "helpers.release", "--roster", "roster.csv", "--secret-file",
                        "course-secret.txt", "--out", "release", "--lessons", LESSON, "--keys"],
                       cwd=project, env=env, check=True, timeout=300, capture_output=True)
        yield {"project": project, "venv": venv, "env": env}
    finally:
        shutil.rmtree(project, ignore_errors=True)


def test_a_submission_searching_every_folder_finds_no_key_secret_or_roster(mode, tmp_path):
    cloned_course = mode
    project, env = cloned_course["project"], cloned_course["env"]
    keys = sorted((project / "release" / "keys" / "alice").glob(f"{LESSON}_*.ipynb"))
    assert keys, "the release wrote alice's key into the course folder"
    control: dict = {"SECRET": SECRET}
    exec(FINDER, control)
    found_outside = control["search"](str(project))
    assert str(keys[0]) in found_outside and str(project / "course-secret.txt") in found_outside, found_outside

    learner = json.loads(next((project / "release" / "alice").glob(f"{LESSON}_*.ipynb")).read_text())
    learner["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                             "source": f"SECRET = {SECRET!r}\n" + ATTACK})
    subs = tmp_path / "submissions" / "alice"
    subs.mkdir(parents=True)
    (subs / keys[0].name).write_text(json.dumps(learner))
    out = project / f"grades-{mode['mode']}"   # the output folder in the course folder too
    run = subprocess.run([str(python_of(cloned_course["venv"])), "-m", "helpers.grade", str(subs.parent),
                          "--roster", "roster.csv", "--secret-file", "course-secret.txt", "--out", str(out),
                          "--sandbox", "on", "--timeout", "600", "--total-timeout", "900"],
                         cwd=project, env=env, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-2000:]
    with open(out / "grades.csv", newline="") as handle:
        alice = next(row for row in csv.DictReader(handle) if row["student"] == "alice")
    assert float(alice["score"]) == 0 and float(alice["max_score"]) == 9, alice


def is_allowed(path: str, allowed: list[str]) -> bool:
    """Inside an allowed path, or one of the folders leading to one."""
    return any(path == a or path.startswith(a.rstrip("/") + "/") or a.startswith(path.rstrip("/") + "/")
               for a in allowed)


def test_a_submission_listing_what_it_sees_finds_only_the_allowlist(mode):
    cloned_course = mode
    project, env = cloned_course["project"], cloned_course["env"]
    run = subprocess.run([str(python_of(cloned_course["venv"])), "-c", LIST_SCRIPT,
                          LISTER.replace("DEPTH", str(DEPTH))],
                         cwd=project, env=env, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["status"] == "ok", result["error"]
    assert result["warm"] is (mode["mode"] == "warm")
    listing = result["listing"]
    # written here, not taken from the sandbox's code: what a kernel needs and nothing else
    allowed = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/ld.so.cache",
               "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/fonts", "/dev", "/proc", result["scratch"],
               str(project / "helpers"), str(project / ".venv"), *result["prefixes"], *result["site"]]
    if mode["mode"] == "warm":   # the empty folder where a fork parked its scratch folder (warmbox.STAGE)
        assert not any(p.startswith("/.stage/") for p in listing)
        listing = [p for p in listing if p != "/.stage"]
    outside = [path for path in listing if not is_allowed(path, allowed)]
    assert outside == [], outside[:50]
    assert len(listing) > 1000 and str(project / "helpers" / "__init__.py") in listing   # it did look
    for never in ("release", "solutions", ".git", "tests", "course-secret.txt", "roster.csv", "grades-cold"):
        assert not any(p == str(project / never) or p.startswith(f"{project / never}/") for p in listing), never
    visible_tops = sorted({"/" + p.split("/")[1] for p in listing if p.count("/") >= 1 and p != "/"})
    assert not {"/home", "/root", "/var", "/opt", "/run", "/srv", "/mnt", "/media", "/work"} & (
        set(visible_tops) - {"/" + Path(a).parts[1] for a in result["prefixes"] + result["site"]}), visible_tops
