"""deploy/gunicorn.conf.py freezes what a worker loaded out of the garbage collector's sweeps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"

SCRIPT = f"""
import gc, runpy
from wijklab import create_app
create_app({{"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}})
before = gc.get_freeze_count()
runpy.run_path({str(CONFIG)!r})["post_worker_init"](None)
print(before, gc.get_freeze_count())
"""


def test_the_loaded_app_is_frozen_out_of_the_garbage_collector():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=120
    )
    before, after = map(int, result.stdout.split()[-2:])
    assert before == 0
    assert after > 100_000  # the app, its modules and their objects
