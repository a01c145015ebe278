"""Content editing in Django admin: every save passes the gate (decision.admin_gate)."""

from __future__ import annotations

from adminsortable2.admin import SortableAdminBase, SortableInlineAdminMixin
from django import forms
from django.contrib import admin, messages
from django.db import IntegrityError
from django.db.models import RestrictedError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from reversion.admin import VersionAdmin

from . import history
from .admin_gate import GatedAdmin, GatedInline, comparison_of, editing, two_passes
from .costs import FREE_UNITS, PRICE_UNITS
from .models import (
    Assessment,
    Caveat,
    Choice,
    ChoiceWeight,
    Comparison,
    Con,
    Criterion,
    Dimension,
    FaqEntry,
    Node,
    Option,
    Plan,
    Price,
    Pro,
    Question,
    Result,
    RuleOut,
    Scenario,
)
from .vocabulary import COMBINE, NO_FIT, NOT_ENOUGH, NOT_SURE, NOT_SURE_LABEL, PART_SEPARATOR

# Before any VersionAdmin registers these models with its own, shallower defaults.
history.register()

admin.site.site_header = "Decision Wizard content"
admin.site.site_title = "Decision Wizard admin"
admin.site.index_title = "Comparisons, questions and results"

# django-admin-sortable2 ships inline templates up to Django 6.0; 6.1's are the same markup.
# Its stacked one puts a collapsed section's rows inside <details>, where they cannot be
# dragged: ours wraps the whole fieldset instead.
_TABULAR = "adminsortable2/edit_inline/tabular-django-6.0.html"
_STACKED = "admin/decision/edit_inline/stacked_sortable.html"
# Where a fact's sources are edited, the month they were checked sits beside them.
FACT_FIELDS = ("sources", "as_of")


class SortableBase(SortableAdminBase):
    @property
    def media(self):
        # sortable2 swaps in its own copy of the changelist's actions.js, which it has only up
        # to Django 6.0; these pages sort inlines only, so Django's own file is the right one.
        media = super().media
        js = [
            "admin/js/actions.js"
            if str(getattr(name, "_path", name)).startswith("adminsortable2/js/actions-")
            else name
            for name in media._js
        ]
        return forms.Media(css=media._css, js=js)


class ContentAdmin(GatedAdmin, SortableBase, VersionAdmin):
    """A content page: gated writes, drag-and-drop inlines, history with revert."""

    history_latest_first = True

    def revision_view(self, request, object_id, version_id, extra_context=None):
        return two_passes(
            request,
            extra_context,
            lambda context: super(ContentAdmin, self).revision_view(
                request, object_id, version_id, context
            ),
        )

    def recover_view(self, request, version_id, extra_context=None):
        return two_passes(
            request,
            extra_context,
            lambda context: super(ContentAdmin, self).recover_view(request, version_id, context),
        )

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        # reversion's revert deletes the rows added since one model at a time, which RESTRICT
        # references refuse (see history.revert). Its view calls
        # `version.revision.revert(delete=True)`: point that call at ours.
        revision = version.revision
        revision.revert = lambda delete=False: history.revert(revision)
        try:
            return super()._reversion_revisionform_view(
                request, version, template_name, extra_context
            )
        except (RestrictedError, IntegrityError) as error:
            messages.error(request, f"This version cannot be restored: {error}")
            return redirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )


class SortableTabular(GatedInline, SortableInlineAdminMixin, admin.TabularInline):
    template = _TABULAR
    extra = 0


class SortableStacked(GatedInline, SortableInlineAdminMixin, admin.StackedInline):
    template = _STACKED
    extra = 0


# --- Comparison ---------------------------------------------------------------------------


