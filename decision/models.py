"""Content of a comparison, as staff edit it in admin and fixtures describe it."""

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from decision.vocabulary import AS_OF_PATTERN, SLUG_PATTERN, URL_PATTERN, WEIGHT_LIMIT

SLUG_HELP = "Lower-case letters, digits and hyphens; used in URLs and fixture references."
SLUG_LENGTH = 80  # as long as the fixture schema allows
# The same rule as the fixture schema, so whatever admin accepts also exports and reloads.
content_slug = RegexValidator(
    SLUG_PATTERN, "Use lower-case letters, digits and single hyphens, like “cold-starts”."
)
SOURCES_HELP = (
    "Public sources for the figures in this item (prices, limits, timings): one http(s) URL "
    "per line."
)


def validate_source_urls(value: str) -> None:
    """Each non-empty line must be an http(s) URL, as the fixture schema demands."""
    bad = [line.strip() for line in value.splitlines() if line.strip()]
    bad = [line for line in bad if not URL_PATTERN.match(line)]
    if bad:
        raise ValidationError(
            "%(lines)s: write one full address per line, starting with https:// "
            "(for example https://aws.amazon.com/lambda/pricing/).",
            params={"lines": ", ".join(f"“{line}” is not a web address" for line in bad)},
            code="invalid_url",
        )


class SourcesField(models.TextField):
    """Source URLs, one per line; stored with plain newlines, whatever the browser sends."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("help_text", SOURCES_HELP)
        kwargs.setdefault("validators", [validate_source_urls])
        super().__init__(*args, **kwargs)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return "\n".join(split_source_lines(value)) if isinstance(value, str) else value


class AsOfField(models.CharField):
    """The month a fact was last checked against its sources, like “2026-11”; empty: none."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("verbose_name", "as of")
        kwargs.setdefault(
            "help_text",
            "The month the figures here were last checked against the sources, like "
            "“2026-11”. Required when the text states a figure.",
        )
        kwargs.setdefault(
            "validators",
            [
                RegexValidator(
                    AS_OF_PATTERN, "Write a year and a month, like “2026-11”.", code="invalid"
                )
            ],
        )
        super().__init__(*args, **kwargs)


def split_source_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class Ordered(models.Model):
    order = models.PositiveIntegerField(default=0, db_index=True)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


def _aware(value) -> datetime:
    """A datetime read through a plain cursor (SQLite hands back text) as an aware UTC value."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


class ComparisonQuerySet(models.QuerySet):
    def version_of(self, slug: str) -> tuple[int, datetime] | None:
        """(pk, updated_at) of the comparison with this slug, or None.

        Every public request asks this, so it is one indexed lookup through a plain cursor:
        building the equivalent ORM query costs more than running it.
        """
        table = Comparison._meta.db_table
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT id, updated_at FROM {table} WHERE slug = %s", [slug])
            row = cursor.fetchone()
        if row is None:
            return None
        pk, updated_at = row
        return pk, _aware(updated_at)

    def with_page_content(self):
        """Prefetch everything the comparison page shows, in a fixed number of queries."""
        options = Option.objects.prefetch_related(
            Prefetch("points", queryset=OptionPoint.objects.order_by("order", "pk")),
            Prefetch("criteria", queryset=Criterion.objects.order_by("order", "pk")),
            Prefetch(
                "plans",
                queryset=Plan.objects.prefetch_related(
                    Prefetch("prices", queryset=Price.objects.order_by("free", "pk")),
                    Prefetch("nodes", queryset=Node.objects.order_by("order", "pk")),
                ),
            ),
        )
        dimensions = Dimension.objects.select_related("winner").prefetch_related(
            Prefetch("assessments", queryset=Assessment.objects.select_related("option"))
        )
        return self.prefetch_related(
            Prefetch("options", queryset=options),
            Prefetch("dimensions", queryset=dimensions),
            "faq_entries",
        )

    def with_questions(self):
        """Prefetch the wizard's questions with their choices, weights, rule-outs and links."""
        choices = Choice.objects.prefetch_related(
            Prefetch("weights", queryset=ChoiceWeight.objects.select_related("option")),
            Prefetch("rule_outs", queryset=RuleOut.objects.select_related("option")),
            Prefetch("caveats", queryset=Caveat.objects.select_related("option")),
            Prefetch("dimensions", queryset=Dimension.objects.order_by("order", "pk")),
            Prefetch("criteria", queryset=Criterion.objects.select_related("option")),
        )
        questions = Question.objects.select_related("show_if__question").prefetch_related(
            Prefetch("choices", queryset=choices)
        )
        return self.prefetch_related(Prefetch("questions", queryset=questions))


