"""Response headers Django has no setting for."""

from django.conf import settings
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.utils.cache import patch_cache_control
from django.utils.csp import CSP, build_policy


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


class SitePolicyMiddleware(ContentSecurityPolicyMiddleware):
    """Django's CSP middleware, with the site-wide policy built once instead of per response.

    The policy uses no nonce (every script is a file), so it is the same string for every
    response; a view that sets its own policy (Django's csp_override) is still built as usual.
    """

    _built: tuple[object, str | None] | None = None

    def process_response(self, request, response):
        config = settings.SECURE_CSP
        if self._built is None or self._built[0] is not config:
            # A policy with a nonce differs per response: Django builds that one.
            fixed = bool(config) and CSP.NONCE not in str(config)
            self._built = (config, build_policy(config) if fixed else None)
        policy = self._built[1]
        header = str(CSP.HEADER_ENFORCE)
        if policy and header not in response and getattr(response, "_csp_config", config) is config:
            response.headers[header] = policy
        return super().process_response(request, response)
