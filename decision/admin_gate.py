"""Admin pages that write content only through the gate (decision.gate).

A save runs in the admin's transaction: forms and inlines are saved, then the whole comparison
is checked. When the gate refuses, the transaction rolls back and the same POST is validated
once more with the gate's problems attached to the forms they belong to, so the editor sees
each message on its field (or at the top of the page) with everything they typed kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import reversion
from adminsortable2.admin import CustomInlineFormSetMixin
from django import forms
from django.contrib import messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import quote
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db import models, transaction
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from .gate import ContentRefused, GateProblem, enforce, where
from .models import (
    Assessment,
    Caveat,
    ChoiceWeight,
    Comparison,
    Criterion,
    OptionPoint,
    RuleOut,
)
from .references import references_to
from .signals import touch

UPDATE_SCENARIOS = "_update_scenarios"


class PlainNewlinesField(forms.CharField):
    """Text as typed, with the browser's CR LF line endings stored as plain newlines.

    Without this an untouched textarea counts as changed on every save.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


def editing(request) -> models.Model | None:
    """The object whose admin page is being shown or saved (None on an add page).

    Read from the request rather than the URL: the history pages' URLs name it positionally.
    """
    return getattr(request, "_admin_obj", None)


def comparison_of(row: models.Model) -> Comparison | None:
    """The comparison a content row belongs to."""
    for path in ("", "comparison", "option.comparison", "question.comparison"):
        value = row
        for name in filter(None, path.split(".")):
            value = getattr(value, name, None)
        if isinstance(value, Comparison):
            return value
    for parent in ("dimension", "choice", "plan"):
        value = getattr(row, parent, None)
        if value is not None:
            return comparison_of(value)
    return None


def admin_link(row: models.Model) -> str:
    """The row's admin page as a link, or its name when it has no page of its own."""
    opts = row._meta
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(row.pk)])
    except NoReverseMatch:
        return format_html("{}", row)
    return format_html('<a href="{}">{}</a>', url, row)


def references_message(row: models.Model) -> str | None:
    """'Cannot delete: …' with a link to each piece of content that refers to the row."""
    found = references_to(row)
    if not found:
        return None
    return format_html(
        "“{}” cannot be deleted while other content refers to it. Change these first: {}",
        row,
        format_html_join(
            "; ",
            "{} {} {}",
            ((r.row._meta.verbose_name, admin_link(r.row), r.how) for r in found),
        ),
    )


@dataclass
class Placements:
    """Where each saved row's form sits on the page: (formset prefix, index), main form None."""

    forms: dict[tuple[type, object], tuple[str | None, int | None]] = field(default_factory=dict)

    def add(self, row: models.Model, prefix: str | None, index: int | None) -> None:
        if row.pk is not None:
            self.forms[(type(row)._meta.concrete_model, row.pk)] = (prefix, index)

    def find(self, problem: GateProblem):
        """((prefix, index), field name or None) for a problem, or None to show it on top."""
        for row, name in _candidates(problem):
            spot = self.forms.get((type(row)._meta.concrete_model, row.pk))
            if spot is not None:
                return spot, name
        return None


def _candidates(problem: GateProblem):
    """The problem's own row first, then the row whose page edits it as a field."""
    row = problem.row
    if row is None:
        return
    yield row, problem.field
    if isinstance(row, Assessment):
        yield row.dimension, f"assessment_{row.option_id}"
    elif isinstance(row, ChoiceWeight):
        yield row.choice, f"weight_{row.option_id}"
    elif isinstance(row, RuleOut):
        yield row.choice, f"rules_out_{row.option_id}"
    elif isinstance(row, Caveat):
        yield row.choice, None
    elif isinstance(row, OptionPoint | Criterion):
        yield row.option, None
    for parent in ("dimension", "choice", "plan", "option", "question", "comparison"):
        value = getattr(row, parent, None)
        if value is not None:
            yield value, None
            break


@dataclass
class Refusal:
    """A refused save, carried from the first pass over the POST to the second."""

    error: ContentRefused
    placements: Placements

    def errors_for(self, prefix: str | None, index: int | None, form: forms.BaseForm):
        """(field or None, message) pairs to show on one form of the page."""
        found = []
        flips = self.error.flips
        if flips and prefix is None:  # listed in the box above the form, with the checkbox
            count = len(flips)
            found.append(
                (
                    None,
                    f"This change would change what {count} scenario"
                    f"{'s' if count != 1 else ''} recommend: see the list above.",
                )
            )
        for problem in self.error.problems:
            if problem.flipped:
                continue
            spot = self.placements.find(problem)
            if spot is None:
                if prefix is None:  # unplaced problems go to the top of the page
                    found.append((None, str(problem)))
                continue
            (where_prefix, where_index), name = spot
            if (where_prefix, where_index) != (prefix, index):
                continue
            if name and name in form.fields:
                found.append((name, problem.message))
            else:
                found.append((None, f"{where(problem.row, problem.field)}: {problem.message}"))
        return found


def _add_errors(form: forms.BaseForm, errors) -> None:
    for name, message in errors:
        form.add_error(name, message)


