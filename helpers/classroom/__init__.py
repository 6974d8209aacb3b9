"""The live classroom: learners' verdicts in, the instructor's dashboard out; hand-out and collect.

Run by the instructor (see INSTRUCTORS.md, "Live classroom")::

    python -m helpers.classroom serve --db classroom.sqlite --port 8765 \\
        --instructor-token-file instructor.token --class-token-file class.token
    python -m helpers.classroom hand-out --release release --homes '/home/jupyter-{id}/course'
    python -m helpers.classroom collect --homes '/home/jupyter-{id}/course' --lessons 01 02 --out submissions

Learners do nothing: when ``COURSE_CLASSROOM_URL`` is set, every ``check()`` hands its verdict to
:mod:`helpers.classroom.client`, which posts it in the background (see that module). Nothing here
is imported by ``import helpers`` or by a check while the variable is unset.

>>> sorted(FIELDS)
['exercise', 'learner', 'lesson', 'message', 'status']
"""
from __future__ import annotations

# What one verdict sent to the service holds: never the learner's code or answer.
FIELDS = ("learner", "lesson", "exercise", "status", "message")
STATUSES = ("correct", "not yet", "not attempted", "received")
MAX_MESSAGE = 1000          # characters of a check's message
MAX_BODY = 8192             # bytes of one POST /api/verdicts (a 1000-character message in UTF-8 fits)
MAX_NAME = 64               # characters of a learner's name
