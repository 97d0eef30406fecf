# Production image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --system --home /app jinhu && mkdir -p /srv/jinhu/media /srv/jinhu/static \
    && chown -R jinhu /srv/jinhu
USER jinhu
EXPOSE 8000