class Comparison(Ordered):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft — visible to staff only"
        PUBLISHED = "published", "Published"

    slug = models.SlugField(
        max_length=SLUG_LENGTH, unique=True, help_text=SLUG_HELP, validators=[content_slug]
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Visitors see a comparison, its wizard and its new results only once it is "
        "published. Staff see drafts with a banner. Unpublishing keeps saved results' links "
        "working.",
    )
    title = models.CharField(
        max_length=200, help_text="The page's heading, e.g. “Kubernetes vs serverless”."
    )
    intro = models.TextField(
        help_text="Two or three sentences under the title: what is being compared, and for whom."
    )
    default_advice = models.TextField(help_text="What to pick when nothing else decides.")
    combined_advice = models.TextField(help_text="How to combine the options when both fit.")
    integration_advice = models.TextField(
        blank=True,
        help_text="How parts placed on different options talk to each other, in a sentence or "
        "two; shown under the placement map.",
    )
    estimate_defaults = models.JSONField(
        "cost estimate defaults",
        default=dict,
        blank=True,
        help_text="The cost estimate's inputs before any answer, e.g. "
        '{"duration_ms": 200, "hours_kubernetes": 20}; answers\' own estimate values win.',
    )
    default_option = models.ForeignKey(
        "Option",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The option the default advice favours; it wins exact ties in the wizard.",
    )
    call_heading = models.CharField(
        "scoping call heading",
        max_length=200,
        blank=True,
        help_text="The offer's heading and button, e.g. “Book a 30-minute scoping call”; "
        "leave empty to offer no call.",
    )
    call_text = models.TextField(
        "scoping call offer",
        blank=True,
        help_text="A sentence or two under the heading: what the call is and what comes of it.",
    )
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
    slug = models.SlugField(max_length=SLUG_LENGTH, help_text=SLUG_HELP, validators=[content_slug])
    name = models.CharField(max_length=200, help_text="As visitors see it, e.g. “Kubernetes”.")
    tagline = models.TextField(
        help_text="One sentence on what this option is best at; also the summary when it is "
        "recommended."
    )
    typical_cost = models.TextField(
        help_text="A typical monthly range with what drives it; put its source under Sources."
    )
    time_to_productive = models.TextField(
        help_text="How long a team usually needs before it ships with this option."
    )
    sources = SourcesField()
    as_of = AsOfField()

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
    text = models.TextField(help_text="One short sentence, starting with a capital letter.")

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
    slug = models.SlugField(max_length=SLUG_LENGTH, help_text=SLUG_HELP, validators=[content_slug])
    text = models.TextField()

    class Meta(Ordered.Meta):
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["option", "slug"], name="criterion_slug_per_option")
        ]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        if not self.option_id:
            return
        clash = Criterion.objects.filter(
            option__comparison_id=self.option.comparison_id, slug=self.slug
        ).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError(
                {"slug": "Another criterion of this comparison already uses this slug."}
            )


class Dimension(Ordered):
    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="dimensions")
    slug = models.SlugField(max_length=SLUG_LENGTH, help_text=SLUG_HELP, validators=[content_slug])
    name = models.CharField(max_length=200, help_text="The row's heading in the table.")
    why_it_matters = models.TextField(
        help_text="Why a team should care about this dimension, in a sentence or two."
    )
    winner = models.ForeignKey(
        Option,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="dimensions_won",
        help_text="Leave empty for a tie.",
    )
    sources = SourcesField()
    as_of = AsOfField()

    about_cost = models.BooleanField(
        "about cost",
        default=False,
        help_text="A row about cost: it links to the estimate made from the visitor's numbers.",
    )

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
    question = models.CharField(max_length=300, help_text="As a visitor would ask it.")
    answer = models.TextField(help_text="A direct answer first, then the detail.")
    sources = SourcesField()
    as_of = AsOfField()

    class Meta(Ordered.Meta):
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return self.comparison.get_absolute_url() + "#faq"


