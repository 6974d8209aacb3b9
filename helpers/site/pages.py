"""The course website's pages, made from the course's own files (pure functions, no Sphinx here).

Each lesson page is its solution notebook with the stored outputs, changed in three ways:

* a bar of launch links under the title (Binder, Colab, download the learner notebook), all made
  from one setting, the repository's address (:func:`launch_links`);
* before every exercise cell, the exercise's declared hints, each behind a "Show hint" toggle;
* the exercise cell itself (the answer and its check) folded behind a "Show solution" toggle.

>>> launch_links("https://github.com/ada/rnn-course", "02_sequences_are_3d.ipynb")["colab"]
'https://colab.research.google.com/github/ada/rnn-course/blob/main/notebooks/02_sequences_are_3d.ipynb'
"""
from __future__ import annotations

import copy
import html
import re
from typing import Iterable

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BRANCH = "main"
# Owner and repository names as GitHub allows them; anything else (quotes, spaces, another host,
# a javascript: address) is refused before it reaches a page.
REPOSITORY = re.compile(r"https://github\.com/(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/"
                        r"(?P<name>[A-Za-z0-9._-]{1,100})")
NOTEBOOK_NAME = re.compile(r"[0-9]{2}_[a-z0-9_]+\.ipynb")
EXERCISE_CALL = re.compile(r"\bex\.(q[0-9]+)\b")
MARKDOWN_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s]+)\)")
SHOW_SOLUTION, HIDE_SOLUTION = "Show solution", "Hide solution"


class SiteError(ValueError):
    """A setting or a source file the site cannot be built from."""


def parse_repository(url: str) -> tuple[str, str]:
    """``(owner, name)`` of a GitHub repository address; raises :class:`SiteError` for anything else.

    >>> parse_repository("https://github.com/ada/rnn-course/")
    ('ada', 'rnn-course')
    """
    text = str(url).strip()
    text = text[:-4] if text.endswith(".git") else text
    match = REPOSITORY.fullmatch(text.rstrip("/"))
    if not match or match["name"] in (".", ".."):
        raise SiteError(f"the repository setting must look like https://github.com/OWNER/NAME, not {url!r}")
    return match["owner"], match["name"]


def launch_links(repository: str, notebook: str) -> dict[str, str]:
    """Binder, Colab and GitHub addresses of the learner notebook ``notebooks/<notebook>``, and the
    site-relative download link (the site ships a copy of every learner notebook)."""
    owner, name = parse_repository(repository)
    if not NOTEBOOK_NAME.fullmatch(notebook):
        raise SiteError(f"not a lesson notebook name: {notebook!r}")
    return {
        "binder": f"https://mybinder.org/v2/gh/{owner}/{name}/{BRANCH}?urlpath=lab/tree/notebooks/{notebook}",
        "colab": f"https://colab.research.google.com/github/{owner}/{name}/blob/{BRANCH}/notebooks/{notebook}",
        "github": f"https://github.com/{owner}/{name}/blob/{BRANCH}/notebooks/{notebook}",
        "download": f"../notebooks/{notebook}",
    }


def launch_bar(repository: str, notebook: str) -> str:
    """The HTML of a lesson's launch links (one block of raw HTML for MyST: no blank line inside)."""
    links = launch_links(repository, notebook)
    esc = {key: html.escape(value, quote=True) for key, value in links.items()}
    return (
        '<nav class="course-launch" aria-label="Run this lesson">'
        f'<a class="course-launch-binder" href="{esc["binder"]}" rel="noopener">Open in Binder</a>'
        f'<a class="course-launch-colab" href="{esc["colab"]}" rel="noopener">Open in Colab</a>'
        f'<a class="course-launch-download" href="{esc["download"]}" download="{html.escape(notebook)}">'
        "Download the notebook</a>"
        '<span class="course-launch-note">The notebook you run has blank answers. On Colab, run the '
        '<a href="../setup.html#conda-binder-jupyterhub-colab">set-up cell</a> first.</span>'
        "</nav>"
    )


def inline_html(text: str) -> str:
    """Plain hint text as HTML: escaped, with `backticks` as code and line breaks kept.

    >>> inline_html("Use `shape=(5, 1)` <here>")
    'Use <code>shape=(5, 1)</code> &lt;here&gt;'
    """
    escaped = html.escape(str(text), quote=False)
    escaped = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", escaped)
    if "\n" in escaped.strip():
        # Keep multi-line hints (code) as they are written; &#10; keeps the HTML block free of blank lines.
        return "<pre>" + escaped.strip("\n").replace("\n", "&#10;") + "</pre>"
    return escaped


def hints_block(key: str, hints: Iterable[str], prompt: str = "") -> str:
    """One raw-HTML block: the exercise's question (``prompt``), then every hint of exercise ``key``
    behind its own "Show hint" toggle."""
    hints = [h for h in hints if str(h).strip()]
    parts = [f'<div class="course-hints" role="group" aria-label="Hints for exercise {html.escape(key)}">']
    if str(prompt).strip():
        parts.append(f'<p class="course-exercise-prompt"><strong>Exercise {html.escape(key)}:</strong> '
                     f"{inline_html(' '.join(str(prompt).split()))}</p>")
    for number, hint in enumerate(hints, start=1):
        parts.append(
            f'<details class="course-hint"><summary>Show hint {number} of {len(hints)}</summary>'
            f'<div class="course-hint-body">{inline_html(hint)}</div></details>'
        )
    parts.append("</div>")
    return "".join(parts)


