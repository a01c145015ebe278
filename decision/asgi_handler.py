"""Django's ASGI handler, with requests it cannot even build answered 400 instead of 500.

Django builds the request object before its error handling starts, and building it can fail
on the client's input: a Content-Type that names a charset makes it re-read the query string,
which raises TooManyFieldsSent past DATA_UPLOAD_MAX_NUMBER_FIELDS, and a Content-Type longer
than Django accepts raises BadRequest. Django's handler catches only UnicodeDecodeError and
RequestDataTooBig there, so the others reached the server as a 500.
"""

import logging

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpResponseBadRequest

from .errors import unreadable_request_page

logger = logging.getLogger("django.request")


class ClientErrorsAsgiHandler(ASGIHandler):
    def create_request(self, scope, body_file):
        try:
            return super().create_request(scope, body_file)
        except (BadRequest, SuspiciousOperation) as error:
            logger.warning(
                "Bad Request: %s",
                scope.get("path", ""),
                extra={"status_code": 400, "method": scope.get("method"), "reason": str(error)},
            )
            return None, HttpResponseBadRequest(unreadable_request_page())
