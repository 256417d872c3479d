"""Seconds per pipeline stage, from the pipeline's progress callback (bench scripts)."""

from __future__ import annotations

import time
from collections import defaultdict


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
