"""Run one notebook top to bottom in a fresh ``python3`` kernel; time it, sample its memory.

>>> run = run_notebook(FLOOR_NOTEBOOK_SOURCE, measure=True)       # doctest: +SKIP
>>> run.ok, round(run.seconds), run.peak_mb                        # doctest: +SKIP
(True, 5, 612.3)
"""
from __future__ import annotations

import copy
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LESSON_GLOB = "[0-9][0-9]_*.ipynb"
# What the Makefile exports: quiet TensorFlow, the same floats on every CPU, a fixed hash seed.
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "MPLBACKEND": "Agg",
             "PYTHONHASHSEED": "0"}
# The floor: a fresh kernel that only imports what every lesson imports.
FLOOR_NOTEBOOK_SOURCE = "import tensorflow as tf\nimport keras"
MB = 1024 * 1024


def solution_notebooks(root: Path = ROOT) -> list[Path]:
    """Every lesson notebook in ``solutions/`` (``NN_slug.ipynb``), in lesson order."""
    return sorted((Path(root) / "solutions").glob(LESSON_GLOB))


def kernel_env(**overrides: str) -> dict[str, str]:
    """The environment for a kernel: this process's, plus the quiet TensorFlow settings.

    >>> kernel_env(PYTHONHASHSEED="7")["PYTHONHASHSEED"]
    '7'
    """
    env = dict(os.environ)
    env.update(QUIET_ENV)
    env.update(overrides)
    return env


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (0 once it is gone)."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total


def _high_water_mark(pid: int) -> int:
    """The kernel process's own peak RSS as Linux records it (``VmHWM``); 0 where unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class MemorySampler:
    """Peak RSS of a process tree, sampled in a background thread every ``interval`` seconds.

    >>> import os
    >>> with MemorySampler(os.getpid()) as sampler:
    ...     pass
    >>> sampler.peak > 0
    True
    """

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"rss-{pid}", daemon=True)

    def _loop(self) -> None:
        while True:
            self.peak = max(self.peak, _tree_rss(self.pid))
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        # Sampling can miss a short spike; the kernel's own high-water mark cannot.
        self.peak = max(self.peak, _tree_rss(self.pid), _high_water_mark(self.pid))


def smaps_rollup(pid: int) -> dict[str, int]:
    """A process's ``Rss``, ``Pss`` and ``Private`` (clean + dirty) memory in bytes, from
    ``/proc/<pid>/smaps_rollup`` (Linux 4.14+); empty where unavailable.

    >>> sorted(smaps_rollup(os.getpid()))                              # doctest: +SKIP
    ['Private', 'Pss', 'Rss']
    """
    fields: dict[str, int] = {}
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return {}
    for line in lines:
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
            fields[name] = int(rest.split()[0]) * 1024
    if not fields:
        return {}
    return {"Rss": fields.get("Rss", 0), "Pss": fields.get("Pss", 0),
            "Private": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)}


@dataclass
class Run:
    """One execution of a notebook: the executed notebook, wall seconds, peak kernel RSS, error.

    ``end_memory``: the kernel's :func:`smaps_rollup` after its last cell (with ``measure=True``),
    plus under ``"parent"`` the warm process's, for a warm kernel;
    ``warm``: whether the kernel was forked from a warm process (:mod:`helpers.kernels`).
    """

    notebook: Any
    seconds: float
    peak_bytes: int = 0
    error: str | None = None
    env: dict = field(default_factory=dict, repr=False)
    end_memory: dict = field(default_factory=dict, repr=False)
    warm: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def peak_mb(self) -> float:
        return round(self.peak_bytes / MB, 1)


def load(notebook: Any) -> Any:
    """A notebook node from a path, a source string (one code cell) or a notebook node (copied)."""
    import nbformat

    if isinstance(notebook, (str, Path)) and str(notebook).endswith(".ipynb"):
        return nbformat.read(str(notebook), as_version=4)
    if isinstance(notebook, str):
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_code_cell(notebook))
        return nb
    return copy.deepcopy(notebook)


def _prefixed_kernel_manager(prefix: list[str]):
    """A kernel manager class that starts the kernel behind ``prefix`` and talks over Unix sockets."""
    import uuid

    from jupyter_client import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir

    class PrefixedKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("transport", "ipc")
            # The ipc socket files sit next to the connection file, in Jupyter's runtime folder.
            Path(jupyter_runtime_dir()).mkdir(parents=True, exist_ok=True)
            kwargs.setdefault("connection_file", str(Path(jupyter_runtime_dir()) / f"kernel-{uuid.uuid4()}.json"))
            super().__init__(**kwargs)

        def format_kernel_cmd(self, extra_arguments: list | None = None) -> list[str]:
            return [*prefix, *super().format_kernel_cmd(extra_arguments)]

    return PrefixedKernelManager


def run_notebook(notebook: Any, *, env: dict | None = None, cwd: Path | None = None,
                 timeout: int = 600, measure: bool = False, quiet: bool = True,
                 prefix: list[str] | None = None) -> Run:
    """Execute ``notebook`` (path, source string or node) in a fresh ``python3`` kernel.

    Cells tagged ``raises-exception`` may raise and cells tagged ``nbval-skip`` are not run,
    as under nbval; any other error ends the run and is kept in ``Run.error``. ``seconds``
    runs from asking for the kernel to the end of the last cell. With ``measure=True`` the
    kernel's process tree is sampled for its peak RSS. ``quiet`` drops the kernel's own
    stderr (its start-up warnings); cell outputs, stderr included, are always kept. ``prefix``
    starts the kernel behind a command (e.g. :func:`helpers.bench.offline.namespace_prefix`).
    """
    import nbclient
    from nbclient.exceptions import CellExecutionError

    nb = load(notebook)
    if cwd is None:
        cwd = Path(notebook).parent if isinstance(notebook, (str, Path)) and str(notebook).endswith(".ipynb") else ROOT
    env = kernel_env() if env is None else env
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                     skip_cells_with_tag="nbval-skip", shutdown_kernel="immediate",
                                     resources={"metadata": {"path": str(cwd)}})
    if prefix:
        client.kernel_manager_class = _prefixed_kernel_manager(prefix)
    error = None
    peak = 0
    end_memory: dict = {}
    warm = False
    start = time.perf_counter()
    seconds = 0.0
    try:
        launch = {"stderr": subprocess.DEVNULL} if quiet else {}
        with client.setup_kernel(env=env, **launch):
            pid = client.km.provisioner.pid
            warm = bool(getattr(client.km.provisioner, "warm", False))
            sampler = MemorySampler(pid) if measure and pid else None
            try:
                if sampler:
                    sampler.__enter__()
                client.wait_for_reply(client.kc.kernel_info())
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except CellExecutionError as err:
                error = f"cell {index}: {err.ename}: {err.evalue}"
            finally:
                seconds = time.perf_counter() - start
                if sampler:
                    sampler.__exit__(None, None, None)
                    peak = sampler.peak
                    end_memory = smaps_rollup(pid)
                    if warm:   # the warm process it was forked from, measured at the same moment
                        import psutil

                        end_memory["parent"] = smaps_rollup(psutil.Process(pid).ppid())
    except Exception as err:  # noqa: BLE001 - a dead kernel or a timeout is a result to report
        error = f"{type(err).__name__}: {err}"
        seconds = seconds or time.perf_counter() - start
    return Run(nb, seconds, peak, error, env, end_memory, warm)
