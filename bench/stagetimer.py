"""Seconds per pipeline stage, from the pipeline's progress callback, and seconds inside
one function, timed where its callers reach it (bench scripts)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType


class StageTimer:
    """Pass as `progress`: time runs to the stage last reported until the next one;
    `done()` closes the last stage and returns {stage: seconds}, rounded."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = defaultdict(float)
        self._since, self._stage = time.perf_counter(), ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if self._stage:
            self.stages[self._stage] += now - self._since
        self._since, self._stage = now, stage

    def done(self) -> dict[str, float]:
        if self._stage:
            self.stages[self._stage] += time.perf_counter() - self._since
            self._stage = ""
        return {k: round(v, 1) for k, v in self.stages.items()}


@contextmanager
def time_inside(module: ModuleType, name: str) -> Iterator[list[float]]:
    """Replace module.name by the same function, timed, for the duration of the block; the
    yielded list's one item is the seconds spent in it so far."""
    real, spent = getattr(module, name), [0.0]

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0

    setattr(module, name, timed)
    try:
        yield spent
    finally:
        setattr(module, name, real)
