"""gunicorn's logger with device tokens redacted from access and error lines.

Used by ``gunicorn.conf.py`` (read from the project directory): a Hikvision
terminal's secret token is part of its URL, so every access-log line would
otherwise carry it (jinhu/core/redact.py).
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from jinhu.core.redact import RedactTokens


class RedactingLogger(Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(RedactTokens())
