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
