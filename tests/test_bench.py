"""helpers.bench: the notebook runner's measurements and the bench table."""
import os

import pytest

from helpers.bench import report
from helpers.bench.kernel import MemorySampler, Run, run_notebook, solution_notebooks


def test_sampler_sees_this_process():
    with MemorySampler(os.getpid(), interval=0.01) as sampler:
        ballast = bytearray(50_000_000)
    assert sampler.peak > 50_000_000
    del ballast


def test_lessons_are_found_by_glob():
    names = [p.name for p in solution_notebooks()]
    assert names == sorted(names) and all(n[:2].isdigit() and n[2] == "_" for n in names)


@pytest.mark.slow
def test_run_measures_a_kernel_and_reports_the_failing_cell(tmp_path):
    run = run_notebook("big = bytearray(200_000_000)\nraise ValueError('stop here')", cwd=tmp_path,
                       measure=True, timeout=60)
    assert run.error == "cell 0: ValueError: stop here"
    assert run.peak_bytes > 200_000_000 and run.seconds > 0


def fake(seconds, peak, error=None):
    return Run(notebook=None, seconds=seconds, peak_bytes=peak, error=error)


def test_table_gives_medians_ratios_and_flags():
    rows = {report.FLOOR: report.Samples(), "01_a": report.Samples(), "02_b": report.Samples()}
    for s in (2.0, 4.0, 3.0):
        rows[report.FLOOR].add(fake(s, 500_000_000))
        rows["01_a"].add(fake(2 * s, 600_000_000))
        rows["02_b"].add(fake(s, 1_200_000_000, error="cell 3: ValueError: x"))
    grader = [{"jobs": 1, "count": 4, "seconds": 30.0, "per_minute": 8.0}, {"jobs": 2, "note": "grader not available"}]
    text = report.table(rows, 3, grader, {"seconds": 300.0, "passed": True})
    assert "| floor (import tensorflow, keras) | 3.0 | 1.00 | 500 | 1.00 |  |" in text
    assert "| 01_a | 6.0 | 2.00 | 600 | 1.20 |  |" in text
    assert "FAILED 3/3: cell 3: ValueError: x; OVER 1 GB (max 1200 MB)" in text
    assert "| **course (2 notebooks)** | 9.0 | 3.00 | 1200 (max) | 2.40 |" in text
    assert "| `--jobs 1` | 4 | 30.0 | 8.0 |" in text and "grader not available" in text
    assert "`make test`: 300 s wall, one run, passed." in text
    cost = {"name": "01_a", "copies": 4, "off": 8.0, "on_cold": 8.4, "off_warm": 1.5, "on": 1.2, "cost": 0.05,
            "memory": {"warm_process_alone": {"Rss": 700e6, "Pss": 600e6, "Private": 500e6}}}
    text = report.table(rows, 3, grader, None, sandbox_cost=cost)
    assert "`--jobs 1`, 4 copies in one batch" in text
    assert "| 01_a, `--sandbox off`, cold kernels | 8.00 | 2.67 |" in text
    assert "| 01_a, `--sandbox on`, cold kernels (`COURSE_WARM_SANDBOX=0`) | 8.40 | 2.80 |" in text
    assert "| 01_a, `--sandbox on`, warm sandboxed kernels (the default where bubblewrap runs) | 1.20 | 0.40 |" in text
    assert "| 01_a, `--sandbox off`, warm kernels | 1.50 | 0.50 |" in text
    assert "| sandbox cost (on against off, both cold) | +5.0 % | |" in text
    assert "| the default against the floor (aim <= 0.45) | 0.40 | |" in text
    assert "| the default against `--sandbox off`, warm (aim <= 1.1) | 0.80 | |" in text
    assert "no fork alive: Rss / Pss / Private MB | 700 / 600 / 500 |" in text
    assert "| not measured | no bwrap | |" in report.table(rows, 3, grader, None,
                                                               sandbox_cost={"note": "no bwrap"})


def test_warm_section_gives_ratios_and_memory():
    warm = {"cold_cell": 3.0, "warm_cell": 0.3, "cold_import": 4.0, "warm_import": 0.8, "first_warm": 4.5,
            "errors": [], "all_warm": True,
            "memory": {"zygote": {"Rss": 400e6, "Pss": 150e6, "Private": 20e6},
                       "warm_kernel": {"Rss": 420e6, "Pss": 160e6, "Private": 60e6}}}
    text = "\n".join(report.warm_table(warm))
    assert "| import TensorFlow and Keras | 4.00 | 0.80 | 0.20 (aim <= 0.3) |" in text
    assert "| first cell (`1 + 1`) | 3.00 | 0.30 | 0.10 |" in text
    assert "| warm process, no kernel alive | 400 | 150 | 20 |" in text
    assert "cold kernel after" not in text
    assert "started cold" in "\n".join(report.warm_table({**warm, "all_warm": False}))