def exercise_ids(source: str) -> list[str]:
    """Exercise ids a cell checks, in order, once each: ``ex.q2.check(x)`` -> ``["q2"]``."""
    return list(dict.fromkeys(EXERCISE_CALL.findall(source)))


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _markdown_cell(text: str, cell_id: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


def lesson_page(nb: dict, notebook: str, repository: str, hints: dict[str, Iterable[str]],
                lesson: str, prompts: dict[str, str] | None = None) -> dict:
    """The site's copy of solution notebook ``nb`` (``notebook`` is its file name).

    ``hints`` maps an exercise id (``"q1"``) to its declared hints, ``prompts`` to its question. Raises :class:`SiteError` when
    an exercise cell names no exercise, or one that ``hints`` does not know.
    """
    page = copy.deepcopy(nb)
    cells: list[dict] = []
    title_done = False
    for cell in page.get("cells", []):
        source = _source(cell)
        if not title_done and cell.get("cell_type") == "markdown" and source.lstrip().startswith("# "):
            title, _, rest = source.lstrip().partition("\n")
            cell["source"] = f"{title}\n\n{launch_bar(repository, notebook)}\n\n{rest.lstrip()}"
            title_done = True
        if cell.get("cell_type") == "code" and BEGIN in source:
            ids = exercise_ids(source)
            if not ids:
                raise SiteError(f"{notebook}: an exercise cell checks no ex.qN exercise")
            for exercise_id in ids:
                if exercise_id not in hints:
                    raise SiteError(f"{notebook}: ex.{exercise_id} is not an exercise of lesson {lesson}")
                key = f"{lesson}.{exercise_id}"
                block = hints_block(key, hints[exercise_id], (prompts or {}).get(exercise_id, ""))
                cells.append(_markdown_cell(block, f"site-hints-{lesson}-{exercise_id}"))
            # The markers are for helpers.build; a reader sees the answer and its check.
            cell["source"] = "\n".join(line for line in source.splitlines()
                                       if line.strip() not in (BEGIN, END))
            metadata = cell.setdefault("metadata", {})
            tags = metadata.setdefault("tags", [])
            if "hide-cell" not in tags:
                tags.append("hide-cell")
            metadata["mystnb"] = {"code_prompt_show": SHOW_SOLUTION, "code_prompt_hide": HIDE_SOLUTION}
        cells.append(cell)
    if not title_done:
        raise SiteError(f"{notebook}: no '# title' markdown cell to put the launch links under")
    page["cells"] = cells
    if page.get("nbformat", 4) == 4 and page.get("nbformat_minor", 0) < 5:
        page["nbformat_minor"] = 5   # the new cells carry ids, as nbformat 4.5 has them
        for number, cell in enumerate(cells):
            cell.setdefault("id", f"cell-{number}")
    return page


def slug(heading: str) -> str:
    """The anchor GitHub and MyST give a heading: ``"conda, Binder & Colab"`` -> ``"conda-binder--colab"``."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def heading_anchors(markdown: str) -> set[str]:
    """Anchors of the ``#`` headings of a markdown text (outside code fences)."""
    anchors, fenced = set(), False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6} ", line):
            anchors.add(slug(line.lstrip("#")))
    return anchors


def rewrite_links(markdown: str, pages: dict[str, str], anchors: dict[str, set[str]], here: str,
                  repository: str) -> str:
    """Point the links of a repository markdown file at the site.

    ``pages`` maps a repository path to the site page made from it (``"INSTRUCTORS.md"`` ->
    ``"instructors.md"``); ``anchors[page]`` are the anchors that page has; ``here`` is the file
    being rewritten. A ``#anchor`` of the text's own headings stays; links to files that have no
    page go to the file on GitHub; web links stay.
    """
    owner, name = parse_repository(repository)
    github = f"https://github.com/{owner}/{name}"
    own = heading_anchors(markdown)

    def target_for(target: str) -> str:
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or (target.startswith("#") and target[1:] in own):
            return target
        path, _, anchor = target.partition("#")
        path = path or here
        page = pages.get(path)
        if page and (not anchor or anchor in anchors.get(page, set())):
            return page + (f"#{anchor}" if anchor else "")
        blob = f"{github}/blob/{BRANCH}/{path}" if path != "README.md" else github
        return blob + (f"#{anchor}" if anchor else "")

    def replace(match: re.Match) -> str:
        return f"[{match['text']}]({target_for(match['target'])})"

    out, fenced = [], False
    for line in markdown.splitlines(keepends=True):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        out.append(line if fenced else MARKDOWN_LINK.sub(replace, line))
    return "".join(out)


def sections(markdown: str, level: int = 2) -> list[tuple[str, str]]:
    """``[(heading, text)]`` of a markdown file cut at its level-``level`` headings (the part before
    the first such heading has the heading ``""``); headings inside code fences do not count."""
    marker = "#" * level + " "
    found: list[tuple[str, list[str]]] = [("", [])]
    fenced = False
    for line in markdown.splitlines(keepends=True):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith(marker):
            found.append((line[len(marker):].strip(), [line]))
        else:
            found[-1][1].append(line)
    return [(heading, "".join(lines)) for heading, lines in found]
