"""Starting or joining a Ray cluster for the Ray executor, and what every worker is given.

Ray is imported only here and only when asked for: it is an optional extra.
"""

from __future__ import annotations

import copy
import logging
import os
from pathlib import Path

from newstrace.embedding.encoder import Encoder
from newstrace.pipeline import Pipeline

RAY_MISSING = "the Ray executor needs Ray and pyarrow: pip install newstrace[ray]"
# A Unix socket path is at most 107 bytes; Ray's longest under its temp folder is
# "/session_YYYY-MM-DD_HH-MM-SS_ffffff_PID/sockets/plasma_store" (64 bytes with a
# 7-digit pid), so the folder itself must stay within 43.
MAX_TEMP_DIR_BYTES = 43

log = logging.getLogger(__name__)


class RayUnavailable(RuntimeError):
    """Ray (or pyarrow) is not installed."""


def import_ray():
    try:
        import pyarrow  # noqa: F401
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise RayUnavailable(RAY_MISSING) from exc
    return ray


def ray_temp_dir() -> str:
    """Ray's temp folder for a cluster this process starts: $RAY_TMPDIR, else /tmp/ray —
    never under $TMPDIR, which may be too long for Ray's sockets (CI's is ~125 bytes)."""
    path = os.environ.get("RAY_TMPDIR") or "/tmp/ray"
    if len(os.fsencode(path)) > MAX_TEMP_DIR_BYTES:
        raise RuntimeError(
            f"RAY_TMPDIR={path} is too long for Ray's sockets (at most "
            f"{MAX_TEMP_DIR_BYTES} bytes; socket paths are capped at 107): "
            "set RAY_TMPDIR to a short folder such as /tmp/ray")
    return path


def package_runtime_env(wheel: str | Path | None = None) -> dict:
    """What the workers run: this process's own newstrace package, uploaded to the
    cluster (Ray's `py_modules`), so no worker imports a checkout or an older install
    that happens to be on its path. From an installed wheel that is the wheel's
    package; from a source checkout, only the package folder. `wheel`: ship a built
    wheel instead (`python -m build`); Ray pip-installs it, with its dependencies, on
    every node, so the nodes need a package index."""
    import newstrace

    if wheel is not None:
        path = Path(wheel)
        if path.suffix != ".whl" or not path.is_file():
            raise ValueError(f"{wheel}: not a wheel file (build one with python -m build)")
        return {"py_modules": [str(path.resolve())]}
    return {"py_modules": [str(Path(newstrace.__file__).resolve().parent)]}


def start_ray(address: str | None = None, num_cpus: int | None = None,
              wheel: str | Path | None = None):
    """Connect to a cluster (`address`: "auto" or HOST:PORT), or start one on this machine
    with `num_cpus` CPUs (default: all); the workers get this package
    (package_runtime_env). Does nothing when Ray is already initialised."""
    ray = import_ray()
    if ray.is_initialized():
        return ray
    quiet = {"include_dashboard": False, "log_to_driver": False,
             "logging_level": logging.WARNING, "configure_logging": True,
             "runtime_env": package_runtime_env(wheel)}
    if address:
        ray.init(address=address, **quiet)
    else:
        ray.init(num_cpus=num_cpus, _temp_dir=ray_temp_dir(), **quiet)
    return ray


def _quiet_ray_data() -> None:
    import ray.data

    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    # Ray Data warns of idle CPUs while the stage-1 actors wind down: not for users.
    logging.getLogger("ray.data").setLevel(logging.ERROR)


def _fault(stage: str, faults: dict[str, tuple[str, str]] | None) -> None:
    """Failures injected for tests: faults[stage] = (modes, marker folder), modes a
    comma-separated list of "exit" (the worker process dies, as when a node is lost) and
    "raise". The first call anywhere fails with the first mode, the next call with the
    second, and so on (a marker file per failure); every later call, retries included,
    goes on."""
    if not faults or stage not in faults:
        return
    modes, folder = faults[stage]
    for k, how in enumerate(modes.split(",")):
        try:
            fd = os.open(os.path.join(folder, f"{stage}.{k}"),
                         os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            continue
        os.close(fd)
        if how == "exit":
            os._exit(1)
        raise RuntimeError(f"injected failure in {stage}")


def _worker_pipeline(pipeline: Pipeline) -> Pipeline:
    """The pipeline as shipped to workers: its settings, a fresh (empty) encoder cache."""
    shipped = copy.copy(pipeline)
    shipped.encoder = Encoder(batch_size=pipeline.encoder.batch_size)
    return shipped
