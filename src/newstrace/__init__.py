"""newstrace: trace news text across languages.

Library first: `Pipeline().scan(articles)` and `Pipeline().compare(a, b)`; the CLI in
`newstrace.cli` is a thin layer over them.
"""

from .article import Article, ReadProblem
from .pipeline import Pipeline, ScanResult
from .relation import PairResult

__all__ = ["Article", "ReadProblem", "Pipeline", "ScanResult", "PairResult"]
__version__ = "0.1.0"
