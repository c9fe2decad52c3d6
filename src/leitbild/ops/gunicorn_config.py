"""gunicorn's settings for ``leitbild serve --production``.

Loaded with ``-c python:leitbild.ops.gunicorn_config``; options that ``serve`` passes on
the command line (workers, bind, timeout) override these, and so does anything in the
environment variable ``GUNICORN_CMD_ARGS``.
"""

import os

wsgi_app = "leitbild.wsgi:application"
accesslog = "-"
# A worker silent for this long is killed and replaced. Laying out a long brochure and
# receiving a large register upload from the proxy take a while; two minutes covers them.
timeout = 120
graceful_timeout = 30
# Replace each worker after a couple of thousand requests, so that slow memory growth
# (caches, fragmentation) cannot build up for weeks.
max_requests = 2000
max_requests_jitter = 200
# Workers' heartbeat files: in memory where there is /dev/shm (a disk-backed /tmp in a
# container can stall them into being killed).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    # The JSON formatter builds the fields; the message is only a short summary.
    access_log_format = "%(m)s %(U)s %(s)s"
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "leitbild.ops.logging.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": os.environ.get("LOG_LEVEL", "INFO"), "handlers": ["stderr"]},
        "loggers": {
            # Not propagated: Django's logging set-up in each worker gives the root logger
            # a handler of its own, which would print every line twice.
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        },
    }
