"""Service and report: the HTTP API, the web UI and the HTML report."""
