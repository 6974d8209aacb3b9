"""The grader: ``python -m helpers.grade SUBMISSION.ipynb... --out DIR``.

A pipeline with one module per step:

1. :mod:`~helpers.grade.load`: read the file, decide whether it is a gradable notebook, find its lesson;
2. :mod:`~helpers.grade.execute`: run it in a fresh, time- and memory-bounded kernel, confined by
   :mod:`~helpers.grade.sandbox` (bubblewrap) where it can run;
3. :mod:`~helpers.grade.extract`: take each answer out of that kernel as data (:mod:`~helpers.grade.probe`
   is the code that runs in the kernel; no pickle crosses);
4. :mod:`~helpers.grade.judge`: decide every verdict in the grader's process with the lesson's own checks;
5. :mod:`~helpers.grade.report`: ``grades.csv``, Gradescope ``results.json`` and ``feedback.md``.

:mod:`~helpers.grade.pipeline` chains them (``grade_batch``). Around it: :mod:`~helpers.grade.cli`
(``python -m helpers.grade``, and ``merge``), :mod:`~helpers.grade.gradescope` (grade one Gradescope
submission folder), :mod:`~helpers.grade.autograder` (the Gradescope zip, which calls the CLI),
:mod:`~helpers.grade.roster` (graded releases: whose numbers, who submitted),
:mod:`~helpers.grade.gradebook` (``gradebook.csv`` and the LMS files) and :mod:`~helpers.grade.shards`
(``--shard I/N`` and the merge). Imports never loop (``tests/test_grade_shards.py`` checks).
Importing this package does not import TensorFlow.

>>> from helpers.grade import grade_batch
>>> grade_batch(["alice.ipynb"], "out")      # doctest: +SKIP
"""
from .pipeline import grade_batch, grade_one

__all__ = ["grade_batch", "grade_one"]
