"""`newstrace serve`: the HTTP API and web UI (uvicorn), registered by cli.py when importable."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import typer

LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    db: Path = typer.Option(Path("newstrace.db"), "--db", help="Index file (created if missing)"),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback by default)"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port"),
    licensed: Path | None = typer.Option(
        None, "--licensed", help='TOML: own = ["outlet", ...], partners = [...]; the '
        "sources page lists their reuse as licensed (as `newstrace sources --licensed`)"),
) -> None:
    """Run the HTTP API and web UI over an index. Set NEWSTRACE_TOKEN to require a token."""
    import uvicorn

    from newstrace.grouping.outlets import Licence, LicenceError
    from newstrace.index import Index
    from newstrace.index.store import StoreError
    from newstrace.service.app import create_app

    try:  # a wrong --db or licence file must fail here, not as 500s in the browser
        licence = Licence.from_toml(licensed) if licensed is not None else None
        Index(db).close()
    except (StoreError, LicenceError) as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None

    token = os.environ.get("NEWSTRACE_TOKEN") or None
    if not _is_loopback(host) and not token:
        # Anyone who can reach the port could add and read articles: say so loudly.
        typer.secho(f"warning: serving on {host} without NEWSTRACE_TOKEN: the API is open "
                    "to anyone who can reach this address", fg="yellow", err=True)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"newstrace: index {db}, UI at http://{shown}:{port}/ , API docs at /docs"
               + (" (bearer token required)" if token else ""), err=True)
    uvicorn.run(create_app(db, token=token, licence=licence), host=host, port=port,
                log_level="info")
