import re
from datetime import UTC, datetime

from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from . import wizard as steps
from .content.engine_data import engine_model
from .engine import NOT_SURE, NOT_SURE_LABEL, effective_answers
from .forms import StepForm
from .models import Comparison, Result
from .page_cache import cached_page
from .presenters import result_view
from .services import (
    CachedContent,
    cached_content,
    content_at_version,
    create_result,
    snapshot_parts,
)
from .structured_data import faq_page
from .tables import dimension_rows


@require_safe
def index(request):
    latest = Comparison.objects.aggregate(updated_at=Max("updated_at"), count=Count("pk"))
    return cached_page(
        request,
        parts=("index", latest["count"]),
        updated_at=latest["updated_at"] or datetime.fromtimestamp(0, UTC),
        render=lambda: render(
            request,
            "decision/index.html",
            {"comparisons": Comparison.objects.prefetch_related("options")},
        ),
    )


@require_safe
def comparison_detail(request, slug):
    found = _content_or_404(slug)
    content = found.content
    return cached_page(
        request,
        parts=("comparison", slug),
        updated_at=found.updated_at,
        render=lambda: render(
            request,
            "decision/comparison.html",
            {
                "comparison": content,
                "rows": dimension_rows(content),
                "faq_data": faq_page(content.faq),
            },
        ),
    )


@require_safe
def wizard(request, slug):
    """Show a step; a submitted step (`from=`) moves on to the next one or shows its error."""
    found = _content_or_404(slug, needs_questions=True)
    model = found.model
    state = steps.parse(model, _pairs(request.GET))
    if state.submitted is None:
        current = steps.current_question(model, state.answers, state.step)
        return _step_response(request, found, state.answers, current, state.notices)

    question = model.question(state.submitted)
    form = StepForm(question, request.GET)
    if not form.is_valid():
        return _step_response(request, found, state.answers, question, state.notices, form=form)
    answers = effective_answers(model, {**state.answers, question.slug: form.answer})
    following = steps.next_question(model, answers, question.slug)
    return _go_to_step(request, found, answers, following, state.notices)


@require_POST
def wizard_finish(request, slug):
    """The last step: freeze the recommendation as a Result and redirect to its permalink."""
    found = _content_or_404(slug, needs_questions=True)
    content, model = found.content, found.model
    state = steps.parse(model, _pairs(request.POST))
    answers = state.answers
    if state.submitted is not None:
        question = model.question(state.submitted)
        form = StepForm(question, request.POST)
        if not form.is_valid():
            return _step_response(request, found, answers, question, state.notices, form=form)
        answers = effective_answers(model, {**answers, question.slug: form.answer})

    unanswered = steps.current_question(model, answers, None)
    if unanswered is not None:
        # The last answer opened a follow-up question (or answers were missing): ask it.
        return _go_to_step(request, found, answers, unanswered, state.notices)

    result = create_result(content, answers, model=model, content_fingerprint=found.fingerprint)
    if request.htmx:
        return HttpResponseClientRedirect(result.get_absolute_url())
    return redirect(result)


@require_safe
def result(request, slug, token):
    row = Result.objects.permalink_row(slug, token) if TOKEN.fullmatch(token) else None
    if row is None:
        raise Http404("No such result")
    created_at, saved_fingerprint, pk, updated_at = row
    current = content_at_version(slug, pk, updated_at)
    content_changed = current is not None and current.fingerprint != saved_fingerprint
    # The snapshot never changes; only the "content has changed" note can.
    return cached_page(
        request,
        parts=("result", token, content_changed),
        updated_at=max(created_at, updated_at),
        render=lambda: _render_result(request, _result_or_404(slug, token), content_changed),
    )


