"""The pipeline: the steps of a scan (steps.py) and the local run of them (scan.py)."""

from newstrace.pipeline.scan import Pipeline, Progress, ScanResult, _quiet

__all__ = ["Pipeline", "Progress", "ScanResult", "_quiet"]