class ProtectedInlineFormSet(CustomInlineFormSetMixin, BaseInlineFormSet):
    """Inline rows that others refer to cannot be deleted; a refused save shows its problems."""

    refusal: Refusal | None = None

    def clean(self):
        # Every row ticked for deletion, even one whose form has other errors.
        doomed = [f for f in self.forms if self.can_delete and f["DELETE"].data]
        refused = []
        for form in doomed:
            message = form.instance.pk and references_message(form.instance)
            if message:
                form.add_error(None, message)
                refused.append(message)
        try:
            super().clean()
        except forms.ValidationError:
            # The database's own restriction found the same rows; ours names every reference.
            if not refused:
                raise
        if refused:
            raise forms.ValidationError(
                "Rows that other content refers to cannot be deleted: see the message on each."
            )
        if self.refusal is not None:
            for index, form in enumerate(self.forms):
                _add_errors(form, self.refusal.errors_for(self.prefix, index, form))


class GatedInline:
    """For inlines of gated pages: plain newlines, no related-object buttons, protected deletes."""

    formset = ProtectedInlineFormSet
    formfield_overrides = {models.TextField: {"form_class": PlainNewlinesField}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return _without_related_buttons(super().formfield_for_dbfield(db_field, request, **kwargs))


def _without_related_buttons(formfield):
    # The add / change / delete buttons beside a select lead to pages whose deletes cascade.
    if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
        widget = formfield.widget
        widget.can_add_related = widget.can_change_related = False
        widget.can_delete_related = widget.can_view_related = False
    return formfield


class GatedAdmin:
    """For content pages: every save and delete passes the gate, in the admin's transaction."""

    formfield_overrides = {models.TextField: {"form_class": PlainNewlinesField}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return _without_related_buttons(super().formfield_for_dbfield(db_field, request, **kwargs))

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # Bulk deletes would skip the list of references each row's own delete page shows.
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def add_view(self, request, form_url="", extra_context=None):
        return two_passes(
            request,
            extra_context,
            lambda context: super(GatedAdmin, self).add_view(request, form_url, context),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return two_passes(
            request,
            extra_context,
            lambda context: super(GatedAdmin, self).change_view(
                request, object_id, form_url, context
            ),
        )

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return  # an untouched form writes nothing (and records no change)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        comparison = comparison_of(form.instance)
        if comparison is None or not _wrote(request, form, formsets, change):
            return
        try:
            enforce(comparison, update_scenarios=UPDATE_SCENARIOS in request.POST)
        except ContentRefused as error:
            placements = Placements()
            placements.add(form.instance, None, None)
            for formset in formsets:
                for index, inline_form in enumerate(formset.forms):
                    placements.add(inline_form.instance, formset.prefix, index)
            raise _Refused(Refusal(error, placements)) from None
        # A revert writes old rows, old `updated_at` included: move it forward for the caches.
        touch(Q(pk=comparison.pk))
        _record(comparison)

    def get_form(self, request, obj=None, change=False, **kwargs):
        request._admin_obj = obj  # for select choices limited to this object's comparison
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_content_refusal", None)
        if refusal is None:
            return form

        def clean(self):
            cleaned = super(refused_form, self).clean()
            _add_errors(self, refusal.errors_for(None, None, self))
            return cleaned

        refused_form = type(form.__name__, (form,), {"clean": clean})
        return refused_form

    def get_formsets_with_inlines(self, request, obj=None):
        refusal = getattr(request, "_content_refusal", None)
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if refusal is not None and issubclass(formset, ProtectedInlineFormSet):
                formset = type(formset.__name__, (formset,), {"refusal": refusal})
            yield formset, inline

    def log_change(self, request, obj, message):
        if message:
            return super().log_change(request, obj, message)
        return None

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        ours = []
        for row in objs:
            ours += [
                format_html(
                    "{} {} {}", r.row._meta.verbose_name.capitalize(), admin_link(r.row), r.how
                )
                for r in references_to(row)
            ]
        # Ours name every reference in plain words, the database's restrictions included.
        return deleted, counts, perms_needed, ours or list(protected)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            with transaction.atomic(), reversion.create_revision():
                reversion.set_user(request.user)
                return super().delete_view(request, object_id, extra_context)
        except ContentRefused as error:
            messages.error(request, f"Nothing was deleted: {error}")
            opts = self.opts
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", object_id)

    def delete_model(self, request, obj):
        comparison = None if isinstance(obj, Comparison) else comparison_of(obj)
        description = f"Deleted {obj._meta.verbose_name} “{obj}”."
        super().delete_model(request, obj)
        if comparison is not None:
            enforce(comparison)
            reversion.set_comment(description)
            _record(comparison)


def _wrote(request, form, formsets, change) -> bool:
    """Whether this save changed anything: an untouched form is neither checked nor recorded.

    A revert has already written the old rows before its form is posted, so it always counts.
    """
    reverting = (request.resolver_match.url_name or "").endswith(("_revision", "_recover"))
    touched = form.has_changed() or any(formset.has_changed() for formset in formsets)
    return not change or reverting or touched


def two_passes(request, extra_context, view):
    """Run an admin form view; when the gate refuses the save, run it again to show why.

    The refusal is raised out of the first pass, so its transaction and the revision being
    recorded are both discarded. The second pass validates the same POST with the problems
    attached to their forms: the page comes back with everything as typed, and nothing saved.
    """
    try:
        return view(extra_context)
    except _Refused as refused:
        request._content_refusal = refused.refusal
        flips = refused.refusal.error.flips
        return view({**(extra_context or {}), "scenario_flips": flips})


class _Refused(Exception):
    def __init__(self, refusal: Refusal):
        self.refusal = refusal


def _record(comparison: Comparison) -> None:
    """Put the whole comparison in the revision being recorded, if one is."""
    if reversion.is_active():
        reversion.add_to_revision(Comparison.objects.get(pk=comparison.pk))