class Question(Ordered):
    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="questions")
    slug = models.SlugField(max_length=SLUG_LENGTH, help_text=SLUG_HELP, validators=[content_slug])
    prompt = models.CharField(max_length=300, help_text="The question as the wizard asks it.")
    help = models.TextField(
        blank=True, help_text="Optional: a hint shown under the question to help visitors answer."
    )
    show_if = models.ForeignKey(
        "Choice",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text="Ask this question only when an earlier question got this answer.",
    )
    multiple = models.BooleanField(
        "parts question",
        default=False,
        help_text="Visitors pick every part their system has: this question's answers are the "
        "parts, and each answer's pulls, hard limits and caveats apply to its part alone. At "
        "most one per comparison.",
    )
    parts = models.JSONField(
        default=list,
        blank=True,
        help_text="The parts this question is about (answers of the parts question); none: "
        "every part.",
    )
    sources = SourcesField()
    as_of = AsOfField()

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["comparison", "slug"], name="question_slug_per_comparison"
            )
        ]

    def __str__(self):
        return self.prompt

    def clean(self):
        target = self.show_if
        if target is None or not self.comparison_id:
            return
        asked = target.question
        if asked.comparison_id != self.comparison_id:
            raise ValidationError({"show_if": "Pick an answer to a question of this comparison."})
        if self.pk == asked.pk or (asked.order, asked.pk or 0) >= (self.order, self.pk or 2**62):
            raise ValidationError(
                {"show_if": f"“{asked}” must come before this question (set a lower order)."}
            )


class Choice(Ordered):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    slug = models.SlugField(max_length=SLUG_LENGTH, help_text=SLUG_HELP, validators=[content_slug])
    label = models.CharField(max_length=300, help_text="The answer as visitors see it.")
    why = models.CharField(max_length=300, help_text="One line: why this answer pushes as it does.")
    dimensions = models.ManyToManyField(Dimension, blank=True, related_name="choices")
    criteria = models.ManyToManyField(Criterion, blank=True, related_name="choices")
    sources = SourcesField()
    as_of = AsOfField()
    estimate = models.JSONField(
        default=dict,
        blank=True,
        help_text="What this answer suggests for the cost estimate, e.g. "
        '{"requests_per_month": 5000000} or {"hours_kubernetes": 40}.',
    )

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(fields=["question", "slug"], name="choice_slug_per_question")
        ]

    def __str__(self):
        return f"{self.question.slug}: {self.label}"


class ChoiceWeight(models.Model):
    """How much an answer pushes toward (positive) or away from (negative) one option."""

    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="weights")
    option = models.ForeignKey(Option, on_delete=models.RESTRICT, related_name="weights")
    weight = models.FloatField(
        validators=[MinValueValidator(-WEIGHT_LIMIT), MaxValueValidator(WEIGHT_LIMIT)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["choice", "option"], name="one_weight_per_option")
        ]

    def __str__(self):
        return f"{self.option}: {self.weight:+g}"


class RuleOut(models.Model):
    """A hard limit: with this answer, the option cannot be recommended."""

    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="rule_outs")
    option = models.ForeignKey(Option, on_delete=models.RESTRICT, related_name="rule_outs")
    reason = models.TextField(help_text="Why this answer makes the option impossible.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["choice", "option"], name="one_rule_out_per_option")
        ]

    def __str__(self):
        return f"rules out {self.option}"


class Caveat(Ordered):
    """What to watch for when an option is chosen despite an answer: the form of it that fits."""

    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="caveats")
    option = models.ForeignKey(Option, on_delete=models.RESTRICT, related_name="caveats")
    form = models.CharField(
        max_length=200,
        help_text="The form of the option that fits, e.g. “Serverless containers and jobs”.",
    )
    text = models.TextField(help_text="What to use instead and its limits, with sources.")
    sources = SourcesField()
    as_of = AsOfField()

    class Meta(Ordered.Meta):
        pass

    def __str__(self):
        return f"{self.option}: {self.form}"


PRICE_HELP = "US dollars, in the unit below, as the source lists it; never negative."


class Plan(Ordered):
    """One priced way of running an option (AWS Lambda, Amazon EKS): the cost estimate's input."""

    class Kind(models.TextChoices):
        FUNCTIONS = "functions", "Functions: per request and GB-second (AWS Lambda)"
        CONTAINERS = "containers", "Containers: per vCPU- and GiB-second (Cloud Run)"
        CLUSTER = "cluster", "Cluster: control plane and nodes by the hour (Amazon EKS)"

    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="plans")
    slug = models.SlugField(max_length=SLUG_LENGTH, help_text=SLUG_HELP, validators=[content_slug])
    name = models.CharField(
        max_length=200, help_text="As visitors see it, e.g. “AWS Lambda (Arm)”."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    region = models.CharField(
        max_length=200, help_text="The region the prices are for, e.g. “US East (N. Virginia)”."
    )
    granularity_ms = models.PositiveIntegerField(
        "billing granularity (ms)",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(60_000)],
        help_text="Each request's duration is rounded up to this many milliseconds.",
    )

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(fields=["option", "slug"], name="plan_slug_per_option")
        ]

    def __str__(self):
        return self.name


