"""HTTP API and web UI over an on-disk index (FastAPI): `create_app` lives in app.py.

Kept so `from newstrace.service.server import create_app` goes on working.
"""

from newstrace.service.app import create_app

__all__ = ["create_app"]
