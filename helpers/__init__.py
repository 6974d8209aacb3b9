"""Helpers for the RNN shapes course: exercises, diagrams, explanations, grading.

Importing ``helpers`` is cheap: it never imports TensorFlow. Submodules that need
Keras import it inside the functions that use it. It quiets TensorFlow for every entry point
(``python -m helpers.grade``, ``helpers.bench``, ``helpers.build``) before TensorFlow can load:
without both variables TensorFlow prints absl and oneDNN lines on import (see KERAS3_FACTS.md);
a value already set is kept.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

__version__ = "0.1.0"
