"""newstrace: trace news text across languages.

Library first: `Pipeline().scan(articles)` and `Pipeline().compare(a, b)`; the CLI in
`newstrace.cli` is a thin layer over them.
"""

from newstrace.matching.relation import PairResult
from newstrace.pipeline import Pipeline, ScanResult
from newstrace.text.article import Article, ReadProblem

__all__ = ["Article", "ReadProblem", "Pipeline", "ScanResult", "PairResult"]
__version__ = "0.1.0"
