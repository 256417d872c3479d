"""Executors: where the steps of a scan run (steps.py holds the steps themselves).

- `local` (the default): every step in this process, `Pipeline.scan`.
- `ray`: the same steps on a Ray cluster (ray_executor.py): Ray Data with an actor pool
  for the per-article steps, shuffles for candidates, parallel tasks for pairs, grouping
  per connected component. Needs the optional extra: `pip install newstrace[ray]`.

Nothing here imports Ray until the Ray executor is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newstrace.executors.base import Executor

EXECUTORS = ("local", "ray")


def get_executor(name: str, **options: Any) -> Executor:
    """An executor by name: `local` or `ray` (options go to its constructor)."""
    if name == "local":
        from newstrace.executors.local import LocalExecutor

        return LocalExecutor(**options)
    if name == "ray":
        from newstrace.executors.ray_executor import RayExecutor

        return RayExecutor(**options)
    raise ValueError(f"unknown executor {name!r} (choose from {', '.join(EXECUTORS)})")
