"""The real app plus a slow route, served by gunicorn in the graceful-shutdown test."""

import os
import time
from pathlib import Path

from api import create_app
from config import TestingConfig

app = create_app(TestingConfig(os.environ))


@app.get("/slow")
def slow():
    Path(os.environ["SLOW_STARTED_FILE"]).touch()
    time.sleep(float(os.environ.get("SLOW_SECONDS", "2")))
    return {"status": "finished"}
