"""Helpers for the RNN shapes course: exercises, diagrams, explanations, grading.

Importing ``helpers`` is cheap: it never imports TensorFlow. Submodules that need
Keras import it inside the functions that use it.
"""

__version__ = "0.1.0"
