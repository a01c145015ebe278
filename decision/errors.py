"""The site's own error pages (400, 403, 404, 405, 500), which never fail themselves.

Django's default handlers check the CSRF token, which reads `request.POST`: a malformed
multipart body then raises inside the handler and a 404 becomes a 500. These render a page
from the request's method and path alone.
"""

from urllib.parse import urlsplit

from django.core.exceptions import DisallowedHost
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

_MESSAGES = {
    400: (
        "We could not read that request",
        "Something in it was malformed. Go back and try again.",
    ),
    403: (
        "This page is not open to you",
        "You may need to sign in, or reload the page you came from and try again.",
    ),
    405: (
        "This page cannot be opened that way",
        "It answers only the way the site's own links and forms use it.",
    ),
}


def method_not_allowed_page(get_response):
    """Give the bodiless 405 that `require_POST` and friends return the site's own page."""

    def middleware(request):
        response = get_response(request)
        if response.status_code == 405 and not response.content:
            page = _page(request, 405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response

    return middleware


ADMIN_SEARCH_LENGTH = 200


def admin_search_limit(get_response):
    """Refuse an admin search longer than anyone types: SQLite rejects LIKE patterns of 50 KB.

    Every admin list with a search box shares the one `q` parameter, so one check covers the
    content, results and users alike.
    """

    def middleware(request):
        if request.path.startswith("/admin/") and len(request.GET.get("q", "")) > (
            ADMIN_SEARCH_LENGTH
        ):
            context = {
                "status": 400,
                "title": "That search is too long",
                "message": f"Search for at most {ADMIN_SEARCH_LENGTH} characters: a word or "
                "two from a title, a slug or a label is enough.",
            }
            return render(request, "error.html", context, status=400)
        return get_response(request)

    return middleware


def csrf_failure(request, reason=""):
    """A form posted without its token (an old tab, cookies blocked): say so, offer a way back."""
    context = {
        "status": 403,
        "title": "This form has expired",
        "message": "Forms on this site carry a security token that expires or is missing when "
        "cookies are blocked. Go back, reload the page, and send the form again; your answers "
        "are kept in the page's address.",
        "back_url": _way_back(request),
    }
    return render(request, "error.html", context, status=403)


def _way_back(request) -> str | None:
    """Where the failed form came from, when that is a page of this site (its step URL holds
    the answers), else the wizard the form belongs to."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={host}):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.url_name == "wizard_finish":
        return reverse("decision:wizard", args=[match.kwargs["slug"]])
    return None


def bad_request(request, exception=None):
    return _page(request, 400)


def permission_denied(request, exception=None):
    return _page(request, 403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: whatever failed may fail again while rendering it.
    return HttpResponseServerError(render_to_string("500.html"))


def unreadable_request_page() -> str:
    """The 400 page for a request too malformed to become a request object."""
    title, message = _MESSAGES[400]
    return render_to_string("error.html", {"status": 400, "title": title, "message": message})


def _page(request, status: int):
    title, message = _MESSAGES[status]
    context = {"status": status, "title": title, "message": message}
    return render(request, "error.html", context, status=status)
