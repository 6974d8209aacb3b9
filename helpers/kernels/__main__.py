"""``python -m helpers.kernels [NAME]``: make this environment's kernelspec NAME (default python3) warm.

Adds ``metadata.kernel_provisioner`` to ``<sys.prefix>/share/jupyter/kernels/NAME/kernel.json``
(what ``ipykernel install --sys-prefix --name NAME`` wrote); the rest of the file is kept.
"""
import json
import sys
from pathlib import Path

from . import PROVISIONER_NAME


def make_warm(name: str = "python3", prefix: str = sys.prefix) -> Path:
    """Point kernelspec ``name`` of environment ``prefix`` at the warm provisioner; returns kernel.json."""
    path = Path(prefix) / "share" / "jupyter" / "kernels" / name / "kernel.json"
    spec = json.loads(path.read_text())
    spec.setdefault("metadata", {})["kernel_provisioner"] = {"provisioner_name": PROVISIONER_NAME, "config": {}}
    path.write_text(json.dumps(spec, indent=1) + "\n")
    return path


if __name__ == "__main__":
    print(f"warm kernels: {make_warm(*sys.argv[1:2])}")
