"""What every grading kernel gets, whoever starts it (:mod:`.execute`, :mod:`.sandbox`, :mod:`.warm`):
its quiet environment, its limits, and the system folders that are links into ``/usr``.

A module of its own so that those three can share it without importing each other.

>>> Limits().cell_timeout
60.0
"""
from __future__ import annotations

from dataclasses import dataclass

SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")

KERNEL_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "MPLBACKEND": "Agg",
              "PYTHONHASHSEED": "0"}


@dataclass(frozen=True)
class Limits:
    """What one submission may use. ``memory_mb=None`` switches the memory cap off."""

    cell_timeout: float = 60.0
    total_timeout: float = 600.0
    interrupt_grace: float = 10.0
    memory_mb: int | None = 3072
    file_mb: int = 512
    disk_mb: int = 1024                    # the whole scratch folder (files the kernel writes)
    output_bytes: int = 2_000_000          # per cell, above this the run's status says so
    message_bytes: int = 64 * 2**20
    startup_timeout: float = 60.0
