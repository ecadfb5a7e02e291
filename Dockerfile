# PBJ Helpdesk bot — UNTESTED starting point (never built in the project's environment).
# See docs/deployment.md, section "Docker".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MPLCONFIGDIR=/tmp/matplotlib

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin pbjbot \
    && install -d -o pbjbot -g pbjbot -m 0750 /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install . && rm -rf /app/build

USER pbjbot
VOLUME ["/data"]
# Webhook mode only (listen = "0.0.0.0" in the config); polling needs no port.
EXPOSE 8443
# The bot shuts down cleanly on SIGTERM within a few seconds; use `docker stop -t 15`.
STOPSIGNAL SIGTERM
ENTRYPOINT ["pbj-helpdesk"]
CMD ["run", "--config", "/etc/pbj-helpdesk/config.toml"]
