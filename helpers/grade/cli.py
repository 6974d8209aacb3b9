"""``python -m helpers.grade``: grade submitted notebooks (see ``--help``), or merge shards.

    python -m helpers.grade submissions/ --out grades --jobs 2
    python -m helpers.grade --gradescope --lesson 01
    python -m helpers.grade submissions/ --roster roster.csv --secret-file secret.txt --out grades --lms canvas
    python -m helpers.grade submissions/ --roster roster.csv --secret-file secret.txt --out grades_2 --shard 2/3
    python -m helpers.grade merge grades_1 grades_2 grades_3 --out grades

Imports point one way: ``__main__`` -> ``cli`` -> ``gradescope``, ``pipeline``, ``shards``;
``autograder`` -> ``cli``; nothing here imports ``autograder``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..exercises import lessons
from ..release import ReleaseError, read_roster, read_secret
from . import gradebook, gradescope, pipeline, sandbox, shards
from .execute import Limits, python_can_cap_memory
from .roster import MATCH_CHOICES, RosterGrading, check_match


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers.grade",
        description="Grade submitted notebooks, each in a fresh kernel; verdicts are decided outside the kernel.")
    p.add_argument("submissions", nargs="*", type=Path, help="notebooks, or folders to search for *.ipynb")
    p.add_argument("--out", type=Path, help="output folder: grades.csv and one folder per submission")
    p.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    p.add_argument("--timeout", type=float, default=Limits.cell_timeout,
                   help=f"seconds per cell before it is interrupted (default {Limits.cell_timeout:g})")
    p.add_argument("--total-timeout", type=float, default=Limits.total_timeout,
                   help=f"seconds per submission (default {Limits.total_timeout:g})")
    p.add_argument("--memory-mb", type=int, default=Limits.memory_mb,
                   help=f"kernel memory cap in MB, 0 for none (default {Limits.memory_mb}; Linux only)")
    p.add_argument("--sandbox", choices=sandbox.MODES, default="auto",
                   help="run each kernel in a bubblewrap sandbox: auto (when it works here; default), "
                        "on (refuse to grade without it), off")
    p.add_argument("--disk-mb", type=int, default=Limits.disk_mb,
                   help=f"MB of files a submission may write in its scratch folder (default {Limits.disk_mb})")
    p.add_argument("--lesson", help="grade as this lesson (NN); notebooks of another lesson get 'wrong lesson'")
    p.add_argument("--force", action="store_true", help="grade again files already in grades.csv")
    p.add_argument("--seed", type=int, help="fixed seed for function-exercise inputs (default: random per submission)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--gradescope", action="store_true",
                   help="grade the Gradescope submission folder and write its results.json")
    p.add_argument("--submission-dir", type=Path, default=gradescope.SUBMISSION_DIR, help="with --gradescope")
    p.add_argument("--results", type=Path, default=gradescope.RESULTS_PATH, help="with --gradescope")
    p.add_argument("--roster", type=Path,
                   help="graded release: CSV with an 'id' column; notebooks are read from SUBMISSIONS/<id>/")
    p.add_argument("--secret-file", type=Path, help="graded release: the secret the release was made with")
    p.add_argument("--student", help="graded release: grade only this roster id (with --gradescope: the "
                                     "submitter, else read from submission_metadata.json)")
    p.add_argument("--matched-by", default="", help=argparse.SUPPRESS)   # the autograder says how it found --student
    p.add_argument("--match", choices=MATCH_CHOICES, default="auto",
                   help="with --gradescope and a roster: find the submitter by their Gradescope sid (= the roster's "
                        "id), their email (= the roster's email column), or auto: sid, then email, then email = id")
    p.add_argument("--lms", choices=gradebook.LMS_CHOICES, action="append", default=[],
                   help="graded release: also write the gradebook as this LMS imports it (canvas.csv, moodle.csv); "
                        "may be given twice")
    p.add_argument("--shard", metavar="I/N",
                   help="grade only shard I of N (a stable hash of the student, or of the file without a roster); "
                        "join the shards' --out folders with: python -m helpers.grade merge")
    return p


def merge_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m helpers.grade merge",
                                description="Join shard folders (graded with --shard I/N) into one output folder.")
    p.add_argument("shards", nargs="+", type=Path, help="the shards' --out folders")
    p.add_argument("--out", type=Path, required=True, help="the merged folder (grades.csv, gradebook.csv, ...)")
    p.add_argument("--roster", type=Path, help="the roster, when it is not where the shards found it")
    p.add_argument("--lms", choices=gradebook.LMS_CHOICES, action="append", default=[],
                   help="also write the gradebook as this LMS imports it (default: what the shards were given)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return p


def merge_main(argv: list[str]) -> int:
    p = merge_parser()
    args = p.parse_args(argv)
    try:
        lms = list(args.lms)
        if not lms:
            manifests, _ = shards.check(args.shards)
            lms = sorted({name for m in manifests for name in m.get("lms", [])})
        summary = shards.merge(args.shards, args.out, roster_path=args.roster, lms=lms)
    except shards.ShardError as err:
        print(f"python -m helpers.grade merge: {err}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"merged {len(summary['shards'])} shard(s), {summary['rows']} row(s) into {args.out}: "
              f"{', '.join(summary['files'])}")
    return 0


def _roster_grading(p: argparse.ArgumentParser, args) -> RosterGrading | None:
    if not (args.roster or args.secret_file or args.student):
        return None
    if not (args.roster and args.secret_file):
        p.error("--roster and --secret-file go together (and --student needs both)")
    try:
        variants = RosterGrading(read_roster(args.roster), read_secret(args.secret_file))
    except ReleaseError as err:
        p.error(str(err))
    if args.student is not None and args.student not in variants.roster.rows:
        p.error(f"--student {args.student!r} is not an id on the roster {args.roster}")
    return variants


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["merge"]:
        return merge_main(argv[1:])
    p = parser()
    args = p.parse_args(argv)
    if args.lesson is not None:
        args.lesson = args.lesson.zfill(2)
        if args.lesson not in lessons():
            p.error(f"--lesson {args.lesson}: no such lesson with exercises (known: {', '.join(lessons())})")
    if args.jobs < 1 or args.timeout <= 0 or args.total_timeout <= 0 or args.memory_mb < 0 or args.disk_mb <= 0:
        p.error("--jobs, --timeout, --total-timeout and --disk-mb must be positive, --memory-mb not negative")
    limits = Limits(cell_timeout=args.timeout, total_timeout=args.total_timeout, memory_mb=args.memory_mb or None,
                    disk_mb=args.disk_mb)
    if limits.memory_mb and not python_can_cap_memory():
        print("warning: this system cannot cap a kernel's memory (no prlimit); grading without a cap",
              file=sys.stderr)
    variants = _roster_grading(p, args)
    if variants is not None and check_match(variants.roster, args.match):
        p.error(check_match(variants.roster, args.match))
    if args.lms and variants is None:
        p.error("--lms writes a row per roster student: it needs --roster and --secret-file")
    if args.shard and args.gradescope:
        p.error("--shard splits a folder of submissions; Gradescope grades one submission at a time")
    if args.gradescope:
        try:
            results = gradescope.run(args.submission_dir, args.results, lesson=args.lesson, limits=limits,
                                     seed=args.seed, variants=variants, student=args.student, sandbox=args.sandbox,
                                     hide=[args.roster, args.secret_file] if variants else [], match=args.match,
                                     matched_by=args.matched_by)
        except sandbox.SandboxUnavailable as err:
            p.error(str(err))
        if not args.quiet:
            print(f"{results['score']:g} points; wrote {args.results}")
        return 0
    if not args.submissions:
        p.error("no submissions given")
    if args.out is None:
        p.error("--out DIR is required")
    if not pipeline.collect(args.submissions):
        p.error("no .ipynb files found in the given folders")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        probe = args.out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as err:
        p.error(f"cannot write to --out {args.out}: {err.strerror or err}")
    log = (lambda line: None) if args.quiet else (lambda line: print(line, flush=True))
    found = pipeline.collect(args.submissions)
    folders = [path for path in args.submissions if path.is_dir()]
    paths, unknown = list(found), []
    if variants is not None:
        paths, unknown = variants.assign(folders, found)
        if args.student is not None:
            paths = [path for path in paths if variants.student_of(path) == args.student]
    names, manifest = None, None
    if args.shard:
        try:
            index, count = shards.parse_shard(args.shard)
        except shards.ShardError as err:
            p.error(str(err))
        keys = {str(path.resolve()): variants.student_of(path) if variants is not None else shards.file_key(path, folders)
                for path in paths}
        # names as one run over the whole listing gives them, so that merged shards equal one run
        names = dict(zip((str(path.resolve()) for path in paths), pipeline.submission_names(paths, variants)))
        listing = list(keys.values()) + unknown
        paths = [path for path in paths if shards.shard_of(keys[str(path.resolve())], count) == index]
        unknown = [line for line in unknown if shards.shard_of(line, count) == index]
        manifest = {"index": index, "count": count, "status": shards.RUNNING, "lms": sorted(set(args.lms)),
                    "assigned": sorted(str(path.resolve()) for path in paths), "not_graded": unknown,
                    "roster_path": str(args.roster.resolve()) if args.roster else None, "command": ["python", "-m",
                    "helpers.grade", *argv],
                    "settings": {"lesson": args.lesson, "roster": shards.file_digest(args.roster),
                                 "secret": variants.secret_digest() if variants is not None else None,
                                 "student": args.student, "seed": "random per submission" if args.seed is None
                                 else f"fixed {args.seed}", "grader": shards.grader_version(),
                                 "limits": [limits.cell_timeout, limits.total_timeout, limits.memory_mb, limits.disk_mb],
                                 "sandbox": args.sandbox, "listing": shards.listing_digest(listing)}}
        shards.write_manifest(args.out, manifest)
        log(f"shard {index}/{count}: {len(paths)} submission(s) of {len(keys)}")
    if variants is not None:
        (args.out / "not_graded.txt").write_text("".join(f"{line}\n" for line in unknown), encoding="utf-8")
        for line in unknown:
            print(f"not graded: {line}", file=sys.stderr)
    try:
        graded = pipeline.grade_batch(paths, args.out, jobs=args.jobs, limits=limits, lesson=args.lesson,
                                      force=args.force, seed=args.seed, log=log, variants=variants,
                                      sandbox=args.sandbox, hide=[args.roster, args.secret_file] if variants else [],
                                      names=names)
    except sandbox.SandboxUnavailable as err:
        p.error(str(err))
    if manifest is not None:
        shards.write_manifest(args.out, {**manifest, "status": shards.COMPLETE})
    elif variants is not None:
        for path in variants.write_gradebook(args.out, args.lesson, args.lms):
            if not args.quiet:
                print(f"{path.stem}: {path}")
        for line in gradebook.two_files_report(args.out, variants.roster, args.lesson):
            print(f"two files: {line}", file=sys.stderr)
    if not args.quiet:
        print(f"{len(graded)} submission(s) graded; see {args.out / 'grades.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
