# Repères CPAS, built in stages: dependencies first (cached), then the code; a slim final image.
# No Docker engine runs on the development machines: this file is kept right by reading it.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Dependencies only, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir app && touch app/__init__.py \
    && pip install . \
    && pip uninstall -y reperes-cpas

FROM python:3.11-slim AS final
# WeasyPrint draws the PDFs with Pango; curl is for the HEALTHCHECK.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system reperes && useradd --system --gid reperes --home /srv/reperes reperes
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_ENV=production \
    APP_HOST=0.0.0.0 \
    APP_PORT=8000 \
    APP_WORKERS=2 \
    APP_VAR_DIR=/srv/reperes/var
WORKDIR /srv/reperes
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
COPY content ./content
COPY templates ./templates
COPY static ./static
RUN mkdir -p var && chown -R reperes:reperes var
USER reperes
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
# Migrations are applied at start, then uvicorn serves with APP_WORKERS processes.
CMD ["sh", "-c", "python -m app db upgrade && exec python -m app serve"]
