"""The local executor: every step in this process (today's path, and the default)."""

from __future__ import annotations

from collections.abc import Sequence

from newstrace.executors.base import Executor
from newstrace.pipeline import Progress, ScanResult, _quiet
from newstrace.text.article import Article


class LocalExecutor(Executor):
    name = "local"

    def scan(self, articles: Sequence[Article], progress: Progress = _quiet) -> ScanResult:
        return self.pipeline.scan(articles, progress)