class OptionInline(SortableTabular):
    model = Option
    fields = ["slug", "name", "tagline"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # a new option needs its assessments: "Add an option" opens its own page

    classes = ["collapse"]
    verbose_name_plural = "options (drag to reorder; open one to edit its pros, cons and criteria)"


class DimensionInlineForm(forms.ModelForm):
    """A dimension with one assessment field per option of its comparison, side by side.

    Subclassed per comparison by `DimensionInline.get_formset`, which declares the
    `assessment_<option pk>` fields, so staff edit a whole table row in one place.
    """

    comparison_options: list[Option] = []

    class Meta:
        model = Dimension
        fields = ["slug", "name", "why_it_matters", "winner", "about_cost", "sources", "as_of"]
        widgets = {
            "why_it_matters": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            "sources": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["winner"].queryset = Option.objects.filter(
            pk__in=[option.pk for option in self.comparison_options]
        )
        self.fields["winner"].empty_label = "Tie"
        if self.instance.pk:
            texts = {a.option_id: a.text for a in self.instance.assessments.all()}
            for option in self.comparison_options:
                self.fields[f"assessment_{option.pk}"].initial = texts.get(option.pk, "")

    def _save_m2m(self):
        # Called on every save, committed at once or later: the dimension has its pk by now.
        super()._save_m2m()
        for option in self.comparison_options:
            _set_assessment(self.instance, option, self.cleaned_data[f"assessment_{option.pk}"])


def _set_assessment(dimension: Dimension, option: Option, text: str) -> None:
    """Create or change the one assessment of `option` on `dimension`; write only a change."""
    row = Assessment.objects.filter(dimension=dimension, option=option).first()
    if row is None:
        Assessment.objects.create(dimension=dimension, option=option, text=text)
    elif row.text != text:
        row.text = text
        row.save(update_fields=["text"])


class DimensionInline(SortableStacked):
    model = Dimension
    show_change_link = True
    classes = ["collapse"]
    verbose_name_plural = "dimensions of the comparison table (drag to reorder)"

    def get_formset(self, request, obj=None, **kwargs):
        options = list(obj.options.all()) if obj else []
        declared = {
            f"assessment_{option.pk}": _plain_text(
                label=f"{option.name}: assessment",
                help_text=f"How {option.name} fares on this dimension, in a sentence or two.",
            )
            for option in options
        }
        declared["comparison_options"] = options
        kwargs["form"] = type("DimensionForm", (DimensionInlineForm,), declared)
        kwargs["fields"] = None
        return super().get_formset(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        options = list(obj.options.all()) if obj else []
        return [
            (None, {"fields": ["slug", "name", "why_it_matters", self.default_order_field]}),
            (
                "How each option fares",
                {"fields": [tuple(f"assessment_{o.pk}" for o in options), "winner", "about_cost"]},
            ),
            (None, {"fields": [FACT_FIELDS]}),
        ]


def _plain_text(**kwargs) -> forms.CharField:
    from .admin_gate import PlainNewlinesField

    return PlainNewlinesField(widget=forms.Textarea(attrs={"rows": 5, "cols": 44}), **kwargs)


class FaqInline(SortableStacked):
    model = FaqEntry
    fields = ["question", "answer", FACT_FIELDS]
    classes = ["collapse"]
    verbose_name_plural = "FAQ (drag to reorder)"


class QuestionInline(SortableTabular):
    model = Question
    fields = ["slug", "prompt", "show_if"]
    show_change_link = True
    classes = ["collapse"]
    verbose_name_plural = "wizard questions (drag to reorder; open one to edit its answers)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "show_if":
            kwargs["queryset"] = _choices_of(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScenarioInline(GatedInline, admin.TabularInline):
    model = Scenario
    fields = ["slug", "name", "outcome", "answers_summary", "source", "walk"]
    readonly_fields = ["answers_summary", "walk"]
    extra = 0
    show_change_link = True
    classes = ["collapse"]
    verbose_name_plural = "scenarios: answers with the outcome they must give (open one to edit)"

    @admin.display(description="answers")
    def answers_summary(self, scenario):
        return ", ".join(f"{q} = {c}" for q, c in (scenario.answers or {}).items()) or "—"

    @admin.display(description="try it")
    def walk(self, scenario):
        return _walk_link(scenario)


def _walk_link(scenario: Scenario) -> str:
    if not scenario.pk or not isinstance(scenario.answers, dict):
        return "—"
    url = reverse("decision:wizard", args=[scenario.comparison.slug])
    return format_html('<a href="{}?{}">Walk this scenario</a>', url, urlencode(scenario.answers))


def _choices_of(request):
    """Answers a show_if may name: those of the comparison being edited."""
    comparison = comparison_of(editing(request)) if editing(request) else None
    choices = Choice.objects.select_related("question")
    if comparison is None:
        return choices.none()
    return choices.filter(question__comparison=comparison)


@admin.register(Comparison)
class ComparisonAdmin(ContentAdmin):
    list_display = ["title", "slug", "status", "updated_at", "health_link"]
    list_filter = ["status"]
    search_fields = ["title", "slug", "intro"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [OptionInline, DimensionInline, FaqInline, QuestionInline, ScenarioInline]
    object_history_template = "admin/decision/comparison/object_history.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "status"]}),
        (
            "Advice",
            {
                "fields": [
                    "intro",
                    "default_advice",
                    "combined_advice",
                    "integration_advice",
                    "default_option",
                ],
                "classes": ["collapse"],
            },
        ),
        (
            "Cost estimate",
            {
                "fields": ["estimate_defaults"],
                "description": "Prices live on each option's page, under its price plans.",
                "classes": ["collapse"],
            },
        ),
        (
            "Scoping call",
            {
                "fields": ["call_heading", "call_text"],
                "description": "Offered on the comparison and on every result; leave both "
                "empty to offer no call. Requests arrive under Leads.",
                "classes": ["collapse"],
            },
        ),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "default_option":
            kwargs["queryset"] = Option.objects.filter(comparison=editing(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="content health")
    def health_link(self, comparison):
        url = reverse("admin:decision_comparison_health", args=[comparison.pk])
        return format_html('<a href="{}">Content health</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/history/<int:version_id>/diff/",
                self.admin_site.admin_view(self.diff_view),
                name="decision_comparison_diff",
            ),
            path(
                "<int:object_id>/health/",
                self.admin_site.admin_view(self.health_view),
                name="decision_comparison_health",
            ),
            *super().get_urls(),
        ]

    def diff_view(self, request, object_id, version_id):
        """What changed between one revision of a comparison and its content today."""
        comparison = get_object_or_404(Comparison, pk=object_id)
        if not self.has_view_or_change_permission(request, comparison):
            return redirect("admin:index")
        version = get_object_or_404(history.versions_of(comparison), pk=version_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": comparison,
            "title": f"Changes since {version.revision.date_created:%Y-%m-%d %H:%M}",
            "version": version,
            "lines": history.diff_lines(comparison, version),
            "revert_url": reverse(
                "admin:decision_comparison_revision", args=[comparison.pk, version.pk]
            ),
        }
        return self._render(request, "admin/decision/comparison/diff.html", context)

    def health_view(self, request, object_id):
        from .content_health import health_view

        comparison = get_object_or_404(Comparison, pk=object_id)
        if not self.has_view_or_change_permission(request, comparison):
            return redirect("admin:index")
        return health_view(self, request, comparison)

    def _render(self, request, template, context):
        from django.template.response import TemplateResponse

        return TemplateResponse(request, template, context)


# --- Option -------------------------------------------------------------------------------


class ProInline(SortableTabular):
    model = Pro
    fields = ["text"]
    verbose_name = "pro"
    verbose_name_plural = "pros (drag to reorder)"


class ConInline(SortableTabular):
    model = Con
    fields = ["text"]
    verbose_name = "con"
    verbose_name_plural = "cons (drag to reorder)"


class CriterionInline(SortableTabular):
    model = Criterion
    fields = ["slug", "text"]
    verbose_name = "“choose this when…” criterion"
    verbose_name_plural = "“choose this when…” criteria (drag to reorder)"


class OptionForm(forms.ModelForm):
    """An option with one assessment field per dimension of its comparison.

    Subclassed per comparison by `OptionAdmin.get_form`, which declares the fields: a new
    option needs its word on every row of the table before the comparison is whole again.
    """

    comparison_dimensions: list[Dimension] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            texts = {a.dimension_id: a.text for a in self.instance.assessments.all()}
            for dimension in self.comparison_dimensions:
                self.fields[f"assessment_{dimension.pk}"].initial = texts.get(dimension.pk, "")

    def _save_m2m(self):
        super()._save_m2m()
        for dimension in self.comparison_dimensions:
            _set_assessment(
                dimension, self.instance, self.cleaned_data[f"assessment_{dimension.pk}"]
            )


class PlanInline(SortableTabular):
    model = Plan
    fields = ["slug", "name", "kind", "region", "prices_link"]
    readonly_fields = ["prices_link"]
    extra = 0
    verbose_name_plural = "price plans for the cost estimate (drag to reorder)"

    @admin.display(description="prices")
    def prices_link(self, plan):
        if not plan.pk:
            return "Save first, then add its prices on the plan's own page."
        url = reverse("admin:decision_plan_change", args=[plan.pk])
        count = len(plan.prices.all()) + len(plan.nodes.all())
        return format_html('<a href="{}">Edit its {} prices and node types</a>', url, count)


def _plain_decimal(value):
    """0.1000000000 as 0.1 and 1000000.0000000000 as 1000000, as an editor would type them."""
    return format(value.normalize(), "f") if value is not None else value


class PriceForm(forms.ModelForm):
    """What is priced and its unit are picked from the units the cost model knows."""

    key = forms.ChoiceField(
        choices=[
            (key, key) for key in sorted({k for units in PRICE_UNITS.values() for k in units})
        ],
        help_text="What is priced; the plan's kind decides which items it may have.",
    )
    unit = forms.ChoiceField(
        choices=[
            (unit, unit)
            for unit in sorted(
                {
                    u
                    for units in (*PRICE_UNITS.values(), *FREE_UNITS.values())
                    for u in units.values()
                }
            )
        ],
        help_text="The unit the source lists the amount in.",
    )

    class Meta:
        model = Price
        fields = ["key", "free", "amount", "unit", "source", "checked"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["amount"] = _plain_decimal(self.instance.amount)


class NodeForm(forms.ModelForm):
    class Meta:
        model = Node
        fields = ["slug", "name", "vcpu", "memory_gib", "price", "source", "checked"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("vcpu", "memory_gib", "price"):
                self.initial[name] = _plain_decimal(getattr(self.instance, name))


class PriceInline(GatedInline, admin.TabularInline):
    model = Price
    form = PriceForm
    fields = ["key", "free", "amount", "unit", "source", "checked"]
    extra = 0
    verbose_name_plural = (
        "prices and free allowances (each with its public source and the day it was checked)"
    )


class NodeInline(SortableStacked):
    model = Node
    form = NodeForm
    fields = [("slug", "name"), ("vcpu", "memory_gib", "price"), ("source", "checked")]
    extra = 0
    verbose_name_plural = "node types, priced on demand by the hour (cluster plans only)"


@admin.register(Plan)
class PlanAdmin(ContentAdmin):
    list_display = ["name", "option", "kind", "region", "oldest_price"]
    list_filter = ["option__comparison", "kind"]
    list_select_related = ["option__comparison"]
    search_fields = ["name", "slug", "region"]
    fields = ["option", "slug", "name", "kind", "region", "granularity_ms"]
    inlines = [PriceInline, NodeInline]

    def get_readonly_fields(self, request, obj=None):
        return ["option"] if obj else []

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("prices", "nodes")

    @admin.display(description="oldest price checked")
    def oldest_price(self, plan):
        days = [p.checked for p in plan.prices.all()] + [n.checked for n in plan.nodes.all()]
        return min(days) if days else None


@admin.register(Option)
class OptionAdmin(ContentAdmin):
    list_display = ["name", "comparison", "slug"]
    list_filter = ["comparison"]
    list_select_related = ["comparison"]
    search_fields = ["name", "slug", "tagline", "points__text", "criteria__text"]
    inlines = [ProInline, ConInline, CriterionInline, PlanInline]
    _FIELDS = ["comparison", "slug", "name", "tagline", "typical_cost", "time_to_productive"]

    def get_readonly_fields(self, request, obj=None):
        return ["comparison"] if obj else []

    def get_fieldsets(self, request, obj=None):
        dimensions = self._dimensions(request, obj)
        return [
            (None, {"fields": self._FIELDS}),
            (
                "How it fares on each dimension of the table",
                {"fields": [f"assessment_{d.pk}" for d in dimensions]},
            ),
            (None, {"fields": [FACT_FIELDS]}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        dimensions = self._dimensions(request, obj)
        declared = {
            f"assessment_{d.pk}": _plain_text(
                label=f"{d.name}: assessment", help_text=f"How this option fares on {d.name}."
            )
            for d in dimensions
        }
        declared["comparison_dimensions"] = dimensions
        kwargs["form"] = type("OptionForm", (OptionForm,), declared)
        return super().get_form(request, obj, change, **kwargs)

    @staticmethod
    def _dimensions(request, obj) -> list[Dimension]:
        """The dimensions of the option's comparison; on an add page, of the one chosen."""
        comparison_id = _comparison_id(request, obj)
        if comparison_id is None:
            return []
        return list(Dimension.objects.filter(comparison_id=comparison_id))


# --- Dimension ----------------------------------------------------------------------------


class AssessmentInline(GatedInline, admin.TabularInline):
    model = Assessment
    fields = ["option", "text"]
    readonly_fields = ["option"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # one per option, made with the dimension


@admin.register(Dimension)
class DimensionAdmin(ContentAdmin):
    list_display = ["name", "comparison", "winner"]
    list_filter = ["comparison", "winner"]
    list_select_related = ["comparison", "winner"]
    search_fields = ["name", "slug", "why_it_matters", "assessments__text"]
    fields = ["comparison", "slug", "name", "why_it_matters", "winner", "about_cost", FACT_FIELDS]
    inlines = [AssessmentInline]

    def get_readonly_fields(self, request, obj=None):
        return ["comparison"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "winner":
            dimension = editing(request)
            kwargs["queryset"] = Option.objects.filter(
                comparison_id=dimension.comparison_id if dimension else None
            )
            kwargs["empty_label"] = "Tie"
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(FaqEntry)
class FaqEntryAdmin(ContentAdmin):
    list_display = ["question", "comparison"]
    list_filter = ["comparison"]
    list_select_related = ["comparison"]
    search_fields = ["question", "answer"]
    fields = ["comparison", "question", "answer", FACT_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return ["comparison"] if obj else []


@admin.register(Criterion)
class CriterionAdmin(ContentAdmin):
    list_display = ["text", "option", "slug"]
    list_filter = ["option__comparison", "option"]
    list_select_related = ["option"]
    search_fields = ["text", "slug"]
    fields = ["option", "slug", "text"]

    def get_readonly_fields(self, request, obj=None):
        return ["option"] if obj else []


# --- Question and its choices -------------------------------------------------------------


class ChoiceInlineForm(forms.ModelForm):
    """One answer with its pull on every option, its hard limits and its links, readable inline.

    Subclassed per comparison by `ChoiceInline.get_formset`, which declares `weight_<option
    pk>` and `rules_out_<option pk>` fields for each option of the comparison.
    """

    comparison_options: list[Option] = []

    class Meta:
        model = Choice
        fields = ["slug", "label", "why", "dimensions", "criteria", "sources", "as_of"]
        widgets = {
            "label": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "why": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "dimensions": forms.CheckboxSelectMultiple,
            "criteria": forms.CheckboxSelectMultiple,
            "sources": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options = self.comparison_options
        comparison_ids = {option.comparison_id for option in options}
        self.fields["dimensions"].queryset = Dimension.objects.filter(
            comparison_id__in=comparison_ids
        )
        self.fields["criteria"].queryset = Criterion.objects.filter(
            option__comparison_id__in=comparison_ids
        ).select_related("option")
        if self.instance.pk:
            weights = {w.option_id: w.weight for w in self.instance.weights.all()}
            rules = {r.option_id: r.reason for r in self.instance.rule_outs.all()}
            for option in options:
                self.fields[f"weight_{option.pk}"].initial = weights.get(option.pk)
                self.fields[f"rules_out_{option.pk}"].initial = rules.get(option.pk, "")

    def _save_m2m(self):
        super()._save_m2m()
        choice = self.instance
        for option in self.comparison_options:
            weight = self.cleaned_data.get(f"weight_{option.pk}")
            _sync_row(ChoiceWeight, choice, option, "weight", weight)
            reason = self.cleaned_data.get(f"rules_out_{option.pk}") or None
            _sync_row(RuleOut, choice, option, "reason", reason)


def _sync_row(model, choice, option, name, value) -> None:
    """Create, change or delete the (choice, option) row so it holds `value` (None: no row)."""
    row = model.objects.filter(choice=choice, option=option).first()
    if value is None or value == "":
        if row is not None:
            row.delete()
    elif row is None:
        model.objects.create(choice=choice, option=option, **{name: value})
    elif getattr(row, name) != value:
        setattr(row, name, value)
        row.save(update_fields=[name])


class ChoiceInline(SortableStacked):
    model = Choice
    show_change_link = True
    readonly_fields = ["caveat_list"]
    verbose_name = "answer"
    verbose_name_plural = (
        f"answers (drag to reorder; “{NOT_SURE_LABEL}” is added by the wizard to every question)"
    )

    def get_formset(self, request, obj=None, **kwargs):
        options = list(obj.comparison.options.all()) if obj else []
        declared = {"comparison_options": options}
        for option in options:
            declared[f"weight_{option.pk}"] = forms.FloatField(
                label=f"Pull towards {option.name}",
                required=False,
                min_value=-10,
                max_value=10,
                help_text="From -10 (strongly against) to +10 (strongly for); empty for none.",
            )
            declared[f"rules_out_{option.pk}"] = forms.CharField(
                label=f"Rules out {option.name} because…",
                required=False,
                widget=forms.Textarea(attrs={"rows": 1}),
                help_text=f"Only for a hard limit: with this answer {option.name} can never "
                "be recommended. Leave empty otherwise.",
            )
        kwargs["form"] = type("ChoiceForm", (ChoiceInlineForm,), declared)
        kwargs["fields"] = None
        return super().get_formset(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        options = list(obj.comparison.options.all()) if obj else []
        return [
            (None, {"fields": ["slug", "label", "why", self.default_order_field]}),
            (
                "How it pulls",
                {
                    "fields": [tuple(f"weight_{o.pk}" for o in options)],
                    "description": "Each option's score moves by this much when a visitor "
                    "gives this answer.",
                },
            ),
            (
                "Hard limits",
                {"fields": [tuple(f"rules_out_{o.pk}" for o in options)], "classes": ["collapse"]},
            ),
            (
                "What it relates to",
                {
                    "fields": ["dimensions", "criteria"],
                    "classes": ["collapse"],
                    "description": "Table rows marked “matters for you” and “choose … when” "
                    "bullets matched when a visitor gives this answer.",
                },
            ),
            (
                "Facts",
                {
                    "fields": [FACT_FIELDS, "caveat_list"],
                    "description": "Sources for every figure in the label, the line on why "
                    "and the hard limits, and the month they were checked.",
                },
            ),
        ]

    @admin.display(description="caveats")
    def caveat_list(self, choice):
        if not choice.pk:
            return "Save the answer first, then add its caveats on its own page."
        url = reverse("admin:decision_choice_change", args=[choice.pk])
        caveats = "; ".join(f"{c.option}: {c.form}" for c in choice.caveats.all()) or "None"
        return format_html('{}. <a href="{}">Edit the caveats</a>', caveats, url)


class QuestionForm(forms.ModelForm):
    """A question whose `parts` are ticked from the parts of its comparison.

    Subclassed by `QuestionAdmin.get_form`, which sets `comparison_parts`: the answers of the
    comparison's parts question, the only values `parts` may hold.
    """

    comparison_parts: list[Choice] = []

    parts = forms.MultipleChoiceField(
        required=False,
        initial=(),
        widget=forms.CheckboxSelectMultiple,
        label="Parts it is about",
        help_text=Question._meta.get_field("parts").help_text,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        known = [(choice.slug, choice.label) for choice in self.comparison_parts]
        stored = self.initial.get("parts")
        stored = stored if isinstance(stored, list) else []
        # A part renamed since stays visible, ticked, so the gate names it instead of it
        # vanishing on the next save.
        gone = [
            (slug, f"“{slug}”: not a part any more, untick it")
            for slug in stored
            if isinstance(slug, str) and slug not in dict(known)
        ]
        field = self.fields["parts"]
        field.choices = known + gone
        if not known:
            field.help_text = (
                "This comparison has no parts question yet (a question marked “parts "
                "question”): until it has, every question is about the whole system."
            )

    def clean_parts(self) -> list[str]:
        picked = set(self.cleaned_data["parts"])
        # In the order the parts are asked, whatever order the browser sent them in.
        return [slug for slug, _ in self.fields["parts"].choices if slug in picked]


@admin.register(Question)
class QuestionAdmin(ContentAdmin):
    form = QuestionForm
    list_display = ["prompt", "comparison", "slug", "show_if", "multiple"]
    list_filter = ["comparison"]
    list_select_related = ["comparison", "show_if__question"]
    search_fields = ["prompt", "slug", "help", "choices__label", "choices__why"]
    fieldsets = [
        (None, {"fields": ["comparison", "slug", "prompt", "help", "show_if"]}),
        (
            "Parts of the system",
            {
                "fields": ["multiple", "parts"],
                "description": "One question asks which parts a system has (web or API, "
                "events, batch jobs…); the engine places each part on an option. Any other "
                "question may be about some parts only.",
            },
        ),
        (
            "Facts",
            {
                "fields": [FACT_FIELDS],
                "description": "Sources for every figure in the prompt or the help, and the "
                "month they were checked.",
            },
        ),
    ]
    inlines = [ChoiceInline]

    def get_readonly_fields(self, request, obj=None):
        return ["comparison"] if obj else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        parts = Choice.objects.filter(
            question__comparison_id=_comparison_id(request, obj), question__multiple=True
        ).order_by("question__order", "question__pk", "order", "pk")
        if obj is not None:
            parts = parts.exclude(question=obj)  # the parts question is about every part
        declared = {"comparison_parts": list(parts)}
        kwargs["form"] = type("QuestionForm", (QuestionForm,), declared)
        return super().get_form(request, obj, change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "show_if":
            kwargs["queryset"] = _choices_of(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _comparison_id(request, obj) -> int | None:
    """The comparison of the row being edited; on an add page, the one chosen (or None)."""
    if obj is not None:
        comparison = comparison_of(obj)
        return comparison.pk if comparison else None
    chosen = str(request.POST.get("comparison") or request.GET.get("comparison") or "")
    return int(chosen) if chosen.isdigit() else None


class SameComparisonOptions:
    """An answer's rows may only name options of the answer's own comparison."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "option":
            choice = editing(request)
            kwargs["queryset"] = Option.objects.filter(
                comparison__questions__choices=choice.pk if choice else None
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class WeightInline(SameComparisonOptions, GatedInline, admin.TabularInline):
    model = ChoiceWeight
    fields = ["option", "weight"]
    extra = 0


class RuleOutInline(SameComparisonOptions, GatedInline, admin.TabularInline):
    model = RuleOut
    fields = ["option", "reason"]
    extra = 0


class CaveatInline(SameComparisonOptions, SortableStacked):
    model = Caveat
    fields = ["option", "form", "text", FACT_FIELDS]
    verbose_name = "caveat"
    verbose_name_plural = (
        "caveats: what to watch for when an option is chosen despite this answer (drag to reorder)"
    )


@admin.register(Choice)
class ChoiceAdmin(ContentAdmin):
    list_display = ["label", "question", "slug"]
    list_filter = ["question__comparison", "question"]
    list_select_related = ["question"]
    search_fields = ["label", "slug", "why"]
    fields = ["question", "slug", "label", "why", "dimensions", "criteria", FACT_FIELDS, "estimate"]
    filter_horizontal = ["dimensions", "criteria"]
    inlines = [WeightInline, RuleOutInline, CaveatInline]

    def get_readonly_fields(self, request, obj=None):
        return ["question"] if obj else []

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choice = editing(request)
        comparison_id = choice.question.comparison_id if choice else None
        if db_field.name == "dimensions":
            kwargs["queryset"] = Dimension.objects.filter(comparison_id=comparison_id)
        elif db_field.name == "criteria":
            kwargs["queryset"] = Criterion.objects.filter(option__comparison_id=comparison_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- Scenario -----------------------------------------------------------------------------

OUTCOME_CHOICES = [
    (COMBINE, "Combine the options: the parts land on different options"),
    (NO_FIT, "No fit: every option is ruled out for a part"),
    (NOT_ENOUGH, "Not enough to go on"),
]


class ScenarioForm(forms.ModelForm):
    """A scenario's answers as one select per question (checkboxes for the parts question),
    and its outcome as a select."""

    class Meta:
        model = Scenario
        fields = ["comparison", "slug", "name", "source", "outcome"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        comparison = self.instance.comparison if self.instance.comparison_id else None
        self.questions = list(
            comparison.questions.prefetch_related("choices") if comparison else []
        )
        answers = self.instance.answers if isinstance(self.instance.answers, dict) else {}
        for question in self.questions:
            choices = [(c.slug, c.label) for c in question.choices.all()]
            stored = answers.get(question.slug, "")
            if question.multiple:
                self.fields[f"answer_{question.slug}"] = forms.MultipleChoiceField(
                    label=question.prompt,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    choices=[(NOT_SURE, NOT_SURE_LABEL), *choices],
                    initial=[part for part in str(stored).split(PART_SEPARATOR) if part],
                    help_text="Tick every part this team's system has, or “Not sure”; "
                    "nothing ticked: not answered.",
                )
                continue
            self.fields[f"answer_{question.slug}"] = forms.ChoiceField(
                label=question.prompt,
                required=False,
                choices=[("", "— not answered —"), (NOT_SURE, NOT_SURE_LABEL), *choices],
                initial=stored,
            )
        if comparison is not None:
            outcomes = [(o.slug, o.name) for o in comparison.options.all()]
            self.fields["outcome"] = forms.ChoiceField(
                choices=[*outcomes, *OUTCOME_CHOICES],
                help_text="The outcome these answers must give. Saves that change it are "
                "refused unless you tick “update these scenarios”.",
            )

    def clean(self):
        cleaned = super().clean()
        answers = {}
        for question in self.questions:
            name = f"answer_{question.slug}"
            value = cleaned.get(name)
            if question.multiple and value:
                if NOT_SURE in value and len(value) > 1:
                    self.add_error(name, f"Tick “{NOT_SURE_LABEL}” or the parts, not both.")
                    continue
                order = [slug for slug, _ in self.fields[name].choices]
                value = PART_SEPARATOR.join(slug for slug in order if slug in value)
            if value:
                answers[question.slug] = value
        self.instance.answers = answers
        return cleaned


@admin.register(Scenario)
class ScenarioAdmin(ContentAdmin):
    form = ScenarioForm
    list_display = ["name", "comparison", "outcome", "walk"]
    list_filter = ["comparison", "outcome"]
    search_fields = ["name", "slug", "source"]
    readonly_fields = ["walk"]

    def get_fields(self, request, obj=None):
        questions = obj.comparison.questions.all() if obj else []
        answers = [f"answer_{question.slug}" for question in questions]
        return ["comparison", "slug", "name", "source", "outcome", *answers, "walk"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = None
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["comparison", "walk"] if obj else ["walk"]

    @admin.display(description="try it")
    def walk(self, scenario):
        return _walk_link(scenario)


# --- Results ------------------------------------------------------------------------------


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    """What visitors chose: read-only, filterable by outcome."""

    list_display = ["created_at", "comparison_slug", "outcome", "token"]
    list_filter = ["comparison_slug", "outcome", "created_at"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "token",
        "comparison",
        "comparison_slug",
        "answers",
        "outcome",
        "content",
        "recommendation",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


from . import lead_admin  # noqa: E402, F401
