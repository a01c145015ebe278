"""Response headers Django has no setting for."""

from django.conf import settings
from django.utils.cache import patch_cache_control


def security_headers(get_response):
    """Cross-Origin-Resource-Policy on every response (static files included: this runs
    outside whitenoise); `private, no-store` on any response that carries this visitor's CSRF
    token, so no shared cache ever hands one visitor's token to another.
    """

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        # Django (re)sends the CSRF cookie exactly when the page used the token.
        if settings.CSRF_COOKIE_NAME in response.cookies:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware
