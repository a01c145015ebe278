import itertools
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache, wraps

from django.conf import settings
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails
from markdown_it import MarkdownIt

from . import analytics, costs
from . import wizard as steps
from . import wizard_events as events
from .adr import AdrForm, file_name
from .content.schema import ComparisonSchema
from .content.store import InvalidContent
from .engine import Model, Question, effective_answers
from .estimate_form import EstimateForm
from .estimate_presenter import present
from .estimates import plans_of, priced_options, suggested
from .forms import StepForm
from .limits import allow_new_result, retry_after
from .models import Comparison, Result
from .page_cache import cached_page
from .placement_map import diagram
from .presenters import result_view
from .services import (
    CachedContent,
    cached_content,
    content_at_version,
    create_result,
    existing_result,
    permalink,
)
from .short_answer import first_sentences, winner_tally
from .snapshot import read_snapshot
from .step_presenter import WizardUrls, present_step
from .structured_data import faq_page
from .tables import dimension_rows

logger = logging.getLogger(__name__)
PUBLISHED = Comparison.Status.PUBLISHED


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it."""

    htmx: HtmxDetails


def content_view(view):
    """Answer 503 with a plain explanation when a comparison's stored content is unreadable.

    The write gate keeps that from happening; this covers rows changed around it.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except InvalidContent:
            logger.exception("Stored content failed validation")
            response = render(request, "decision/unavailable.html", status=503)
            response["Retry-After"] = "300"
            return response

    return wrapper


@require_safe
def index(request):
    published = Comparison.objects.filter(status=Comparison.Status.PUBLISHED)
    latest = published.aggregate(updated_at=Max("updated_at"), count=Count("pk"))
    return cached_page(
        request,
        parts=("index", latest["count"]),
        updated_at=latest["updated_at"] or datetime.fromtimestamp(0, UTC),
        render=lambda: render(
            request,
            "decision/index.html",
            {"comparisons": published.prefetch_related("options")},
        ),
    )


@require_safe
def privacy(request):
    """What the site stores, why and for how long: docs/privacy.md, the one text of it."""
    return render(request, "decision/privacy.html", {"privacy": privacy_html()})


@lru_cache(maxsize=1)
def privacy_html() -> str:
    text = (settings.BASE_DIR / "docs" / "privacy.md").read_text(encoding="utf-8")
    # CommonMark with raw HTML off: the file is ours, and still only Markdown reaches the page.
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = markdown.parse(text)
    for heading, inline in itertools.pairwise(tokens):
        if heading.type == "heading_open":  # ids as GitHub makes them: the doc's own links
            heading.attrSet("id", _heading_id(inline.content))
    return markdown.renderer.render(tokens, markdown.options, {})


def _heading_id(text: str) -> str:
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


@require_safe
@content_view
def comparison_detail(request, slug):
    found = _content_or_404(request, slug)
    content = found.content

    def page():
        rows = dimension_rows(content)
        return render(
            request,
            "decision/comparison.html",
            {
                "comparison": content,
                "rows": rows,
                "faq_data": faq_page(content.faq),
                "short_answer": first_sentences(content.default_advice),
                "tally": winner_tally(rows),
                "cost_url": reverse("decision:costs", args=[slug])
                if priced_options(content)
                else None,
            },
        )

    return _content_page(request, found, parts=("comparison", slug), render=page)


