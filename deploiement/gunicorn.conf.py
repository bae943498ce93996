"""gunicorn settings of a Maillage application server: `gunicorn -c deploiement/gunicorn.conf.py maillage.wsgi`.

Read from the environment like the application (deploiement/maillage.env.exemple). With `LOG_FORMAT=json` and
`DEBUG=0`, gunicorn's own lines (start, workers, timeouts) are JSON too, and the access lines are the
application's (logger `maillage.requetes`: they know the user id); otherwise gunicorn writes a text access log,
without IP address and with the tokens of personal links masked (maillage/core/journal_gunicorn.py).
"""

import multiprocessing
import os
import sys
from pathlib import Path

# The project's root on the path: the JSON formatter lives in the application.
RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))

from maillage.core.journal_gunicorn import FORMAT_ACCES  # noqa: E402
from maillage.core.journaux import format_des_journaux  # noqa: E402

_debug = (os.environ.get("DEBUG") or "1").strip().lower() in {"1", "true", "yes", "on", "oui"}
_format = format_des_journaux(os.environ.get("LOG_FORMAT"), debug=_debug)

chdir = str(RACINE)
wsgi_app = "maillage.wsgi"
# Behind the load balancer: listen on the private network only (or 127.0.0.1 with a local reverse proxy).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: 2 per core + 1 is gunicorn's advice; reports run in the task workers, not here.
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
# A request taking longer is a bug or an attack: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then: memory stays bounded whatever a library leaks.
max_requests = 2000
max_requests_jitter = 200
# The load balancer's addresses: only they may set X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER trusts it).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Temporary files of uploads in memory rather than on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None

# Reload and stop through systemd's signals (HUP, TERM): no control socket in the home directory.
control_socket_disable = True
errorlog = "-"
if _format == "json":
    accesslog = None
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "maillage.core.journaux.FormateurJSON"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # The application writes the access lines (with the user id); gunicorn's would repeat them.
            "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
else:
    # Text access lines without IP address and with the secrets of personal links masked.
    accesslog = "-"
    logger_class = "maillage.core.journal_gunicorn.JournalAcces"
    access_log_format = FORMAT_ACCES
