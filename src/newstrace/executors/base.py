"""What every executor offers: scan a list of articles into a ScanResult."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from newstrace.pipeline import Pipeline, Progress, ScanResult, _quiet
from newstrace.text.article import Article


class Executor(ABC):
    """Runs the steps of a scan (steps.py) somewhere. The pipeline holds what the steps
    need to know (parameters, encoder settings); the executor only decides where and in
    which pieces they run, so every executor gives the same result."""

    name = "?"

    def __init__(self, pipeline: Pipeline | None = None):
        self.pipeline = pipeline or Pipeline()

    @abstractmethod
    def scan(self, articles: Sequence[Article], progress: Progress = _quiet) -> ScanResult:
        """Pairs, families and stories of `articles`, as Pipeline.scan gives them."""