def _render_result(request, found: Result, content_changed: bool):
    content, recommendation = snapshot_parts(found)
    model = engine_model(content)
    answers = found.answers
    first = model.questions[0].slug if model.questions else None
    wizard_url = reverse("decision:wizard", args=[content.slug])
    return render(
        request,
        "decision/result.html",
        {
            "comparison": content,
            "result": found,
            "view": result_view(content, recommendation),
            "content_changed": content_changed,
            "change_url": f"{wizard_url}?{steps.query(model, answers, first)}",
            "rerun_url": f"{wizard_url}?{steps.query(model, answers)}",
            "wizard_url": wizard_url,
            "permalink": request.build_absolute_uri(found.get_absolute_url()),
            "adr_url": reverse("decision:result_adr", args=[content.slug, found.token]),
        },
    )


@require_safe
def result_adr(request, slug, token):
    found = _result_or_404(slug, token)
    content, recommendation = snapshot_parts(found)
    text = render_to_string(
        "decision/adr.md",
        {
            "comparison": content,
            "result": found,
            "view": result_view(content, recommendation),
            "permalink": request.build_absolute_uri(found.get_absolute_url()),
        },
    )
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="adr-{slug}-{token[:8]}.md"'
    return response


def _content_or_404(slug, *, needs_questions=False) -> CachedContent:
    found = cached_content(slug)
    if found is None or (needs_questions and not found.content.questions):
        raise Http404("No such comparison")
    return found


TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _result_or_404(slug, token) -> Result:
    # Tokens are URL-safe base64; anything else cannot exist (and some databases reject NULs).
    if not TOKEN.fullmatch(token):
        raise Http404("No such result")
    found = Result.objects.filter(token=token, comparison__slug=slug).first()
    if found is None:
        raise Http404("No such result")
    return found


def _pairs(querydict) -> list[tuple[str, str]]:
    return [(key, value) for key, values in querydict.lists() for value in values]


def _go_to_step(request, found, answers, question, notices):
    """After a valid answer: the next step's URL, as a redirect or an htmx swap."""
    url = reverse("decision:wizard", args=[found.content.slug])
    url += "?" + steps.query(found.model, answers, question.slug if question else None)
    if request.htmx or notices:
        # Render in place: htmx swaps it (and pushes the URL); notices must reach the reader.
        response = _step_response(request, found, answers, question, notices)
        response["HX-Push-Url"] = url
        return response
    return redirect(url)


def _step_response(request, found, answers, question, notices, *, form=None):
    """Render one step (or the review step when `question` is None), whole or as a partial."""
    content, model, updated_at = found.content, found.model, found.updated_at
    wizard_url = reverse("decision:wizard", args=[content.slug])
    if question is not None and form is None:
        form = StepForm(question, initial={question.slug: answers.get(question.slug)})
    position, total = steps.progress(model, answers, question.slug if question else None)
    previous = steps.previous_question(model, answers, question.slug if question else None)
    last = question is None or steps.is_last(model, answers, question.slug)
    choices = {q.slug: q for q in model.questions}
    context = {
        "comparison": content,
        "question": question,
        "form": form,
        "position": position,
        "total": total,
        "notices": notices,
        "is_last": last,
        "action": reverse("decision:wizard_finish", args=[content.slug]) if last else wizard_url,
        "hidden": [
            (slug, choice)
            for slug, choice in answers.items()
            if question is None or slug != question.slug
        ],
        "back_url": f"{wizard_url}?{steps.query(model, answers, previous.slug)}"
        if previous
        else None,
        "start_url": wizard_url,
        "review": [
            {
                "prompt": choices[slug].prompt,
                "label": NOT_SURE_LABEL
                if choice == NOT_SURE
                else choices[slug].choice(choice).label,
                "url": f"{wizard_url}?{steps.query(model, answers, slug)}",
            }
            for slug, choice in answers.items()
        ],
        "is_htmx": bool(request.htmx),
    }
    template = "decision/wizard.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#step"
    if last or request.method != "GET":
        # The form posts, so the page carries this visitor's CSRF token: never shared.
        response = render(request, template, context)
    else:
        # Otherwise the page depends only on its URL and the content: cache it whole.
        response = cached_page(
            request,
            parts=("step", request.get_full_path(), template),
            updated_at=updated_at,
            render=lambda: render(request, template, context),
        )
    patch_vary_headers(response, ("HX-Request",))
    return response
