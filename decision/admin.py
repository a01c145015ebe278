from django import forms
from django.contrib import admin, messages

from .content.engine_data import engine_model, engine_scenarios
from .models import (
    Assessment,
    Choice,
    ChoiceWeight,
    Comparison,
    Con,
    Criterion,
    Dimension,
    FaqEntry,
    Option,
    Pro,
    Question,
    Result,
    RuleOut,
    Scenario,
)
from .scenarios import scenario_failures
from .services import comparison_content

admin.site.site_header = "Decision Wizard content"
admin.site.site_title = "Decision Wizard admin"
admin.site.index_title = "Comparisons, questions and results"


class ScenarioWarningMixin:
    """After a save, warn the editor about any scenario the edit made fail."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        comparison = _comparison_of(form.instance)
        content = comparison and comparison_content(comparison.slug)
        if not content:
            return
        for failure in scenario_failures(engine_model(content), engine_scenarios(content)):
            messages.warning(request, f"This edit changes a scenario's outcome: {failure}.")


def _comparison_of(instance):
    for path in ("comparison", "option.comparison", "question.comparison", "dimension.comparison"):
        value = instance
        for name in path.split("."):
            value = getattr(value, name, None)
        if isinstance(value, Comparison):
            return value
    return instance if isinstance(instance, Comparison) else None


class OptionInline(admin.TabularInline):
    model = Option
    fields = ["order", "slug", "name", "tagline"]
    extra = 0
    show_change_link = True


class DimensionInlineForm(forms.ModelForm):
    """A dimension with one assessment field per option of its comparison.

    Subclassed per comparison by `DimensionInline.get_formset`, which declares the
    `assessment_<option pk>` fields, so staff edit a whole table row in one place.
    """

    comparison_options: list[Option] = []

    class Meta:
        model = Dimension
        fields = ["order", "slug", "name", "why_it_matters", "winner"]
        widgets = {"why_it_matters": forms.Textarea(attrs={"rows": 2})}

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

    def save(self, commit=True):
        dimension = super().save(commit=commit)
        if commit:
            for option in self.comparison_options:
                Assessment.objects.update_or_create(
                    dimension=dimension,
                    option=option,
                    defaults={"text": self.cleaned_data[f"assessment_{option.pk}"]},
                )
        return dimension


class DimensionInline(admin.StackedInline):
    model = Dimension
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        options = list(obj.options.all()) if obj else []
        declared = {
            f"assessment_{option.pk}": forms.CharField(
                label=f"{option.name} assessment",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            for option in options
        }
        declared["comparison_options"] = options
        kwargs["form"] = type("DimensionForm", (DimensionInlineForm,), declared)
        kwargs["fields"] = None
        return super().get_formset(request, obj, **kwargs)


class ScenarioInline(admin.TabularInline):
    model = Scenario
    fields = ["order", "slug", "name", "answers", "outcome"]
    extra = 0


class FaqInline(admin.StackedInline):
    model = FaqEntry
    fields = ["order", "question", "answer", "sources"]
    extra = 0


@admin.register(Comparison)
class ComparisonAdmin(ScenarioWarningMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "order", "updated_at"]
    list_editable = ["order"]
    search_fields = ["title", "slug", "intro"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [OptionInline, DimensionInline, FaqInline, ScenarioInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "default_option":
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Option.objects.filter(comparison_id=object_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ProInline(admin.TabularInline):
    model = Pro
    fields = ["order", "text"]
    extra = 0
    verbose_name = "pro"
    verbose_name_plural = "pros"


class ConInline(admin.TabularInline):
    model = Con
    fields = ["order", "text"]
    extra = 0
    verbose_name = "con"
    verbose_name_plural = "cons"


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ["order", "slug", "text"]
    extra = 0
    verbose_name = "“choose this when…” criterion"
    verbose_name_plural = "“choose this when…” criteria"


@admin.register(Option)
class OptionAdmin(ScenarioWarningMixin, admin.ModelAdmin):
    list_display = ["name", "comparison", "slug", "order"]
    list_filter = ["comparison"]
    list_editable = ["order"]
    list_select_related = ["comparison"]
    search_fields = ["name", "slug", "tagline"]
    inlines = [ProInline, ConInline, CriterionInline]


class AssessmentInline(admin.TabularInline):
    model = Assessment
    fields = ["option", "text"]
    extra = 0


@admin.register(Dimension)
class DimensionAdmin(ScenarioWarningMixin, admin.ModelAdmin):
    list_display = ["name", "comparison", "winner", "order"]
    list_filter = ["comparison", "winner"]
    list_editable = ["order"]
    list_select_related = ["comparison", "winner"]
    search_fields = ["name", "slug", "why_it_matters"]
    inlines = [AssessmentInline]


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ["question", "comparison", "order"]
    list_filter = ["comparison"]
    list_editable = ["order"]
    list_select_related = ["comparison"]
    search_fields = ["question", "answer"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["text", "option", "slug", "order"]
    list_filter = ["option__comparison", "option"]
    list_select_related = ["option"]
    search_fields = ["text", "slug"]


class ChoiceInline(admin.StackedInline):
    model = Choice
    fields = ["order", "slug", "label", "why"]
    extra = 0
    show_change_link = True


@admin.register(Question)
class QuestionAdmin(ScenarioWarningMixin, admin.ModelAdmin):
    list_display = ["prompt", "comparison", "slug", "order", "show_if"]
    list_filter = ["comparison"]
    list_editable = ["order"]
    list_select_related = ["comparison", "show_if__question"]
    search_fields = ["prompt", "slug", "help"]
    inlines = [ChoiceInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "show_if":
            kwargs["queryset"] = Choice.objects.select_related("question")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class WeightInline(admin.TabularInline):
    model = ChoiceWeight
    fields = ["option", "weight"]
    extra = 0


class RuleOutInline(admin.TabularInline):
    model = RuleOut
    fields = ["option", "reason"]
    extra = 0


@admin.register(Choice)
class ChoiceAdmin(ScenarioWarningMixin, admin.ModelAdmin):
    list_display = ["label", "question", "slug", "order"]
    list_filter = ["question__comparison", "question"]
    list_select_related = ["question"]
    search_fields = ["label", "slug", "why"]
    filter_horizontal = ["dimensions", "criteria"]
    inlines = [WeightInline, RuleOutInline]


@admin.register(Scenario)
class ScenarioAdmin(ScenarioWarningMixin, admin.ModelAdmin):
    list_display = ["name", "comparison", "outcome", "order"]
    list_filter = ["comparison", "outcome"]
    search_fields = ["name", "slug"]


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    """What visitors chose: read-only, filterable by outcome."""

    list_display = ["created_at", "comparison", "outcome", "token"]
    list_filter = ["comparison", "outcome", "created_at"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "token",
        "comparison",
        "answers",
        "outcome",
        "snapshot",
        "content_fingerprint",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
