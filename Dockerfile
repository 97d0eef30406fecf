# Production image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# pg_dump and pg_restore for `backup` and `restore_drill` (version 15, as the db service).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --system --home /app jinhu \
    && mkdir -p /srv/jinhu/media /srv/jinhu/static /srv/jinhu/backups /srv/jinhu/archive \
    && chown -R jinhu /srv/jinhu
USER jinhu
EXPOSE 8000
