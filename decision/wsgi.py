"""The WSGI application, for `manage.py runserver` (production serves decision.asgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "decision.settings")

from decision.asgi_handler import answer_unreadable_requests

application = answer_unreadable_requests(get_wsgi_application())
