"""Packaging promises: one dependency list, environment.yml agrees with it, helpers stays light."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pip_section(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*- pip:\s*$", line))
    items = []
    for line in lines[start + 1:]:
        match = re.match(r"\s+- (.+)$", line)
        if not match:
            break
        items.append(match.group(1).split(" #")[0].strip())
    return items


def test_environment_yml_installs_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        wanted += extra
    conda = _pip_section((ROOT / "environment.yml").read_text())
    assert "-e ." in conda, "environment.yml must install the helpers package itself"
    x86 = {_name(r): r.split(";")[0].replace(" ", "") for r in wanted
           if ";" not in r or "x86_64" in r.split(";")[1] and "!=" not in r.split(";")[1]}
    env = {_name(r): r.replace(" ", "") for r in conda if r != "-e ."}
    assert env == x86


def test_import_helpers_does_not_import_tensorflow():
    code = ("import sys, helpers, helpers.exercises, helpers.build, helpers.environment; "
            "from helpers.exercises import catalog; catalog(); "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "False"]


def test_check_environment_reports_ready_here():
    from helpers.environment import check_environment

    report = check_environment()
    assert report.ok, repr(report)
    assert "keras" in repr(report) and "Ready for the course." in repr(report)
