# The CISIP API image: `docker build -t cisip-api .` (see README, "Deploying at scale").
# Stage 1 installs the dependencies, pinned by constraints.txt, into a virtualenv;
# stage 2 copies that virtualenv and the source into a slim image that runs as a non-root user.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY setup.cfg pyproject.toml constraints.txt README.md ./
COPY api ./api
COPY config ./config
# Install the project to pull in exactly its pinned dependencies, then drop the project itself:
# the runtime image runs from /app, where config/ finds migrations/ and instance/.
RUN pip install -c constraints.txt . && pip uninstall -y cisip-api


FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000
RUN groupadd --system --gid 10001 cisip \
    && useradd --system --uid 10001 --gid cisip --home-dir /app --shell /usr/sbin/nologin cisip
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY wsgi.py ./
COPY api ./api
COPY config ./config
COPY migrations ./migrations
# The code stays root-owned and read-only to the app; only instance/ (file storage, outbox) is
# writable. Use STORAGE_URL=s3://… when more than one host runs the API.
RUN mkdir -p /app/instance && chown cisip:cisip /app/instance
USER cisip
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/health/live', timeout=2)"]
# Migrations run once per deploy, not here: `flask --app wsgi db upgrade` (the compose
# file's `migrate` service, or a release job). The same image runs the outbox workers beside
# the API: `flask --app wsgi worker` (the compose file's `worker` service; it serves no HTTP,
# so disable the HEALTHCHECK there).
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "wsgi:app"]
