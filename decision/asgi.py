"""The ASGI application production serves (gunicorn with uvicorn workers, gunicorn.conf.py):
Django's synchronous handler behind a front that buffers each request and response, so slow
clients hold sockets, never the thread that runs Django (decision/asgi_handler.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "decision.settings")

django_application = get_wsgi_application()

from decision import analytics  # noqa: E402
from decision.asgi_handler import BufferedWsgi, answer_unreadable_requests  # noqa: E402

# A worker stopped gracefully (a deploy, scaling down) writes the counts it still holds.
application = BufferedWsgi(
    answer_unreadable_requests(django_application), on_shutdown=analytics.flush
)
