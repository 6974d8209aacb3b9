"""Measure the course and check its promises: ``python -m helpers.bench`` prints the bench table.

* :mod:`helpers.bench.kernel` runs one notebook in a fresh kernel, timing it and sampling the
  memory of the kernel's process tree;
* :mod:`helpers.bench.outputs` compares the outputs strict nbval compares (text, not images);
* :mod:`helpers.bench.offline` makes a kernel refuse every connection that leaves the machine;
* :mod:`helpers.bench.classroom` times ``check()`` with the classroom service up, down and unset,
  and measures the service's memory and posts per second;
* :mod:`helpers.bench.report` runs the whole bench and writes ``bench-results/bench.md``.

Nothing here imports TensorFlow; the kernels it starts do.

>>> from helpers.bench.kernel import solution_notebooks
>>> all(p.suffix == ".ipynb" for p in solution_notebooks())
True
"""
