"""Command line: a thin Typer layer over the library."""

from newstrace.cli.main import app, main

__all__ = ["app", "main"]
