"""Packaging promises: one dependency list, environment.yml agrees with it, helpers stays light."""
import os
import platform
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
    for name, extra in project.get("optional-dependencies", {}).items():
        if name not in ("jax", "torch"):   # other Keras backends: `make test-backends` only, not Binder's image
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


# -- Colab: installing the course keeps the TensorFlow already there; `make` still gets the CPU build -------------
def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _machine(machine: str, python: str = "3.12") -> dict:
    from packaging.markers import default_environment

    return {**default_environment(), "platform_machine": machine, "sys_platform": "linux",
            "platform_system": "Linux", "os_name": "posix", "python_version": python, "extra": ""}


def _wanted(extras: list[str], environment: dict) -> dict[str, "Requirement"]:
    """Requirement name -> requirement, for the base list plus ``extras``, on ``environment``."""
    from packaging.requirements import Requirement

    project = _project()
    texts = list(project["dependencies"])
    for extra in extras:
        texts += project["optional-dependencies"][extra]
    found = {}
    for text in texts:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            found[requirement.name.lower()] = requirement
    return found


def _is_tensorflow(name: str) -> bool:
    return re.sub(r"[-_.]+", "-", name.lower()).startswith("tensorflow")


COLAB = {"tensorflow": "2.21.1", "keras": "3.15.1"}   # Colab-like: the GPU build is the `tensorflow` distribution


def test_installing_the_course_where_tensorflow_is_keeps_it():
    base = _wanted([], _machine("x86_64"))
    assert not [name for name in base if _is_tensorflow(name)], "the base list must not name any TensorFlow"
    for name, version in COLAB.items():
        if name in base:
            assert base[name].specifier.contains(version), f"{base[name]} would replace Colab's {name} {version}"
    # Nothing the base list pulls in asks for a TensorFlow either (read from the installed packages' metadata).
    from importlib.metadata import PackageNotFoundError, requires
    from packaging.requirements import Requirement

    here, seen, missing, todo = _machine(platform.machine(), platform.python_version()), set(), [], list(base)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        assert not _is_tensorflow(name), f"{name} is pulled in by the base dependencies"
        try:
            listed = requires(name) or []
        except PackageNotFoundError:
            missing.append(name)
            continue
        for text in listed:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate(here):
                todo.append(requirement.name.lower())
    assert not missing, f"not installed here, so not checked: {missing}"


def test_make_install_and_ci_get_the_cpu_build_of_tensorflow():
    makefile = (ROOT / "Makefile").read_text()
    extras = re.search(r"pip install --quiet -e '\.\[([a-z,]+)\]'", makefile).group(1).split(",")
    x86 = _wanted(extras, _machine("x86_64", "3.11"))
    assert str(x86["tensorflow-cpu"].specifier) == "==2.21.0" and "tensorflow" not in x86
    arm = _wanted(extras, _machine("aarch64", "3.11"))
    assert str(arm["tensorflow"].specifier) == "==2.21.0" and "tensorflow-cpu" not in arm
    assert "tensorflow-cpu==2.21.0" in _pip_section((ROOT / "environment.yml").read_text())


def test_the_environment_check_says_how_to_install_a_missing_tensorflow():
    code = ("import sys; sys.modules['tensorflow'] = None; from helpers.environment import check_environment; "
            "print(repr(check_environment()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    line = next(row for row in out.splitlines() if " tensorflow " in row)
    assert line.startswith("FIX") and "pip install -e '.[cpu]'" in line


# -- Binder / repo2docker: the start script ----------------------------------------------------------------------
def test_repo2docker_start_script_quiets_tensorflow_and_execs_its_arguments():
    start = ROOT / "start"
    assert os.access(start, os.X_OK), "repo2docker runs `start` only when it is executable"
    env = {"PATH": os.environ["PATH"], "TF_CPP_MIN_LOG_LEVEL": "0"}
    printed = subprocess.run([str(start), "env"], capture_output=True, text=True, check=True, env=env).stdout
    variables = dict(line.split("=", 1) for line in printed.splitlines() if "=" in line)
    assert variables["TF_CPP_MIN_LOG_LEVEL"] == "3" and variables["TF_ENABLE_ONEDNN_OPTS"] == "0"
    # exec: the command replaces the script, so its parent is this test's process, and its exit code is kept.
    parent = subprocess.run([str(start), "sh", "-c", "echo $PPID; exit 7"], capture_output=True, text=True, env=env)
    assert parent.returncode == 7 and int(parent.stdout) == os.getpid()
