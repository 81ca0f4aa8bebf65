# One image for every service and the gateway; docker-compose.yml picks the entrypoint per container.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    METRICS_PORT=9100

WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY config.yaml ./
COPY infra ./infra
COPY contracts ./contracts
COPY services ./services
COPY gateway ./gateway

RUN useradd --system --uid 10001 crm && mkdir -p /app/var && chown crm /app/var
USER crm

# 8000: the gateway's HTTP; 9100: every process's Prometheus metrics (METRICS_PORT).
EXPOSE 8000 9100

# Overridden per container in docker-compose.yml.
CMD ["nameko", "run", "--config", "config.yaml", "gateway.service:GatewayService"]
