"""Hand out each student's release folder into their home; collect their notebooks for grading.

``PATTERN`` names a student's course folder with ``{id}``, e.g. ``/home/jupyter-{id}/course``
(The Littlest JupyterHub's homes). The folder holding ``{id}`` (``/home/jupyter-alice``) is the
student's home: it must exist (the hub makes it at their first login); new files get its owner.

Neither command follows a symbolic link inside a home (a student could point one at a file of
root's), and hand-out never replaces a file a student already has: a changed file is kept.

>>> student_ids("/home/jupyter-{id}/course", ["/home/jupyter-ada/course", "/home/other/course"])
['ada']
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..release import KEYS_FOLDER

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
_SAFE_ID = re.compile(r"^[A-Za-z0-9@+_.-]+$")


class HandOutError(ValueError):
    """Bad arguments (the message says what to fix)."""


def check_pattern(pattern: str) -> None:
    if pattern.count("{id}") != 1 or re.search(r"\{(?!id\})", pattern):
        raise HandOutError(f"--homes must contain {{id}} exactly once and no other braces: {pattern!r}")
    if not os.path.isabs(pattern):
        raise HandOutError(f"--homes must be an absolute path: {pattern!r}")


def home_of(pattern: str, student: str) -> tuple[Path, Path]:
    """``(home, course)`` for ``student``: the folder whose name holds ``{id}``, and the whole pattern."""
    if not _SAFE_ID.match(student) or student in (".", ".."):
        raise HandOutError(f"unsafe student id {student!r}")
    parts = Path(pattern).parts
    depth = next(i for i, part in enumerate(parts) if "{id}" in part)
    home = Path(*parts[: depth + 1]).as_posix().replace("{id}", student)
    return Path(home), Path(pattern.replace("{id}", student))


def student_ids(pattern: str, paths: list[str] | None = None) -> list[str]:
    """The ids whose home exists, read back from the pattern (``paths``: what to match, for tests)."""
    check_pattern(pattern)
    parts = Path(pattern).parts
    depth = next(i for i, part in enumerate(parts) if "{id}" in part)
    home_pattern = Path(*parts[: depth + 1]).as_posix()
    before, after = home_pattern.split("{id}")
    if paths is None:
        paths = glob.glob(glob.escape(before) + "*" + glob.escape(after))
    else:
        paths = [Path(*Path(p).parts[: depth + 1]).as_posix() for p in paths]
    regex = re.compile(re.escape(before) + r"(?P<id>[A-Za-z0-9@+_.-]+)" + re.escape(after) + "$")
    found = {m["id"] for p in paths if (m := regex.match(p)) and m["id"] not in (".", "..")}
    return sorted(found)


def _no_links_between(home: Path, target: Path) -> bool:
    """True when no folder from ``home`` down to ``target`` (included) is a symbolic link."""
    path = home
    if path.is_symlink():
        return False
    for part in target.relative_to(home).parts:
        path = path / part
        if path.is_symlink():
            return False
    return True


def _make_dirs(home: Path, folder: Path, owner: tuple[int, int] | None) -> None:
    path = home
    for part in folder.relative_to(home).parts:
        path = path / part
        if not path.exists():
            path.mkdir()
            if owner:
                os.chown(path, *owner)


@dataclass
class HandOutReport:
    copied: dict[str, list[str]] = field(default_factory=dict)     # student -> files written
    kept: dict[str, list[str]] = field(default_factory=dict)       # student -> files they changed (left alone)
    unchanged: dict[str, int] = field(default_factory=dict)        # student -> files already identical
    no_home: list[str] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=dict)    # student -> paths behind a symbolic link

    def lines(self) -> list[str]:
        out = []
        for student in sorted(set(self.copied) | set(self.kept) | set(self.unchanged) | set(self.refused)):
            words = [f"{len(self.copied.get(student, []))} copied", f"{self.unchanged.get(student, 0)} already there"]
            if self.kept.get(student):
                words.append(f"kept the student's own {', '.join(self.kept[student])}")
            if self.refused.get(student):
                words.append(f"REFUSED (symbolic link) {', '.join(self.refused[student])}")
            out.append(f"{student}: {'; '.join(words)}")
        out += [f"{student}: no home yet (log in once, then run hand-out again)" for student in self.no_home]
        return out


def hand_out(release: str | Path, pattern: str) -> HandOutReport:
    """Copy ``release/<id>/...`` into each student's course folder; never overwrite."""
    check_pattern(pattern)
    release = Path(release)
    if not release.is_dir():
        raise HandOutError(f"no release folder {release}")
    report = HandOutReport()
    students = sorted(p.name for p in release.iterdir() if p.is_dir() and p.name != KEYS_FOLDER)
    if not students:
        raise HandOutError(f"{release} has no student folders (make them with python -m helpers.release)")
    for student in students:
        home, course = home_of(pattern, student)
        if not home.is_dir() or home.is_symlink():
            report.no_home.append(student)
            continue
        info = home.stat()
        owner = (info.st_uid, info.st_gid) if os.geteuid() == 0 else None
        for source in sorted((release / student).rglob("*")):
            if not source.is_file() or source.is_symlink() or ".ipynb_checkpoints" in source.parts:
                continue
            relative = source.relative_to(release / student)
            target = course / relative
            if not _no_links_between(home, target):
                report.refused.setdefault(student, []).append(str(relative))
                continue
            if target.exists():
                if target.read_bytes() == source.read_bytes():
                    report.unchanged[student] = report.unchanged.get(student, 0) + 1
                else:
                    report.kept.setdefault(student, []).append(str(relative))
                continue
            _make_dirs(home, target.parent, owner)
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(source.read_bytes())
            if owner:
                os.chown(target, *owner)
            report.copied.setdefault(student, []).append(str(relative))
    return report


