"""The analytics dashboard's reads and its view model.

Reads `DailyCount` rows in a fixed number of queries, whatever the number of days, questions
or versions (the versions seen, the counts added up over versions in the database, and the
question rows to link to), and turns them, with the comparison's current content, into the
figures (decision.dashboard_figures) and charts (decision.dashboard_charts) a page shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Min, Q, Sum

from . import dashboard_charts as charts
from . import dashboard_figures as figures_of
from .analytics import VERSION_LENGTH
from .content.schema import ComparisonSchema
from .dashboard_figures import Answers, Count, DropOff, Figures, QuestionInfo, Share
from .models import DailyCount, Question, Vote
from .presenters import outcome_name
from .vocabulary import COMBINE, NO_FIT, NOT_ENOUGH
from .wizard_events import START

CSV_COLUMNS = ("day", "comparison", "version", "event", "subject", "count")


@dataclass(frozen=True)
class Filters:
    """What the dashboard shows: one comparison, the days from start to end, one version or
    every version (None)."""

    slug: str
    start: date
    end: date
    version: str | None = None

    def _rows(self):
        rows = DailyCount.objects.filter(
            comparison_slug=self.slug, day__gte=self.start, day__lte=self.end
        )
        return rows.filter(version=self.version) if self.version else rows


@dataclass(frozen=True)
class VersionSeen:
    """A content version counted in the range: when first and last, and how many starts."""

    version: str
    first: date
    last: date
    starts: int
    current: bool

    @property
    def label(self) -> str:
        days = charts.day_label(self.first)
        if self.last != self.first:
            days += f" to {charts.day_label(self.last)}"
        current = "current, " if self.current else ""
        return f"{self.version} ({current}{days}, {self.starts:,} start{'s' * (self.starts != 1)})"


# --- reads ---------------------------------------------------------------------------------


def versions_seen(slug: str, start: date, end: date, *, current: str = "") -> list[VersionSeen]:
    """The versions counted for `slug` between start and end, most recently seen first.

    One query. `current` is the current content's fingerprint, to mark its version.
    """
    rows = (
        Filters(slug, start, end)
        ._rows()
        .values("version")
        .annotate(first=Min("day"), last=Max("day"), starts=Sum("count", filter=Q(event=START)))
        .order_by("-last", "version")
    )
    return [
        VersionSeen(
            row["version"],
            row["first"],
            row["last"],
            int(row["starts"] or 0),
            row["version"] == current[:VERSION_LENGTH],
        )
        for row in rows
    ]


def read_counts(filters: Filters) -> list[Count]:
    """The counts in range, each (day, event, subject) added up over versions: one query."""
    rows = (
        filters._rows()
        .values("day", "event", "subject")
        .annotate(total=Sum("count"))
        .order_by()  # no ordering: it would add the ordering fields to the grouping
    )
    return [Count(row["day"], row["event"], row["subject"], int(row["total"])) for row in rows]


def csv_rows(filters: Filters) -> Iterator[tuple]:
    """Every stored row in range, as (day, comparison, version, event, subject, count)."""
    return (
        filters._rows()
        .order_by("day", "event", "subject", "version")
        .values_list("day", "comparison_slug", "version", "event", "subject", "count")
        .iterator(chunk_size=2000)
    )


def question_ids(slug: str) -> dict[str, int]:
    """The pk of each of the comparison's questions, by slug: one query."""
    return dict(Question.objects.filter(comparison__slug=slug).order_by().values_list("slug", "pk"))


# --- the view model ------------------------------------------------------------------------


@dataclass(frozen=True)
class Linked:
    """A row of figures, and the admin page of its question (or "")."""

    item: DropOff | Answers
    url: str


@dataclass(frozen=True)
class AnswerSection:
    answers: Answers
    url: str
    chart: charts.BarChart | None  # None when nobody answered in range


@dataclass(frozen=True)
class Dashboard:
    figures: Figures
    days_chart: charts.LineChart
    drop_off: tuple[Linked, ...]
    drop_off_chart: charts.BarChart | None
    answers: tuple[AnswerSection, ...]
    outcomes: tuple[Share, ...]
    outcomes_chart: charts.BarChart | None
    votes: tuple[Share, ...]
    votes_chart: charts.BarChart | None


def questions_of(content: ComparisonSchema | None) -> list[QuestionInfo]:
    if content is None:
        return []
    return [
        QuestionInfo(
            question.slug,
            question.prompt,
            tuple((choice.slug, choice.label) for choice in question.choices),
            question.multiple,
        )
        for question in content.questions
    ]


def outcome_names(content: ComparisonSchema | None) -> list[tuple[str, str]]:
    """Every outcome the wizard can give, named as the result page names it."""
    if content is None:
        return []
    slugs = [option.slug for option in content.options] + [COMBINE, NO_FIT, NOT_ENOUGH]
    return [(slug, outcome_name(content, slug)) for slug in slugs]


def _counted_and_share(count: int, share_text: str) -> str:
    return f"{count:,} · {share_text}"


def _drop_off_value(row: DropOff) -> str:
    return f"{row.drop_off_text} of {row.shown:,}" if row.shown else row.drop_off_text


def _share_chart(shares, *, title: str, measure: str) -> charts.BarChart | None:
    if not any(share.count for share in shares):
        return None
    rows = [
        (share.label, share.share, _counted_and_share(share.count, share.share_text))
        for share in shares
    ]
    return charts.bar_chart(rows, title=title, measure=measure)


def dashboard(
    content: ComparisonSchema | None,
    counts: list[Count],
    filters: Filters,
    question_urls: Mapping[str, str],
) -> Dashboard:
    """Everything the page draws for these counts, named by the current content.

    `content` may be None (content that no longer validates): subjects are then shown by
    slug. `question_urls` maps a question's slug to its admin page, for the questions the
    reader may open.
    """
    found = figures_of.figures(
        counts,
        start=filters.start,
        end=filters.end,
        questions=questions_of(content),
        outcomes=outcome_names(content),
        votes=list(Vote.Answer.choices),
    )
    days = [row.day for row in found.days]
    days_chart = charts.line_chart(
        days,
        [
            ("Starts", [row.starts for row in found.days]),
            ("Results", [row.results for row in found.days]),
        ],
        title="Starts and results per day",
    )
    drop_off = tuple(Linked(row, question_urls.get(row.slug, "")) for row in found.drop_off)
    drop_off_chart = None
    if any(row.shown for row in found.drop_off):
        highest = max((row.drop_off or 0.0) for row in found.drop_off)
        drop_off_chart = charts.bar_chart(
            [(row.prompt, row.drop_off, _drop_off_value(row)) for row in found.drop_off],
            title="Drop-off per question",
            measure="the share of the visitors shown the question who left without answering",
            full=charts.share_scale(highest),
        )
    answers = tuple(
        AnswerSection(
            item,
            question_urls.get(item.slug, ""),
            _share_chart(
                item.shares,
                title=f"Answers to “{item.prompt}”",
                measure="the share of the visitors who answered",
            ),
        )
        for item in found.answers
    )
    return Dashboard(
        figures=found,
        days_chart=days_chart,
        drop_off=drop_off,
        drop_off_chart=drop_off_chart,
        answers=answers,
        outcomes=found.outcomes,
        outcomes_chart=_share_chart(
            found.outcomes, title="Outcomes", measure="the share of the results given"
        ),
        votes=found.votes,
        votes_chart=_share_chart(
            found.votes, title="Votes: was this right for you?", measure="the share of the votes"
        ),
    )
