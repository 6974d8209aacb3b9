"""Grading a large class in shards, one per machine or job, and merging them.

``python -m helpers.grade SUBS --out OUT_2 --shard 2/3`` grades only its share of the submissions:
a submission belongs to shard ``1 + (SHA-256 of its key) mod N``, its key being the student's
roster id (so a student's notebooks stay together) or, without a roster, its path inside the
submissions folder. The split does not depend on the order of the listing, the machine or
the run. Each shard folder gets ``shard.json``: the shard, the settings it was graded with, the
files it was given, and ``complete`` once they are all graded. A shard that died is re-run with
the same command: files already in its grades.csv are kept.

``python -m helpers.grade merge OUT_1 OUT_2 OUT_3 --out OUT`` checks that every shard is there,
complete, and graded with the same settings (lessons, roster, secret, seed policy, limits,
sandbox, grader version, the listing of submissions), then writes ``OUT/grades.csv``, the
per-submission folders, ``not_graded.txt`` and, with a roster, ``gradebook.csv`` and the LMS
files. Merging again gives the same files.

>>> shard_of("alice", 3), shard_of("alice", 3) == shard_of("alice", 3)
(3, True)
>>> parse_shard("2/3")
(2, 3)
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import shutil
from pathlib import Path

from . import gradebook
from .report import FIXED_BACK, FIXED_FRONT, STUDENT, exercise_columns

MANIFEST = "shard.json"
MERGED = "merged.json"
RUNNING, COMPLETE = "running", "complete"


class ShardError(ValueError):
    """Shards that cannot be merged, or a bad ``--shard``; the message says what to do."""


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/N"`` (1 <= I <= N) as ``(I, N)``; raises :class:`ShardError` otherwise."""
    try:
        index, count = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise ShardError(f"--shard {text!r}: write it I/N, e.g. 2/3 (shard 2 of 3)") from None
    if not 1 <= index <= count:
        raise ShardError(f"--shard {text!r}: I must be between 1 and N (shards are numbered 1 to {max(count, 1)})")
    return index, count


def shard_of(key: str, count: int) -> int:
    """The shard (1..count) of a submission key: a stable hash, the same on every machine and run."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return 1 + int.from_bytes(digest[:8], "big") % count


def file_key(path: Path, folders: list[Path]) -> str:
    """A file's key without a roster: its path inside the submissions folder that holds it."""
    resolved = Path(path).resolve()
    for folder in folders:
        try:
            return resolved.relative_to(Path(folder).resolve()).as_posix()
        except ValueError:
            continue
    return Path(path).name


def listing_digest(keys) -> str:
    """A digest of the whole listing of submissions (every shard must have seen the same one)."""
    return hashlib.sha256("\n".join(sorted(keys)).encode("utf-8")).hexdigest()[:16]


