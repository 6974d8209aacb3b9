"""The notebook suite really compares outputs: a tampered stored output must fail strict nbval,
and a learner notebook only has to run (its outputs are not compared)."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run_nbval(folder: Path, name: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--nbval",
                           "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"), str(folder / name)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.mark.slow
def test_tampered_verdict_fails_strict_nbval(tmp_path):
    folder = tmp_path / "solutions"
    folder.mkdir()
    source = json.loads((ROOT / "solutions" / "00_welcome.ipynb").read_text())
    tampered = False
    for cell in source["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/plain")
            if text and "Correct" in "".join(text):
                output["data"]["text/plain"] = "[00.q1] Correct: faked"
                tampered = True
                break
        if tampered:
            break
    assert tampered
    (folder / "00_welcome.ipynb").write_text(json.dumps(source))
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    result = _run_nbval(folder, "00_welcome.ipynb")
    assert result.returncode == 1, result.stdout[-2000:]
    assert "faked" in result.stdout


@pytest.mark.slow
def test_diagram_pixels_are_not_compared_but_alt_text_is(tmp_path):
    folder = tmp_path / "solutions"
    folder.mkdir()
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    source = json.loads((ROOT / "solutions" / "00_welcome.ipynb").read_text())
    [diagram] = [o for c in source["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    html = "".join(diagram["data"]["text/html"])
    start = html.index("base64,") + len("base64,")
    diagram["data"]["text/html"] = html[:start] + "AAAA" + html[start + 4:]
    diagram["data"]["image/png"] = "AAAA" + "".join(diagram["data"]["image/png"])[4:]
    (folder / "00_welcome.ipynb").write_text(json.dumps(source))
    passed = _run_nbval(folder, "00_welcome.ipynb")
    assert passed.returncode == 0, passed.stdout[-3000:]

    diagram["data"]["text/html"] = diagram["data"]["text/html"].replace('alt="', 'alt="tampered ', 1)
    (folder / "00_welcome.ipynb").write_text(json.dumps(source))
    failed = _run_nbval(folder, "00_welcome.ipynb")
    assert failed.returncode == 1, failed.stdout[-3000:]
