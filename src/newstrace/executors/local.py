"""The local executor: every step in this process (today's path, and the default)."""

from __future__ import annotations

from collections.abc import Sequence

from ..article import Article
from ..pipeline import Progress, ScanResult, _quiet
from .base import Executor


class LocalExecutor(Executor):
    name = "local"

    def scan(self, articles: Sequence[Article], progress: Progress = _quiet) -> ScanResult:
        return self.pipeline.scan(articles, progress)
