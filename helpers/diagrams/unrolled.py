"""An RNN layer unrolled over its timesteps (placeholder until the full version lands)."""
from __future__ import annotations


def unrolled_spec(*args, **kwargs):
    raise NotImplementedError("unrolled diagrams are coming in the next commit")


def unrolled(*args, **kwargs):
    raise NotImplementedError("unrolled diagrams are coming in the next commit")