def grader_version() -> str:
    """The package version and a digest of the course's Python source (a changed check changes it)."""
    import helpers

    root = Path(helpers.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{helpers.__version__}+{digest.hexdigest()[:12]}"


def file_digest(path: Path | None) -> str | None:
    return None if path is None else hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def secret_digest(secret: bytes | None) -> str | None:
    """Tells two secrets apart without revealing either (a keyed digest)."""
    return None if secret is None else hmac.new(secret, b"helpers.grade shard settings", "sha256").hexdigest()[:16]


# -- the shard's manifest --------------------------------------------------------------------------------------
def write_manifest(out_dir: Path, manifest: dict) -> None:
    gradebook.write_atomically(Path(out_dir) / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def read_manifest(out_dir: Path) -> dict:
    path = Path(out_dir) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ShardError(f"{out_dir}: not a shard's folder (no {MANIFEST}); was it graded with --shard I/N?") from None
    except (OSError, ValueError) as err:
        raise ShardError(f"{path}: unreadable ({err}); re-run that shard") from None
    if not isinstance(manifest, dict) or not {"index", "count", "settings", "assigned", "status"} <= set(manifest):
        raise ShardError(f"{path}: not a shard manifest this grader wrote; re-run that shard")
    return manifest


# -- merging ---------------------------------------------------------------------------------------------------
def _read_table(path: Path) -> tuple[list[str], list[dict]]:
    if not path.exists():
        return [], []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def check(folders: list[Path]) -> tuple[list[dict], list[str]]:
    """The shards' manifests, and every problem that stops a merge (missing, incomplete, mismatched)."""
    manifests, problems = [], []
    for folder in folders:
        try:
            manifest = read_manifest(folder)
        except ShardError as err:
            problems.append(str(err))
            continue
        manifest["folder"] = str(folder)
        manifests.append(manifest)
    if not manifests:
        return manifests, problems or ["no shard folders given"]
    first = manifests[0]
    for manifest in manifests[1:]:
        if manifest["count"] != first["count"]:
            problems.append(f"{manifest['folder']} is shard {manifest['index']}/{manifest['count']} but "
                            f"{first['folder']} is shard {first['index']}/{first['count']}: merge shards of one split")
            continue
        for name in sorted(set(first["settings"]) | set(manifest["settings"])):
            if first["settings"].get(name) != manifest["settings"].get(name):
                problems.append(f"{manifest['folder']} was graded with other settings than {first['folder']}: "
                                f"{name} is {manifest['settings'].get(name)!r}, not {first['settings'].get(name)!r}; "
                                "re-grade it with the same options and course")
    seen: dict[int, str] = {}
    for manifest in manifests:
        index = manifest["index"]
        if index in seen and Path(seen[index]).resolve() != Path(manifest["folder"]).resolve():
            problems.append(f"shard {index}/{manifest['count']} is given twice: {seen[index]} and {manifest['folder']}")
        seen.setdefault(index, manifest["folder"])
    for index in range(1, first["count"] + 1):
        if index not in seen:
            problems.append(f"shard {index}/{first['count']} is missing: no folder given holds it "
                            f"(grade it with --shard {index}/{first['count']})")
    for manifest in manifests:
        _, rows = _read_table(Path(manifest["folder"]) / "grades.csv")
        graded = {row.get("file") for row in rows}
        left = [f for f in manifest["assigned"] if f not in graded]
        if manifest["status"] != COMPLETE or left:
            done = len(manifest["assigned"]) - len(left)
            command = " ".join(manifest.get("command") or []) or "its command"
            problems.append(f"shard {manifest['index']}/{manifest['count']} ({manifest['folder']}) is incomplete: "
                            f"{done} of {len(manifest['assigned'])} submissions graded; re-run {command}")
    return manifests, problems


def _link_or_copy(source: str, target: str) -> None:
    """A hard link where the filesystem allows (fast for thousands of folders), else a copy; an existing
    target is replaced, so merging again gives the same files."""
    try:
        if os.path.samefile(source, target):
            return
        os.unlink(target)
    except FileNotFoundError:
        pass
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def merge(folders: list[Path], out: Path, roster_path: Path | None = None, lms=()) -> dict:
    """Merge shard folders into ``out``; returns a summary. Raises :class:`ShardError` when it cannot."""
    out = Path(out)
    folders = [Path(f) for f in dict.fromkeys(folders)]
    if any(out.resolve() == f.resolve() for f in folders):
        raise ShardError(f"--out {out} is one of the shards: merge into a folder of its own")
    manifests, problems = check(folders)
    if problems:
        raise ShardError("cannot merge:\n" + "\n".join(f"- {p}" for p in problems))
    settings = manifests[0]["settings"]
    roster = None
    if settings.get("roster"):
        from ..release import ReleaseError, read_roster

        path = roster_path or Path(manifests[0].get("roster_path") or "")
        if not path or not Path(path).is_file():
            raise ShardError(f"the shards were graded with a roster; give it with --roster (not found: {path})")
        if file_digest(path) != settings["roster"]:
            raise ShardError(f"--roster {path} is not the roster the shards were graded with (its content differs)")
        try:
            roster = read_roster(path)
        except ReleaseError as err:
            raise ShardError(str(err)) from None
    elif lms:
        raise ShardError("--lms needs shards graded with a roster (--roster): an LMS file has a row per student")
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict] = {}
    keys: list[str] = []
    student_column = False
    unknown: set[str] = set()
    for manifest in sorted(manifests, key=lambda m: m["index"]):
        folder = Path(manifest["folder"])
        columns, table = _read_table(folder / "grades.csv")
        student_column = student_column or STUDENT in columns
        keys += [c for c in columns if c not in FIXED_FRONT + FIXED_BACK + [STUDENT]]
        for row in table:
            rows[row["file"]] = row
            source = folder / row["submission"]
            if row.get("submission") and source.is_dir():
                shutil.copytree(source, out / row["submission"], dirs_exist_ok=True, copy_function=_link_or_copy)
        unknown.update(manifest.get("not_graded", []))
    front = FIXED_FRONT[:1] + [STUDENT] + FIXED_FRONT[1:] if student_column else list(FIXED_FRONT)
    columns = front + exercise_columns(keys) + FIXED_BACK
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for file in sorted(rows, key=lambda f: (rows[f].get(STUDENT, ""), f)):
        writer.writerow(rows[file])
    gradebook.write_atomically(out / "grades.csv", buffer.getvalue())
    if roster is not None:
        gradebook.write_atomically(out / "not_graded.txt", "".join(f"{line}\n" for line in sorted(unknown)))
        written = gradebook.write(out, roster, settings.get("lesson"), lms)
    else:
        written = [out / "grades.csv"]
    summary = {"shards": [{"index": m["index"], "folder": m["folder"], "submissions": len(m["assigned"])}
                          for m in sorted(manifests, key=lambda m: m["index"])],
               "count": manifests[0]["count"], "settings": settings, "rows": len(rows),
               "files": [p.name for p in written]}
    gradebook.write_atomically(out / MERGED, json.dumps(summary, indent=1, sort_keys=True) + "\n")
    return summary
