# gunicorn reads this file from the working directory (the project root).
# Device tokens never reach an access or error log line (jinhu/core/redact.py).
logger_class = "jinhu.core.gunicorn_logging.RedactingLogger"


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR set, a dead worker's live gauges are dropped
    (its counters and histograms stay, merged into /metrics)."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