class Price(models.Model):
    """A plan's price, or (with `free`) its monthly free allowance, with its source and date."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="prices")
    key = models.CharField(
        max_length=40,
        help_text="What is priced: requests, compute, kept_warm, cpu, memory, idle_cpu, "
        "idle_memory or control_plane, as the plan's kind allows.",
    )
    free = models.BooleanField(
        default=False, help_text="A free allowance a month (or a monthly credit), not a price."
    )
    amount = models.DecimalField(
        max_digits=22, decimal_places=10, validators=[MinValueValidator(0)], help_text=PRICE_HELP
    )
    unit = models.CharField(
        max_length=60, help_text="e.g. usd-per-million-requests, usd-per-gb-second, usd-per-hour."
    )
    source = models.URLField(max_length=500, help_text="The public price list it comes from.")
    checked = models.DateField(help_text="The day it was last checked against its source.")

    class Meta:
        ordering = ["free", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key", "free"], name="one_price_per_item")
        ]

    def __str__(self):
        return f"{'free ' if self.free else ''}{self.key}: {self.amount.normalize():f} {self.unit}"


class Node(Ordered):
    """A node type a cluster plan runs on, priced on demand by the hour."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="nodes")
    slug = models.SlugField(max_length=SLUG_LENGTH, help_text=SLUG_HELP, validators=[content_slug])
    name = models.CharField(max_length=200, help_text="e.g. “m7g.large”.")
    vcpu = models.DecimalField(
        "vCPUs", max_digits=8, decimal_places=2, validators=[MinValueValidator(0.01)]
    )
    memory_gib = models.DecimalField(
        "memory (GiB)", max_digits=10, decimal_places=2, validators=[MinValueValidator(0.01)]
    )
    price = models.DecimalField(
        "price per hour",
        max_digits=22,
        decimal_places=10,
        validators=[MinValueValidator(0)],
        help_text="US dollars an hour, on demand.",
    )
    unit = models.CharField(max_length=60, default="usd-per-hour")
    source = models.URLField(max_length=500, help_text="The public price list it comes from.")
    checked = models.DateField(help_text="The day it was last checked against its source.")

    class Meta(Ordered.Meta):
        constraints = [models.UniqueConstraint(fields=["plan", "slug"], name="node_slug_per_plan")]

    def __str__(self):
        return self.name


