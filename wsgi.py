"""WSGI entry point: `flask --app wsgi …` and `gunicorn wsgi:app`."""

import gc

from api import create_app

app = create_app()
# What start-up built lives as long as the process: keep it out of the collector's full
# passes, which otherwise made p99 latencies several times p50 (see benchmarks/README.md).
gc.freeze()
