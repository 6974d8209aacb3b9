"""``python -m helpers.classroom serve | hand-out | collect | new-token``: see INSTRUCTORS.md, "Live classroom"."""
from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.classroom", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="the classroom service: verdicts in, the dashboard out")
    serve.add_argument("--db", required=True, type=Path, help="SQLite file for the verdicts (made if missing)")
    serve.add_argument("--port", required=True, type=int)
    serve.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--instructor-token-file", type=Path,
                       help="file holding the instructor's token (optional on a JupyterHub, which uses OAuth)")
    serve.add_argument("--class-token-file", type=Path,
                       help="file holding the class token learners post with (standalone workshops)")
    serve.add_argument("--verdicts-per-minute", type=float, default=None, metavar="N",
                       help="most verdicts a learner may send a minute (default 120; 0 turns the limit off)")

    hand = commands.add_parser("hand-out", help="copy each student's release folder into their home")
    hand.add_argument("--release", required=True, type=Path, help="the folder python -m helpers.release wrote")
    hand.add_argument("--homes", required=True, help="each student's course folder, e.g. '/home/jupyter-{id}/course'")

    gather = commands.add_parser("collect", help="gather the students' notebooks into OUT/<id>/ for helpers.grade")
    gather.add_argument("--homes", required=True, help="each student's course folder, e.g. '/home/jupyter-{id}/course'")
    gather.add_argument("--lessons", required=True, nargs="+", help="lesson numbers, e.g. 01 02")
    gather.add_argument("--out", required=True, type=Path)
    who = gather.add_mutually_exclusive_group()
    who.add_argument("--roster", type=Path, help="roster CSV (ids in its first column): who should hand in")
    who.add_argument("--ids", nargs="+", help="who should hand in (default: everyone with a home)")

    token = commands.add_parser("new-token", help="write a fresh random token to FILE (readable by you only)")
    token.add_argument("file", type=Path)

    args = parser.parse_args(argv)
    if args.command == "serve":
        from .service import serve as run

        if not 0 < args.port < 65536:
            parser.error("--port must be 1-65535")
        from .service import VERDICTS_PER_MINUTE

        per_minute = VERDICTS_PER_MINUTE if args.verdicts_per_minute is None else args.verdicts_per_minute
        if not 0 <= per_minute < float("inf"):
            parser.error("--verdicts-per-minute must be 0 (no limit) or a positive number")
        run(args.db, args.port, args.instructor_token_file, args.class_token_file, ip=args.ip, per_minute=per_minute)
        return 0
    if args.command == "new-token":
        if args.file.exists():
            parser.error(f"{args.file} exists; remove it first to make a new token")
        descriptor = os.open(args.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
        print(f"wrote a new token to {args.file}")
        return 0

    from ..release import ReleaseError
    from .handout import HandOutError, collect, hand_out

    try:
        if args.command == "hand-out":
            report = hand_out(args.release, args.homes)
        else:
            students = args.ids
            if args.roster:
                from ..release import read_roster

                students = list(read_roster(args.roster).ids)
            report = collect(args.homes, args.lessons, args.out, students)
    except (HandOutError, ReleaseError) as error:
        parser.error(str(error))
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
