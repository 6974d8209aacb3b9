"""Build the learner notebooks in ``notebooks/`` from the full ones in ``solutions/``.

    python -m helpers.build            # regenerate notebooks/
    python -m helpers.build --check    # exit 1 and name every stale or missing file
    python -m helpers.build --execute solutions/01_*.ipynb   # re-run solutions in place first

What the learner version gets, cell by cell:

* every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block is replaced by a stub:
  each top-level assignment ``name = <answer>`` becomes ``name = ...  # your answer``,
  each ``def f(args):`` keeps its signature and docstring and gets the body
  ``return ...  # your code``; anything else in the block is dropped (if nothing is
  left, the stub is a bare ``...``);
* outputs and execution counts are cleared;
* tags, cell metadata and notebook metadata (including ``metadata.course.lesson``) are kept;
* cells tagged ``solution-only`` are dropped (for cells that only make sense with answers).

Example: a solution cell ::

    ### BEGIN SOLUTION
    units = 10
    ### END SOLUTION
    ex.q2.check(units)

becomes ``units = ...  # your answer`` followed by ``ex.q2.check(units)``.
"""
from __future__ import annotations

import argparse
import ast
import copy
import json
import sys
import textwrap
from pathlib import Path

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
ROOT = Path(__file__).resolve().parent.parent
LESSON_GLOB = "[0-9][0-9]_*.ipynb"


class BuildError(ValueError):
    """A solution notebook that cannot be turned into a learner notebook."""


def stub_for(block: str, indent: str = "") -> list[str]:
    """The learner's stub lines for one solution block (without its markers).

    >>> stub_for("units = 10")
    ['units = ...  # your answer']
    """
    code = textwrap.dedent(block)
    try:
        tree = ast.parse(code)
    except SyntaxError as err:
        raise BuildError(f"solution block does not parse: {err}") from None
    lines: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = " = ".join(ast.unparse(t) for t in targets)
            lines.append(f"{indent}{names} = ...  # your answer")
        elif isinstance(node, ast.FunctionDef):
            args = ast.unparse(node.args)
            lines.append(f"{indent}def {node.name}({args}):")
            doc = ast.get_docstring(node, clean=False)
            if doc is not None:
                body = textwrap.indent(f'"""{doc}"""', indent + "    ")
                lines.append(body)
            lines.append(f"{indent}    return ...  # your code")
    return lines or [f"{indent}..."]


def strip_solutions(src: str) -> str:
    """Replace every solution block in a cell's source by its stub."""
    out: list[str] = []
    block: list[str] | None = None
    indent = ""
    for line in src.splitlines():
        marker = line.strip()
        if marker == BEGIN:
            if block is not None:
                raise BuildError("nested ### BEGIN SOLUTION")
            block, indent = [], line[: len(line) - len(line.lstrip())]
        elif marker == END:
            if block is None:
                raise BuildError("### END SOLUTION without a BEGIN")
            out.extend(stub_for("\n".join(block), indent))
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        raise BuildError("### BEGIN SOLUTION without an END")
    return "\n".join(out)


def learner_version(nb: dict) -> dict:
    """A learner notebook (plain nbformat dict) made from a solution notebook."""
    result = copy.deepcopy(nb)
    cells = []
    for cell in result.get("cells", []):
        if "solution-only" in cell.get("metadata", {}).get("tags", []):
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        if cell.get("cell_type") == "code":
            src = strip_solutions(src)
            cell["outputs"] = []
            cell["execution_count"] = None
        cell["source"] = src
        cell.get("metadata", {}).pop("execution", None)
        cells.append(cell)
    result["cells"] = cells
    return result


def render(nb: dict) -> str:
    """Notebook JSON as Jupyter writes it (indent 1, trailing newline), so diffs stay small."""
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def plan(root: Path = ROOT) -> dict[Path, str]:
    """Every learner notebook path with the text it should have."""
    wanted = {}
    for src in sorted((root / "solutions").glob(LESSON_GLOB)):
        try:
            nb = json.loads(src.read_text(encoding="utf-8"))
            wanted[root / "notebooks" / src.name] = render(learner_version(nb))
        except (ValueError, BuildError) as err:
            raise BuildError(f"{src.relative_to(root)}: {err}") from None
    return wanted


def stale(root: Path = ROOT) -> list[str]:
    """Names of learner notebooks that are missing, out of date, or have no solution."""
    wanted = plan(root)
    problems = []
    for path, text in wanted.items():
        if not path.exists():
            problems.append(f"notebooks/{path.name} is missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"notebooks/{path.name} is out of date with solutions/{path.name}")
    for path in sorted((root / "notebooks").glob(LESSON_GLOB)):
        if path not in wanted:
            problems.append(f"notebooks/{path.name} has no solutions/{path.name}")
    return problems


def execute_in_place(path: Path, timeout: int = 300) -> None:
    """Run a solution notebook top to bottom in a fresh kernel and store its outputs.

    Cells tagged ``raises-exception`` may raise; any other error stops with a message.
    """
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.build", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale notebooks; exit 1 if any")
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder (default: this checkout)")
    parser.add_argument("--execute", nargs="+", type=Path, metavar="NOTEBOOK",
                        help="execute these solution notebooks in place (outputs stored), then stop")
    args = parser.parse_args(argv)
    if args.execute:
        for path in args.execute:
            print(f"executing {path} ...", flush=True)
            try:
                execute_in_place(path)
            except Exception as err:  # noqa: BLE001 - report which notebook and go on failing
                print(f"{path}: {type(err).__name__}: {str(err)[-2000:]}", file=sys.stderr)
                return 1
        return 0
    try:
        if args.check:
            problems = stale(args.root)
            for line in problems:
                print(line, file=sys.stderr)
            if problems:
                print("Run `python -m helpers.build` to regenerate notebooks/.", file=sys.stderr)
                return 1
            print("notebooks/ is in sync with solutions/")
            return 0
        wanted = plan(args.root)
    except BuildError as err:
        print(f"build failed: {err}", file=sys.stderr)
        return 2
    (args.root / "notebooks").mkdir(exist_ok=True)
    for path in sorted((args.root / "notebooks").glob(LESSON_GLOB)):
        if path not in wanted:
            path.unlink()
            print(f"removed {path.relative_to(args.root)}")
    for path, text in wanted.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(args.root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
