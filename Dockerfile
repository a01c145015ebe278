# syntax=docker/dockerfile:1
# One image for every deployment: Kubernetes (deploy/kubernetes) and serverless containers
# (deploy/cloud-run). Build: docker build -t ghcr.io/example/decision-wizard:0.1.0 .
#
# How the app is installed, and why not `pip install .`:
# the project is a Django site, not a library. templates/, static/ and fixtures/ sit beside the
# `decision` package and settings find them through BASE_DIR (the directory above decision/).
# `pip install .` would put a second copy of `decision` into site-packages, where BASE_DIR points
# at site-packages and the templates are missing. So the image installs only the runtime
# dependencies -- exactly [project].dependencies from pyproject.toml, never the dev extra -- into a
# virtualenv, and runs the source from /app, the same layout as a checkout with manage.py.
# Installing the dependencies before copying the source also keeps that slow layer cached
# while only the code changes.

# ---- builder: dependencies, static files --------------------------------------------------
FROM python:3.13-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH

RUN python -m venv /opt/venv

WORKDIR /app
COPY pyproject.toml ./
# Every dependency has a wheel for linux (psycopg[binary] included): no compiler needed.
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --requirement /tmp/requirements.txt

COPY . .

# Hashed, pre-compressed static files for whitenoise, built once here instead of at every start.
# These values exist only for this command: production settings refuse to load without
# SECRET_KEY and ALLOWED_HOSTS, and none of them is written into the image's environment.
# Then bytecode, compiled ahead of time: the root filesystem is read-only at run time, and a
# cold start (scaling up from zero) should not spend time compiling.
RUN DEBUG=false SECRET_KEY=build-time-only-not-a-secret ALLOWED_HOSTS=build \
        python manage.py collectstatic --noinput \
    && python -m compileall -q decision

# ---- runtime ---------------------------------------------------------------------------------
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEBUG=false \
    PORT=8000 \
    PATH=/opt/venv/bin:$PATH

# A fixed numeric uid, so Kubernetes can check runAsNonRoot/runAsUser against the image.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin app

# Owned by root and read-only for the app user: the process cannot modify its own code.
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app
WORKDIR /app

USER 10001
EXPOSE 8000

# For `docker run` and Compose (Kubernetes and Cloud Run use their own probes). Django checks
# the Host header, so the request names the first ALLOWED_HOSTS entry rather than 127.0.0.1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; u.urlopen(u.Request('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), headers={'Host': h}), timeout=4)"]

# Gunicorn manages the processes; each runs uvicorn's event loop serving Django over ASGI, so a
# client that sends or reads slowly holds a socket, not a worker (see gunicorn.conf.py).
#
# One process per container. The task worker, which sends the email about each new lead, is
# this image with another command, in a second container beside the web one:
#   docker run IMAGE python manage.py db_worker
# (same environment as the web container; Kubernetes: deploy/kubernetes/worker.yaml). Both in
# one container would need a supervisor to forward signals and stop one when the other dies;
# the platform already does that for two containers.
CMD ["gunicorn", "decision.asgi:application", "--config", "gunicorn.conf.py"]