class Scenario(Ordered):
    """Answers with the outcome they must give: the content's own regression test."""

    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="scenarios")
    slug = models.SlugField(max_length=SLUG_LENGTH, help_text=SLUG_HELP, validators=[content_slug])
    name = models.CharField(max_length=300, help_text="The kind of team or system it describes.")
    source = models.URLField(
        max_length=500,
        blank=True,
        help_text="A public write-up of a team like this one (case study, architecture post).",
    )
    answers = models.JSONField(
        default=dict,
        blank=True,
        help_text="Each question's answer; a question left out is not answered.",
    )
    outcome = models.SlugField(
        max_length=SLUG_LENGTH,
        help_text="An option slug, or “combine”, “no-fit” or “not-enough”.",
    )

    class Meta(Ordered.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["comparison", "slug"], name="scenario_slug_per_comparison"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        answers = self.answers
        if not isinstance(answers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in answers.items()
        ):
            # Not tied to the field: admin edits answers through one select per question.
            raise ValidationError("A scenario's answers must map question slugs to answer slugs.")


class ContentSnapshot(models.Model):
    """One version of a comparison's content, as results were computed from it.

    Stored once per content version (its fingerprint) and shared by every result made from
    that version, so a result row holds only its answers and its recommendation.
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    version = models.PositiveSmallIntegerField(help_text="The snapshot format it was written in.")
    content = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.content.get('slug', '?')} @ {self.fingerprint[:12]}"


class ResultQuerySet(models.QuerySet):
    def permalink_row(self, slug: str, token: str) -> tuple | None:
        """(created_at, content fingerprint, comparison (pk, slug, updated_at) or None), or None.

        Everything a permalink request needs before its cached page, in one indexed query
        through a plain cursor (the ORM's query building would be most of the request's cost).
        The comparison part is None once the comparison is gone.
        """
        result, comparison = Result._meta.db_table, Comparison._meta.db_table
        snapshot = ContentSnapshot._meta.db_table
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"SELECT r.created_at, s.fingerprint, c.id, c.slug, c.updated_at "
                f"FROM {result} r JOIN {snapshot} s ON s.id = r.content_id "
                f"LEFT JOIN {comparison} c ON c.id = r.comparison_id "
                f"WHERE r.token = %s AND r.comparison_slug = %s",
                [token, slug],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        created_at, fingerprint, pk, current_slug, updated_at = row
        current = (pk, current_slug, _aware(updated_at)) if pk is not None else None
        return _aware(created_at), fingerprint, current


class Result(models.Model):
    """A recommendation a visitor reached, with the content version it was computed from."""

    token = models.CharField(max_length=64, unique=True)
    # The permalink lives on its own: it keeps the slug it was made under and outlives the
    # comparison (its content snapshot holds everything the page shows).
    comparison = models.ForeignKey(
        Comparison, on_delete=models.SET_NULL, null=True, related_name="results"
    )
    comparison_slug = models.SlugField(max_length=SLUG_LENGTH)
    content = models.ForeignKey(ContentSnapshot, on_delete=models.PROTECT, related_name="results")
    answers = models.JSONField()
    # The same answers on the same content version give the same result: one row, one link.
    # Null only for repeats saved before results were shared, which keep their own links.
    # (NULL, not "": NULLs never clash in a unique constraint.)
    answers_key = models.CharField(max_length=64, null=True)  # noqa: DJ001
    outcome = models.CharField(max_length=80, db_index=True)
    recommendation = models.JSONField(help_text="The recommendation, with its explanation.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content", "answers_key"], name="one_result_per_answers_and_content"
            )
        ]

    def __str__(self):
        return f"{self.comparison_slug}: {self.outcome} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse(
            "decision:result", kwargs={"slug": self.comparison_slug, "token": self.token}
        )

    @property
    def snapshot(self) -> dict:
        """The stored snapshot as one document: its content version and its recommendation."""
        return {
            "version": self.content.version,
            "content": self.content.content,
            "recommendation": self.recommendation,
        }


class Lead(models.Model):
    """A visitor who asked for a scoping call, with the result they came from (if any)."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        CLOSED = "closed", "Closed"

    comparison = models.ForeignKey(
        Comparison, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    comparison_slug = models.SlugField(max_length=SLUG_LENGTH)
    result = models.ForeignKey(
        Result,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        help_text="The recommendation the visitor asked from: their answers and outcome.",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField("work email", max_length=254)
    company = models.CharField(max_length=200, blank=True)
    message = models.TextField(max_length=4000, blank=True)
    consent = models.TextField(help_text="The consent text the visitor agreed to, as shown.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    notes = models.TextField(blank=True, help_text="For the team: calls made, next steps.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class Vote(models.Model):
    """ "Was this right for you?": one answer per result, stored with what it is about."""

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    result = models.OneToOneField(Result, on_delete=models.CASCADE, related_name="vote")
    comparison_slug = models.SlugField(max_length=SLUG_LENGTH)
    # What the vote judges: the outcome the visitor was given, on this content version.
    outcome = models.CharField(max_length=80, db_index=True)
    content = models.ForeignKey(ContentSnapshot, on_delete=models.PROTECT, related_name="votes")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    comment = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.comparison_slug}: {self.get_answer_display()} on {self.outcome}"


class DailyCount(models.Model):
    """How often something happened, per comparison, content version and day.

    An aggregate and nothing else: no visitor, address or browser is recorded.
    `decision.analytics` adds to it in batches.
    """

    class Event(models.TextChoices):
        START = "start", "Wizard started"
        SHOWN = "shown", "Question shown"
        ANSWERED = "answered", "Question answered"
        CHOICE = "choice", "Answer chosen"
        REVIEW = "review", "Check your answers reached"
        RESULT = "result", "Result reached"
        OUTCOME = "outcome", "Outcome given"
        VOTE = "vote", "Vote"
        LEAD = "lead", "Lead"

    comparison_slug = models.SlugField(max_length=SLUG_LENGTH)
    version = models.CharField(max_length=12, help_text="The content version's fingerprint.")
    day = models.DateField()
    event = models.CharField(max_length=10, choices=Event.choices)
    # What was counted: a question's slug, "question/choice", an outcome or a vote's answer.
    subject = models.CharField(max_length=200, blank=True)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comparison_slug", "version", "day", "event", "subject"],
                name="one_count_per_key",
            )
        ]
        indexes = [models.Index(fields=["comparison_slug", "day"])]

    def __str__(self):
        return f"{self.comparison_slug} {self.day} {self.event} {self.subject}: {self.count}"