@dataclass
class CollectReport:
    handed_in: dict[str, list[str]] = field(default_factory=dict)   # student -> lessons collected
    missing: dict[str, list[str]] = field(default_factory=dict)     # student -> lessons not found
    nothing: list[str] = field(default_factory=list)                # students who handed in nothing
    refused: dict[str, list[str]] = field(default_factory=dict)     # student -> files not read (link, size)

    def lines(self) -> list[str]:
        out = []
        for student in sorted(self.handed_in):
            line = f"{student}: {', '.join(self.handed_in[student])}"
            if self.missing.get(student):
                line += f" (missing {', '.join(self.missing[student])})"
            out.append(line)
        out += [f"{student}: NOTHING handed in" for student in self.nothing]
        out += [f"{student}: not read: {', '.join(files)}" for student, files in sorted(self.refused.items())]
        out.append(f"{len(self.handed_in)} handed in, {len(self.nothing)} handed in nothing"
                   + (f": {', '.join(self.nothing)}" if self.nothing else ""))
        return out


def _lesson_notebook(course: Path, lesson: str) -> Path | None:
    """The student's notebook of ``lesson``: the course's own file name if there, else the newest match."""
    canonical = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "notebooks").glob(f"{lesson}_*.ipynb"))
    for name in canonical:
        if (course / name).is_file() or (course / name).is_symlink():
            return course / name
    matches = [p for p in course.glob(f"{lesson}_*.ipynb") if p.is_file() or p.is_symlink()]
    return max(matches, key=lambda p: p.lstat().st_mtime) if matches else None


def collect(pattern: str, lessons: list[str], out: str | Path, students: list[str] | None = None) -> CollectReport:
    """Copy each student's notebooks of ``lessons`` into ``out/<id>/``; ``students`` defaults to every home."""
    check_pattern(pattern)
    lessons = [str(lesson).zfill(2) for lesson in lessons]
    if not lessons or not all(re.fullmatch(r"\d\d", lesson) for lesson in lessons):
        raise HandOutError("--lessons takes lesson numbers such as 01 02")
    out = Path(out)
    report = CollectReport()
    for student in students if students is not None else student_ids(pattern):
        home, course = home_of(pattern, student)
        got = []
        for lesson in lessons:
            found = _lesson_notebook(course, lesson) if course.is_dir() and _no_links_between(home, course) else None
            if found is None:
                report.missing.setdefault(student, []).append(lesson)
                continue
            info = os.lstat(found)
            if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode) or info.st_size > MAX_NOTEBOOK_BYTES:
                report.refused.setdefault(student, []).append(found.name)
                report.missing.setdefault(student, []).append(lesson)
                continue
            target = out / student / found.name
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(found, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(descriptor, "rb") as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)
            got.append(lesson)
        if got:
            report.handed_in[student] = got
        else:
            report.nothing.append(student)
            report.missing.pop(student, None)
    return report
