from django import forms
from django.contrib import admin

from .models import (
    Assessment,
    Comparison,
    Con,
    Criterion,
    Dimension,
    FaqEntry,
    Option,
    Pro,
)


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


class FaqInline(admin.StackedInline):
    model = FaqEntry
    fields = ["order", "question", "answer", "sources"]
    extra = 0


@admin.register(Comparison)
class ComparisonAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "order", "updated_at"]
    list_editable = ["order"]
    search_fields = ["title", "slug", "intro"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [OptionInline, DimensionInline, FaqInline]


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
class OptionAdmin(admin.ModelAdmin):
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
class DimensionAdmin(admin.ModelAdmin):
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
