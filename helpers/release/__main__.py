"""``python -m helpers.release``: write each student's graded release (see ``--help``).

    python -m helpers.release --roster roster.csv --secret-file secret.txt --out release --keys
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import ReleaseError, read_roster, read_secret, release


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers.release",
        description="Write each roster student's learner notebooks with their own numbers and no solutions.")
    p.add_argument("--roster", type=Path, required=True, help="CSV with a header and an 'id' column")
    p.add_argument("--secret-file", type=Path, required=True, help="file holding the instructor's secret")
    p.add_argument("--out", type=Path, required=True, help="output folder: OUT/<id>/NN_*.ipynb")
    p.add_argument("--lessons", nargs="+", metavar="NN", help="lessons to release (default: all with exercises)")
    p.add_argument("--keys", action="store_true", help="also write OUT/keys/<id>/NN_*.ipynb, filled answer keys")
    p.add_argument("--feedback", choices=["full", "format"], default="full",
                   help="what check() says: full feedback (default) or only whether the answer has the right form")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        roster = read_roster(args.roster)
        secret = read_secret(args.secret_file)
        written = release(roster, secret, args.out, args.lessons, keys=args.keys, feedback=args.feedback)
    except ReleaseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"error: cannot write to {args.out}: {err.strerror or err}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"wrote {len(written)} notebooks for {len(roster.ids)} students in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
