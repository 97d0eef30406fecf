# gunicorn reads this file from the working directory (the project root).
# Device tokens never reach an access or error log line (jinhu/core/redact.py).
logger_class = "jinhu.core.gunicorn_logging.RedactingLogger"
