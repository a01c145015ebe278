"""The scoping-call form and the "Was this right for you?" vote: the site's public forms.

Both are pages of their own, never cached (they carry the visitor's CSRF token), which the
comparison and result pages link to; with htmx the result page loads them in place, and
sending one swaps in its confirmation. Without JavaScript, a sent form redirects to its
confirmation, so a reload never sends it twice. A form with errors answers 422 with the
fields marked (which htmx swaps in, as the page's config says).
"""

from __future__ import annotations

import logging
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_http_methods

from . import analytics
from . import wizard_events as events
from .lead_forms import LeadForm, VoteForm, consent_text
from .limits import allow_form, retry_after
from .models import Comparison, Result, Vote
from .notifications import notify_lead
from .presenters import result_view
from .snapshot import read_snapshot
from .views import TOKEN, HtmxHttpRequest, _content_or_404, _result_or_404, content_view

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "HEAD", "POST"])
@content_view
def call(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Book a scoping call: the form, its confirmation, or the wait when too many were sent."""
    found = _content_or_404(request, slug)
    offer = found.content.call_offer
    if offer is None:
        raise Http404("This comparison offers no call")
    data = request.POST if request.method == "POST" else request.GET
    linked = _linked_result(data.get("result", ""))
    context = {
        "comparison": found.content,
        "offer": offer,
        "linked": linked,
        "action": reverse("decision:call", args=[slug]),
        "back_url": linked.get_absolute_url()
        if linked
        else reverse("decision:comparison", args=[slug]),
    }
    # Loaded into another page (the result's call section): no way back, and a heading one
    # level down, under that section's own.
    action = context["action"]
    embedded = bool(request.htmx) and urlsplit(request.htmx.current_url or "").path != action
    context |= {"embedded": embedded, "heading": "h3" if embedded else "h2"}
    if linked is not None:
        snapshot = read_snapshot(linked.snapshot)
        context["outcome_name"] = result_view(
            snapshot.content, snapshot.recommendation
        ).outcome_name

    if request.method != "POST":
        sent = "sent" in request.GET
        form = None if sent else LeadForm(initial={"result": linked.token if linked else ""})
        return _form_page(request, "decision/call.html", context | {"form": form, "sent": sent})

    form = LeadForm(request.POST)
    if not form.is_trapped() and not form.is_valid():
        # Checked before the fill time, so a person who sends too soon sees what is missing.
        return _form_page(request, "decision/call.html", context | {"form": form}, status=422)
    if form.is_trapped() or form.too_quick():
        # A script's: answered as if sent, so it learns nothing, and nothing is kept or sent.
        logger.info("Dropped a scoping-call form filled in by a script")
        return _sent(request, "decision/call.html", context, _sent_url(context, linked))
    if not allow_form(request, "lead"):
        return _too_many(request, "decision/call.html", context)

    with transaction.atomic():
        lead = form.save(commit=False)
        lead.comparison = Comparison.objects.filter(slug=slug).first()
        lead.comparison_slug = slug
        lead.result = linked
        lead.consent = consent_text()
        lead.save()
        transaction.on_commit(
            partial(
                notify_lead.enqueue,
                lead.pk,
                result_url=request.build_absolute_uri(linked.get_absolute_url()) if linked else "",
                admin_url=request.build_absolute_uri(
                    reverse("admin:decision_lead_change", args=[lead.pk])
                ),
            )
        )
    analytics.record(request, slug, found.fingerprint, [(events.LEAD, "")])
    return _sent(request, "decision/call.html", context, _sent_url(context, linked))


@require_http_methods(["GET", "HEAD", "POST"])
def vote(request: HtmxHttpRequest, slug: str, token: str) -> HttpResponse:
    """ "Was this right for you?" for one result: one vote per result, no account."""
    found = _result_or_404(slug, token)
    action = reverse("decision:vote", args=[slug, token])
    context = {
        "result": found,
        "comparison": read_snapshot(found.snapshot).content,
        "action": action,
        "back_url": found.get_absolute_url(),
    }
    existing = Vote.objects.filter(result=found).first()
    if existing is not None:
        # One per result: a second vote is not taken, and the first is shown (with thanks,
        # when a vote sent without JavaScript comes back here).
        sent = request.method != "POST" and "sent" in request.GET
        return _form_page(request, "decision/vote.html", context | {"vote": existing, "sent": sent})
    if request.method != "POST":
        return _form_page(request, "decision/vote.html", context | {"form": VoteForm()})

    form = VoteForm(request.POST)
    if form.is_trapped():
        logger.info("Dropped a vote filled in by a script")
        return _sent(request, "decision/vote.html", context, f"{action}?sent=1")
    if not form.is_valid():
        return _form_page(request, "decision/vote.html", context | {"form": form}, status=422)
    if not allow_form(request, "vote"):
        return _too_many(request, "decision/vote.html", context)
    try:
        with transaction.atomic():
            cast = form.save(commit=False)
            cast.result = found
            cast.comparison_slug = found.comparison_slug
            cast.outcome = found.outcome
            cast.content_id = found.content_id
            cast.save()
    except IntegrityError:  # another request voted first: theirs stands
        cast = Vote.objects.get(result=found)
        return _form_page(request, "decision/vote.html", context | {"vote": cast})
    fingerprint = found.content.fingerprint
    analytics.record(request, slug, fingerprint, [(events.VOTE, cast.answer)])
    return _sent(request, "decision/vote.html", context | {"vote": cast}, f"{action}?sent=1")


def _linked_result(token: str) -> Result | None:
    """The result a lead was asked from; a token that names none links nothing."""
    if not token or not TOKEN.fullmatch(token):
        return None
    # Tokens are unique and unguessable: a result keeps its link when the comparison is renamed.
    return Result.objects.select_related("content").filter(token=token).first()


def _sent_url(context: dict, linked: Result | None) -> str:
    query = f"?sent=1&result={linked.token}" if linked else "?sent=1"
    return context["action"] + query


def _sent(request: HtmxHttpRequest, template: str, context: dict, url: str) -> HttpResponse:
    """The confirmation: swapped in place by htmx, else a redirect to it (a reload is safe)."""
    if request.htmx:
        return _form_page(request, template, context | {"sent": True})
    return redirect(url)


def _too_many(request: HtmxHttpRequest, template: str, context: dict) -> HttpResponse:
    """429: this client sent its allowance of forms; nothing was kept."""
    window = settings.FORMS_WINDOW_SECONDS
    wait = retry_after(window=window)
    context |= {
        "limited": True,
        "limit": settings.FORMS_PER_CLIENT,
        "window_minutes": max(1, window // 60),
        "wait_minutes": max(1, -(-wait // 60)),
    }
    response = _form_page(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response


def _form_page(request: HtmxHttpRequest, template: str, context: dict, status: int = 200):
    """The page, or with htmx its `panel` partial; never cached, never indexed."""
    name = template + ("#panel" if request.htmx else "")
    response = render(request, name, context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    patch_vary_headers(response, ["HX-Request"])
    response["X-Robots-Tag"] = "noindex"
    return response
