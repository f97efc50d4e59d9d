"""The organisers' feedback report for one event: numbers, and the geometry of its SVG charts.

Five queries whatever the number of responses: attended delegates, the score distributions (one
aggregate), each session's mean usefulness (one annotated query), and the comments. Comments are
listed without names, newest last.
"""

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q

from ..models import EventSession, FeedbackResponse, Registration
from .forms import OVERALL_CHOICES, PRACTICE_CHANGE_CHOICES

# Chart geometry, in SVG user units: a label column, then the bars.
CHART_WIDTH = 640
LABEL_WIDTH = 230
BAR_MAX = 340
ROW_HEIGHT = 34
BAR_HEIGHT = 22


@dataclass
class Bar:
    label: str
    value: float
    value_text: str
    width: float = 0
    y: int = 0

    @property
    def short_label(self):
        # The label column is narrow; the table under the chart has the full text.
        return self.label if len(self.label) <= 32 else self.label[:31].rstrip() + "…"

    @property
    def text_y(self):
        return self.y + BAR_HEIGHT - 6

    @property
    def value_x(self):
        return LABEL_WIDTH + self.width + 8


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    bars: list[Bar]
    label_width: int = LABEL_WIDTH
    width: int = CHART_WIDTH
    height: int = field(init=False)

    def __post_init__(self):
        self.height = max(len(self.bars), 1) * ROW_HEIGHT + 4


def _chart(slug, title, bars, maximum, description):
    for index, bar in enumerate(bars):
        bar.y = index * ROW_HEIGHT + 2
        bar.width = round(BAR_MAX * bar.value / maximum, 1) if maximum else 0
    return Chart(slug=slug, title=title, description=description, bars=bars)


def _distribution(slug, title, choices, counts, responses):
    bars = []
    for score, label in choices:
        count = counts[score]
        percent = round(100 * count / responses) if responses else 0
        bars.append(Bar(label=label, value=count, value_text=f"{count} ({percent}%)"))
    description = "; ".join(f"{bar.label}: {bar.value_text}" for bar in bars)
    return _chart(slug, title, bars, max(counts.values(), default=0), description)


def feedback_report(event):
    attended = Registration.objects.filter(
        event=event, status=Registration.Status.CONFIRMED, checked_in_at__isnull=False
    ).count()
    responses = FeedbackResponse.objects.filter(event=event)
    aggregates = {
        "responses": Count("pk"),
        "overall_mean": Avg("overall_rating"),
        "practice_mean": Avg("practice_change"),
        "comments_erased": Count("pk", filter=Q(comments_erased_at__isnull=False)),
    }
    for score in range(1, 6):
        aggregates[f"overall_{score}"] = Count("pk", filter=Q(overall_rating=score))
        aggregates[f"practice_{score}"] = Count("pk", filter=Q(practice_change=score))
    numbers = responses.aggregate(**aggregates)
    count = numbers["responses"]
    overall = {score: numbers[f"overall_{score}"] for score in range(1, 6)}
    practice = {score: numbers[f"practice_{score}"] for score in range(1, 6)}

    sessions = list(
        EventSession.objects.filter(event=event)
        .order_by("start", "sort_order", "pk")
        .annotate(
            ratings=Count("feedback_ratings"), mean_usefulness=Avg("feedback_ratings__usefulness")
        )
    )
    session_bars = [
        Bar(
            label=session.title,
            value=session.mean_usefulness or 0,
            value_text=(
                f"{session.mean_usefulness:.1f} ({session.ratings} "
                f"rating{'' if session.ratings == 1 else 's'})"
                if session.ratings
                else "no ratings"
            ),
        )
        for session in sessions
    ]
    comments = list(
        responses.exclude(comments="")
        .order_by("submitted_at", "pk")
        .values_list("comments", flat=True)
    )
    return {
        "attended": attended,
        "responses": count,
        "response_rate": round(100 * count / attended) if attended else None,
        "overall_mean": numbers["overall_mean"],
        "practice_mean": numbers["practice_mean"],
        "distribution_charts": [
            _distribution("overall", "Overall rating", OVERALL_CHOICES, overall, count),
            _distribution(
                "practice",
                "Will this event change your practice?",
                PRACTICE_CHANGE_CHOICES,
                practice,
                count,
            ),
        ],
        "sessions": sessions,
        "session_chart": _chart(
            "sessions",
            "Mean usefulness of each session (1 to 5)",
            session_bars,
            5,
            "; ".join(f"{bar.label}: {bar.value_text}" for bar in session_bars),
        ),
        "comments": comments,
        "comments_erased": bool(numbers["comments_erased"]),
    }