@require_safe
@content_view
def wizard(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Show a step; a submitted step (`from=`) moves on to the next one or shows its error."""
    found = _content_or_404(request, slug, needs_questions=True)
    model = found.model
    state = steps.parse(model, _pairs(request.GET))
    if state.submitted is None:
        question = steps.current_question(model, state.answers, state.step)
        if question is None:  # every question that applies is answered
            return _go_to(request, found, state.answers, None, state.notices)
        if not state.answers and _is_visit(request):
            analytics.record(request, slug, found.fingerprint, events.start_events(question))
        return _step_response(
            request, found, state.answers, question, state.notices, state.back_to_review
        )

    question = model.question(state.submitted)
    form = StepForm(question, request.GET)
    if not form.is_valid():
        return _step_response(
            request, found, state.answers, question, state.notices, state.back_to_review, form
        )
    answers = steps.with_answer(model, state.answers, question.slug, form.answer)
    upcoming = steps.following(model, answers, question.slug, back_to_review=state.back_to_review)
    again = state.back_to_review or state.again  # a change, not a first answer
    if events.is_first_answer(model, state.answers, question, back_to_review=again):
        counted = events.answer_events(question, form.answer, upcoming)
        analytics.record(request, slug, found.fingerprint, counted)
    return _go_to(
        request, found, answers, upcoming, state.notices, back_to_review=state.back_to_review
    )


@require_safe
@content_view
def wizard_review(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Check your answers: each with a link to change it, and the button that finishes.

    Answers that leave a question unanswered lead to that question instead.
    """
    found = _content_or_404(request, slug, needs_questions=True)
    model = found.model
    state = steps.parse(model, _pairs(request.GET), submission=False)
    unanswered = steps.current_question(model, state.answers, None)
    if unanswered is not None:
        return _go_to(request, found, state.answers, unanswered, state.notices)
    return _step_response(request, found, state.answers, None, state.notices)


@require_http_methods(["GET", "HEAD", "POST"])
@content_view
def wizard_finish(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The review page's button: freeze the recommendation as a Result and redirect to it.

    Opened as a page (a bookmark, a reload after a failed post), it leads back into the
    wizard with the answers its address carries: the review page, or the next question.
    """
    found = _content_or_404(request, slug, needs_questions=True)
    content, model = found.content, found.model
    if request.method != "POST":
        state = steps.parse(model, _pairs(request.GET), submission=False)
        unanswered = steps.current_question(model, state.answers, None)
        if unanswered is None:
            return redirect(review_url(slug, model, state.answers))
        return redirect(step_url(slug, model, state.answers, unanswered.slug))
    state = steps.parse(model, _pairs(request.POST))
    answers = state.answers
    if state.submitted is not None:
        # A step's form posted here (a page from before the review page existed).
        question = model.question(state.submitted)
        form = StepForm(question, request.POST)
        if not form.is_valid():
            return _step_response(request, found, answers, question, state.notices, form=form)
        answers = steps.with_answer(model, answers, question.slug, form.answer)

    unanswered = steps.current_question(model, answers, None)
    if unanswered is not None:
        # The last answer opened a follow-up question (or answers were missing): ask it.
        return _go_to(request, found, answers, unanswered, state.notices)
    if state.notices:
        # Something in the post was dropped: show the answers kept, with what was dropped,
        # before anything is saved.
        return _step_response(request, found, answers, None, state.notices)

    result = existing_result(found.fingerprint, answers)
    if result is None:
        if not allow_new_result(request):
            return _too_many_results(request, found, answers)
        result = create_result(content, answers, model=model, content_fingerprint=found.fingerprint)
    analytics.record(request, slug, found.fingerprint, events.result_events(result.outcome))
    if request.htmx:
        return HttpResponseClientRedirect(result.get_absolute_url())
    return redirect(result)


def _is_visit(request: HtmxHttpRequest) -> bool:
    """A page opened by a visitor, not one their browser reloads or restores from history."""
    return not analytics.is_revalidation(request) and not (
        request.htmx and request.htmx.history_restore_request
    )


def _too_many_results(request: HtmxHttpRequest, found: CachedContent, answers: dict[str, str]):
    """429: this client made its allowance of new results; its answers are kept in the link."""
    wait = retry_after()
    context = {
        "comparison": found.content,
        "limit": settings.RESULTS_PER_CLIENT,
        "window_minutes": max(1, settings.RESULTS_WINDOW_SECONDS // 60),
        "wait_minutes": max(1, -(-wait // 60)),
        "review_url": step_url(found.content.slug, found.model, answers),
    }
    template = "decision/too_many_results.html" + ("#message" if request.htmx else "")
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def result(request: HtmxHttpRequest, slug, token):
    """A permalink: rendered from the result's own snapshot, whatever became of the content."""
    if request.htmx:  # the estimate section, updated in place
        return _unlisted(_estimate_section(request, slug, token))
    row = permalink(slug, token) if TOKEN.fullmatch(token) else None
    if row is None:
        raise Http404("No such result")
    created_at, saved_fingerprint, current = row
    live = _live_content(*current) if current else None
    content_changed = live is not None and live.fingerprint != saved_fingerprint
    if request.GET:
        # An estimate the visitor edited: rendered afresh (the inputs are theirs, not cached).
        response = _render_result(request, _result_or_404(slug, token), live, content_changed)
    else:
        # The snapshot never changes; only the links to today's content can.
        response = cached_page(
            request,
            parts=("result", token, live and live.content.slug, content_changed),
            updated_at=max(created_at, live.updated_at) if live else created_at,
            render=lambda: _render_result(
                request, _result_or_404(slug, token), live, content_changed
            ),
        )
    patch_vary_headers(response, ["HX-Request"])
    return _unlisted(response)


def _estimate_section(request: HtmxHttpRequest, slug: str, token: str) -> HttpResponse:
    """A result's estimate alone, with the ADR form's copy of the inputs swapped out of band."""
    found = _result_or_404(slug, token)
    snapshot = read_snapshot(found.snapshot)
    context = _estimate_context(request, snapshot.content, found.answers, found.get_absolute_url())
    if context is None:
        raise Http404("This result has no cost estimate")
    context["adr_url"] = reverse("decision:result_adr", args=[slug, token])
    response = render(request, "decision/includes/estimate.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _unlisted(response):
    """A visitor's own result: kept out of search engines and shared caches."""
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True)
    return response


def _live_content(pk: int, slug: str, updated_at) -> CachedContent | None:
    """Today's published content of a result's comparison, or None if it cannot be offered."""
    try:
        found = content_at_version(slug, pk, updated_at)
    except InvalidContent:
        logger.exception("Stored content failed validation")
        return None
    if found is None or found.content.status != PUBLISHED or not found.content.questions:
        return None
    return found


def _render_result(request, found: Result, live: CachedContent | None, content_changed: bool):
    snapshot = read_snapshot(found.snapshot)
    content = snapshot.content
    view = result_view(content, snapshot.recommendation)
    estimate = _estimate_context(request, content, found.answers, found.get_absolute_url())
    context = {
        **(estimate or {}),
        "comparison": content,
        "result": found,
        "view": view,
        "diagram": diagram(view.placements),
        "adr_form": AdrForm(),
        "cost_url": "#estimate" if estimate else None,
        "content_changed": content_changed,
        "permalink": request.build_absolute_uri(found.get_absolute_url()),
        "adr_url": reverse("decision:result_adr", args=[found.comparison_slug, found.token]),
        "vote_url": reverse("decision:vote", args=[found.comparison_slug, found.token]),
    }
    if live is not None and live.content.call_offer is not None:
        # Today's offer, under the comparison's current address, linked to this result.
        call = reverse("decision:call", args=[live.content.slug])
        context |= {
            "call_offer": live.content.call_offer,
            "call_url": f"{call}?result={found.token}",
        }
    if live is not None:
        # Links into the wizard as it is today (under the comparison's current address).
        model = live.model
        answers = effective_answers(model, found.answers)
        slug = live.content.slug
        context |= {
            "comparison_url": reverse("decision:comparison", args=[slug]),
            "wizard_url": reverse("decision:wizard", args=[slug]),
            "review_url": review_url(slug, model, answers),
            "rerun_url": step_url(slug, model, answers),
        }
    return render(request, "decision/result.html", context)


@require_safe
def result_adr(request, slug, token):
    """The result as an Architecture Decision Record, titled and numbered as the visitor asks."""
    found = _result_or_404(slug, token)
    form = AdrForm(request.GET)
    if not form.is_valid():
        context = {
            "status": 400,
            "title": "That decision record cannot be made",
            "message": " ".join(error for errors in form.errors.values() for error in errors),
            "back_url": found.get_absolute_url(),
        }
        return _unlisted(render(request, "error.html", context, status=400))
    snapshot = read_snapshot(found.snapshot)
    content = snapshot.content
    view = result_view(content, snapshot.recommendation)
    title, number, deciders = form.record(view.default_title)
    estimate = _estimate_context(request, content, found.answers, found.get_absolute_url())
    text = render_to_string(
        "decision/adr.md",
        {
            **(estimate or {}),
            "comparison": content,
            "result": found,
            "view": view,
            "title": title,
            "number": number,
            "deciders": deciders,
            "permalink": request.build_absolute_uri(found.get_absolute_url()),
        },
    )
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name(number, title)}"'
    return _unlisted(response)


@require_safe
@content_view
def cost_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The cost estimate on its own: the same form and chart, a permalink per set of inputs."""
    found = _content_or_404(request, slug)
    content = found.content
    action = reverse("decision:costs", args=[slug])

    def page():
        context = _estimate_context(request, content, {}, action)
        if context is None:
            raise Http404("This comparison has no prices")
        if request.htmx:
            return render(request, "decision/includes/estimate.html", context)
        context |= {
            "comparison": content,
            "comparison_url": reverse("decision:comparison", args=[slug]),
            "wizard_url": reverse("decision:wizard", args=[slug]) if content.questions else None,
        }
        return render(request, "decision/costs.html", context)

    if request.htmx or request.GET or content.status != PUBLISHED:
        response = page()
        if content.status != PUBLISHED:
            patch_cache_control(response, private=True, no_store=True)
    else:
        response = _content_page(request, found, parts=("costs", slug), render=page)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _estimate_context(
    request: HttpRequest, content: ComparisonSchema, answers: Mapping[str, str], action: str
) -> dict | None:
    """The estimate section's context: the form as the visitor filled it, and its figures.

    A value that cannot be used is shown with its error, and the figures use what the content
    and the answers suggest for it instead; None when the comparison has no prices.
    """
    if not any(option.plans for option in content.options):
        return None
    hints = suggested(content, answers)
    form = EstimateForm(content, hints, request.GET)
    usable = form
    if not form.is_valid():
        kept = {name: value for name, value in request.GET.items() if name not in form.errors}
        usable = EstimateForm(content, hints, kept)
        if not usable.is_valid():  # the content's own suggestion is refused: show no figures
            logger.error("Estimate suggestions fail their form: %s", usable.errors.as_json())
            return None
    plans = plans_of(content)
    figures = costs.estimate(plans, usable.inputs(), priced_options(content))
    names = {option.slug: option.name for option in content.options}
    return {
        "estimate": present(figures, plans, names),
        "estimate_form": form,
        "estimate_action": action,
        "estimate_link": request.build_absolute_uri(f"{action}?{usable.query()}"),
        "estimate_values": usable.values(),
    }


def _content_or_404(request, slug, *, needs_questions=False) -> CachedContent:
    """Content a visitor may see: published, or a draft shown to staff."""
    found = cached_content(slug)
    if found is None or (needs_questions and not found.content.questions):
        raise Http404("No such comparison")
    if found.content.status != PUBLISHED and not request.user.is_staff:
        raise Http404("No such comparison")
    return found


def _content_page(request, found: CachedContent, *, parts: tuple, render):
    """A page that shows content: cached whole when public, rendered afresh for a draft."""
    if found.content.status == PUBLISHED:
        return cached_page(request, parts=parts, updated_at=found.updated_at, render=render)
    response = render()
    patch_cache_control(response, private=True, no_store=True)
    return response


TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _result_or_404(slug, token) -> Result:
    # Tokens are URL-safe base64; anything else cannot exist (and some databases reject NULs).
    if not TOKEN.fullmatch(token):
        raise Http404("No such result")
    found = Result.objects.select_related("content").filter(token=token, comparison_slug=slug)
    found = found.first()
    if found is None:
        raise Http404("No such result")
    return found


def _pairs(querydict) -> list[tuple[str, str]]:
    return [(key, value) for key, values in querydict.lists() for value in values]


def step_url(
    slug: str,
    model: Model,
    answers: Mapping[str, str],
    step: str | None = None,
    *,
    back_to_review: bool = False,
) -> str:
    """A wizard step's address: these answers, and the question to show (else the first
    unanswered one); `back_to_review` returns to the review page once it is answered."""
    base = reverse("decision:wizard", args=[slug])
    return steps.url(base, model, answers, step, back_to_review=back_to_review)


def review_url(slug: str, model: Model, answers: Mapping[str, str]) -> str:
    """The "check your answers" page for these answers (the result's "Change an answer")."""
    return steps.url(reverse("decision:wizard_review", args=[slug]), model, answers)


def _wizard_urls(slug: str) -> WizardUrls:
    return WizardUrls(
        wizard=reverse("decision:wizard", args=[slug]),
        review=reverse("decision:wizard_review", args=[slug]),
        finish=reverse("decision:wizard_finish", args=[slug]),
        comparison=reverse("decision:comparison", args=[slug]),
    )


def _go_to(
    request: HtmxHttpRequest,
    found: CachedContent,
    answers: dict[str, str],
    question: Question | None,
    notices: list[str],
    *,
    back_to_review: bool = False,
) -> HttpResponse:
    """After a valid answer: the next step (None: the review page), as a redirect or a swap."""
    slug, model = found.content.slug, found.model
    if question is None:
        url = review_url(slug, model, answers)
    else:
        url = step_url(slug, model, answers, question.slug, back_to_review=back_to_review)
    if request.htmx or notices:
        # Render in place: htmx swaps it (and pushes the URL); notices must reach the reader.
        response = _step_response(request, found, answers, question, notices, back_to_review)
        response["HX-Push-Url"] = url
        return response
    return redirect(url)


def _step_response(
    request: HtmxHttpRequest,
    found: CachedContent,
    answers: dict[str, str],
    question: Question | None,
    notices: list[str],
    back_to_review: bool = False,
    form: StepForm | None = None,
) -> HttpResponse:
    """Render one step (or the review page when `question` is None), whole or as a partial."""
    content, model = found.content, found.model
    slug = question.slug if question else None
    # htmx asks for the whole page when it restores history: that request gets the plain page.
    swap = bool(request.htmx) and not request.htmx.history_restore_request
    template = "decision/wizard.html" + ("#step" if swap else "")
    submitted = form is not None and form.is_bound

    def page():
        shown = form
        if question is not None and shown is None:  # built only when the page is rendered
            shown = StepForm(question, answer=answers.get(slug))
        view = present_step(
            content,
            model,
            answers,
            question,
            notices=notices,
            urls=_wizard_urls(content.slug),
            back_to_review=back_to_review,
            has_error=bool(shown is not None and shown.errors),
        )
        context = {"comparison": content, "view": view, "form": shown, "is_htmx": swap}
        return render(request, template, context)

    if question is None or request.method != "GET":
        # The review page posts, so it carries this visitor's CSRF token: never shared.
        response = page()
    elif notices or submitted or (request.htmx and not swap):
        # A page that answers this one request (notices about its URL, a form error, a
        # history restore) is served as rendered and never stored.
        response = page()
    else:
        # A plain step depends only on the answers, the step and the content: cached under
        # the canonical query, whatever else (order, tracking parameters) the URL carried.
        query = steps.query(model, answers, slug, back_to_review=back_to_review)
        response = _content_page(request, found, parts=("step", query, template), render=page)
    patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
    return response
