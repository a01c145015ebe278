"""Content of a comparison, as staff edit it in admin and fixtures describe it."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse

SLUG_HELP = "Lower-case letters, digits and hyphens; used in URLs and fixture references."
SOURCES_HELP = "Public sources for the numbers in this item, one URL per line."


class Ordered(models.Model):
    order = models.PositiveIntegerField(default=0, db_index=True)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class ComparisonQuerySet(models.QuerySet):
    def with_page_content(self):
        """Prefetch everything the comparison page shows, in a fixed number of queries."""
        options = Option.objects.prefetch_related(
            Prefetch("points", queryset=OptionPoint.objects.order_by("order", "pk")),
            Prefetch("criteria", queryset=Criterion.objects.order_by("order", "pk")),
        )
        dimensions = Dimension.objects.select_related("winner").prefetch_related(
            Prefetch("assessments", queryset=Assessment.objects.select_related("option"))
        )
        return self.prefetch_related(
            Prefetch("options", queryset=options),
            Prefetch("dimensions", queryset=dimensions),
            "faq_entries",
        )


class Comparison(Ordered):
    slug = models.SlugField(unique=True, help_text=SLUG_HELP)
    title = models.CharField(max_length=200)
    intro = models.TextField()
    default_advice = models.TextField(help_text="What to pick when nothing else decides.")
    combined_advice = models.TextField(help_text="How to combine the options when both fit.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComparisonQuerySet.as_manager()

    class Meta(Ordered.Meta):
        pass

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("decision:comparison", kwargs={"slug": self.slug})


class Option(Ordered):
    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="options")
    slug = models.SlugField(help_text=SLUG_HELP)
    name = models.CharField(max_length=200)
    tagline = models.TextField()
    typical_cost = models.TextField()
    time_to_productive = models.TextField()
    sources = models.TextField(blank=True, help_text=SOURCES_HELP)

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["comparison", "slug"], name="option_slug_per_comparison"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.comparison.get_absolute_url() + f"#option-{self.slug}"

    @property
    def pros(self):
        return [point for point in self.points.all() if point.kind == OptionPoint.Kind.PRO]

    @property
    def cons(self):
        return [point for point in self.points.all() if point.kind == OptionPoint.Kind.CON]


class OptionPoint(Ordered):
    """A pro or a con of an option."""

    class Kind(models.TextChoices):
        PRO = "pro", "Pro"
        CON = "con", "Con"

    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(max_length=3, choices=Kind.choices)
    text = models.TextField()

    class Meta(Ordered.Meta):
        pass

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"


class _KindManager(models.Manager):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)


class Pro(OptionPoint):
    """Pros alone, so admin can edit them as their own ordered list."""

    objects = _KindManager(OptionPoint.Kind.PRO)

    class Meta:
        proxy = True

    def save(self, *args, **kwargs):
        self.kind = OptionPoint.Kind.PRO
        super().save(*args, **kwargs)


class Con(OptionPoint):
    """Cons alone, so admin can edit them as their own ordered list."""

    objects = _KindManager(OptionPoint.Kind.CON)

    class Meta:
        proxy = True

    def save(self, *args, **kwargs):
        self.kind = OptionPoint.Kind.CON
        super().save(*args, **kwargs)


class Criterion(Ordered):
    """A "choose this option when…" bullet."""

    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="criteria")
    slug = models.SlugField(help_text=SLUG_HELP)
    text = models.TextField()

    class Meta(Ordered.Meta):
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["option", "slug"], name="criterion_slug_per_option")
        ]

    def __str__(self):
        return self.text[:80]


class Dimension(Ordered):
    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="dimensions")
    slug = models.SlugField(help_text=SLUG_HELP)
    name = models.CharField(max_length=200)
    why_it_matters = models.TextField()
    winner = models.ForeignKey(
        Option,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dimensions_won",
        help_text="Leave empty for a tie.",
    )
    sources = models.TextField(blank=True, help_text=SOURCES_HELP)

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["comparison", "slug"], name="dimension_slug_per_comparison"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.comparison.get_absolute_url() + f"#dimension-{self.slug}"

    def clean(self):
        if (
            self.winner_id
            and self.comparison_id
            and self.winner.comparison_id != self.comparison_id
        ):
            raise ValidationError(
                {
                    "winner": f"“{self.winner}” belongs to another comparison "
                    f"(“{self.winner.comparison}”): pick an option of this one, or leave it "
                    "empty for a tie."
                }
            )


class Assessment(models.Model):
    """How one option fares on one dimension."""

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="assessments")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="assessments")
    text = models.TextField()

    class Meta:
        ordering = ["option__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "option"], name="one_assessment_per_option"
            )
        ]

    def __str__(self):
        return f"{self.option}: {self.text[:60]}"

    def clean(self):
        if (
            self.dimension_id
            and self.option_id
            and self.dimension.comparison_id != self.option.comparison_id
        ):
            raise ValidationError(
                {"option": "This option belongs to another comparison than the dimension."}
            )


class FaqEntry(Ordered):
    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="faq_entries")
    question = models.CharField(max_length=300)
    answer = models.TextField()
    sources = models.TextField(blank=True, help_text=SOURCES_HELP)

    class Meta(Ordered.Meta):
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return self.comparison.get_absolute_url() + "#faq"
