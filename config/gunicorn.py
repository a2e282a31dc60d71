"""gunicorn's settings for the web container: the Dockerfile and docker-compose.yml start it with
`gunicorn config.wsgi -c config/gunicorn.py`. Command-line flags still override these."""

import os

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Worker heartbeat files in memory rather than on the image's file system (gunicorn's advice
# for containers); elsewhere gunicorn's default.
SHARED_MEMORY = "/dev/shm"  # noqa: S108 (gunicorn's own files, created with mkstemp)
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
# The access log goes to stdout; RedactingLogger keeps link tokens and check-in codes out of it.
accesslog = "-"


class RedactingLogger(Logger):
    """gunicorn's logger with every secret a URL carries replaced by <secret>, by route, with
    the same function as the app's own logs (core.logging.redact): the request line, path,
    query, referer and any header or environ value a custom access_log_format might print, and
    the paths gunicorn's error log names ("Error handling request /...")."""

    def setup(self, cfg):
        super().setup(cfg)
        from core.logging import RedactSecretsFilter

        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactSecretsFilter) for f in log.filters):
                log.addFilter(RedactSecretsFilter())

    def atoms(self, resp, req, environ, request_time):
        from core.logging import redact

        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }


logger_class = RedactingLogger
