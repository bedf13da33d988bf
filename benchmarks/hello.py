"""A hello-world Flask app: the yardstick the load test serves with the same gunicorn settings
in the same run, so each page's throughput reads as a share of what Flask alone can do here."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hallo, wereld!"
