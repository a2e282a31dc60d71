# syntax=docker/dockerfile:1
# Coproduce production image: one image for web (gunicorn), worker and beat (celery).
# docker-compose.yml shows how the three are run.

# --- Front-end assets: Bootstrap and htmx from package-lock.json, served by the app itself.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# --- The application.
FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    WEB_CONCURRENCY=3

# WeasyPrint's system libraries (Pango, HarfBuzz, fontconfig) and fonts for the PDFs.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libfontconfig1 \
        fonts-dejavu-core \
        fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. pyproject.toml is the single list
# of dependencies and constraints.txt pins them; the project itself has no packages to install
# (`packages = []`), the code runs from /app.
COPY pyproject.toml constraints.txt ./
RUN pip install --constraint constraints.txt .

COPY --from=assets /build/node_modules/bootstrap/dist /app/node_modules/bootstrap/dist
COPY --from=assets /build/node_modules/htmx.org/dist /app/node_modules/htmx.org/dist
COPY . .

# Production settings refuse to load without a secret key and allowed hosts; these dummy values
# exist only for this build step and are not kept in the image.
RUN DJANGO_SECRET_KEY=collectstatic-build-step-only-never-used-to-serve-requests \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

# Runs as an unprivileged user; only uploaded media is writable.
RUN groupadd --system --gid 1000 coproduce \
    && useradd --system --uid 1000 --gid coproduce --home-dir /app --no-create-home coproduce \
    && mkdir -p /app/media \
    && chown coproduce:coproduce /app/media
USER coproduce

EXPOSE 8000
# config/gunicorn.py: bind, worker tmp dir, and an access log with URL secrets redacted by route.
CMD ["gunicorn", "config.wsgi", "--config", "config/gunicorn.py"]
