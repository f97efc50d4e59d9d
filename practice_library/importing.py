"""Reading and checking an import file of practices (CSV or JSON), before anything is written.

``read_rows`` checks the file itself (size, type, UTF-8, shape); ``validate_rows`` checks every
row and names each problem as ``row N, column: message``, with a "did you mean …?" for a topic
or organisation name it does not recognise. ``services.practices_import`` writes;
``import_practices`` runs it for the command and the admin (new topics, progress).

Topic and organisation names match whatever the case, punctuation, spacing, "&" or "and",
plural or singular, and (for organisations) words such as "Police" or "Constabulary" that a
spreadsheet adds or leaves out, as long as only one topic or organisation fits. Other names
("Met Police", "PDP") are ``ImportAlias`` records that editors add in the admin.
"""

import csv
import difflib
import io
import json
import logging
import re
import unicodedata
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django_tasks import task

from accounts.models import Organisation, OrganisationKind
from accounts.permissions import has_staff_perm
from kx_site.audience import Audience, Marking

from .models import (
    DoesItWork,
    EvidenceStage,
    ImportAlias,
    PracticeImport,
    PracticePage,
    Scale,
    Topic,
)

COLUMNS = [
    "title",
    "summary",
    "does_it_work",
    "evidence_stage",
    "focus",
    "topics",
    "target_group",
    "organisation",
    "partners",
    "region",
    "scale",
    "start_date",
    "end_date",
    "aim",
    "intended_outcome",
    "description",
    "evaluation",
    "resources_and_cost",
    "contact_name",
    "contact_email",
    "audience",
    "restricted_to_kinds",
    "marking",
]
REQUIRED = ["title", "summary", "does_it_work", "evidence_stage", "description"]
TEXT_LIMITS = {
    name: PracticePage._meta.get_field(name).max_length
    for name in ["title", "summary", "focus", "target_group", "partners", "region", "contact_name"]
}
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
IMPORT_PERMISSION = "practice_library.import_practices"

logger = logging.getLogger(__name__)


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing in it is imported."""


@dataclass
class Problem:
    row: int
    column: str
    message: str
    suggestions: list = field(default_factory=list)

    def __str__(self):
        return f"row {self.row}, {self.column}: {self.message}"


@dataclass
class ValidRow:
    row: int
    fields: dict
    topics: list
    restricted_to_kinds: list = field(default_factory=list)
    # Topic names no topic matches, to be created (only with ``create_topics``).
    new_topics: list = field(default_factory=list)


def max_import_bytes():
    return settings.KX_IMPORT_MAX_BYTES


def read_rows(path):
    """``[(row number, {column: text})]`` from a CSV or JSON file, or ``ImportFileError``.

    CSV rows are numbered as a spreadsheet shows them (the header is row 1); JSON objects
    from 1.
    """
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"{path} does not exist or is not a file")
    extension = path.suffix.lower()
    if extension not in {".csv", ".json"}:
        raise ImportFileError(f"{path.name} must be a .csv or .json file")
    limit = max_import_bytes()
    if path.stat().st_size > limit:
        raise ImportFileError(f"{path.name} is larger than the limit of {limit:,} bytes")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"{path.name} is not UTF-8 text (byte {error.start}): save it as UTF-8 and try again"
        ) from error
    if extension == ".csv":
        return _csv_rows(text, path.name)
    return _json_rows(text, path.name)


def _csv_rows(text, name):
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames
    if not header:
        raise ImportFileError(f"{name} is empty: the first row must name the columns")
    header = [column.strip() for column in header]
    unknown = [column for column in header if column not in COLUMNS]
    if unknown:
        raise ImportFileError(
            f"{name} has unknown columns: {', '.join(unknown)} (expected some of: "
            f"{', '.join(COLUMNS)})"
        )
    reader.fieldnames = header
    try:
        rows = []
        for number, row in enumerate(reader, start=2):
            if None in row:
                row.pop(None)
                row["__extra__"] = "yes"
            rows.append((number, row))
        return rows
    except csv.Error as error:
        raise ImportFileError(f"{name} is not valid CSV: {error}") from error


def _json_rows(text, name):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(f"{name} is not valid JSON: {error}") from error
    if not isinstance(data, list):
        raise ImportFileError(f"{name} must hold a JSON list of objects, one per practice")
    rows = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ImportFileError(f"{name}: item {number} is not an object")
        rows.append((number, item))
    return rows


def _choice(value, choices):
    """The code for ``value``, given as a code or a label in any case, or None."""
    wanted = value.strip().lower()
    for code, label in choices:
        if wanted in {code.lower(), str(label).lower()}:
            return code
    return None


def _date(value):
    for date_format in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), date_format).date()
        except ValueError:
            continue
    return None


# Words that do not tell one name from another ("Kent Police Force", "The Met"), and words
# that mean the same in a name ("Avon and Somerset Police" for "... Constabulary"): used in the
# second, looser comparison (see ``NameIndex``).
FILLER_WORDS = {"the", "of", "and", "a", "an", "service", "force"}
SYNONYMS = {"constabulary": "police"}
SUGGESTIONS = 3
# difflib similarity (0 to 1) for a "did you mean": below 0.75, names that share only a word
# ("Atlantis Police" and "Kent Police") or a few letters ("mappa" and "HMPPS") come up. Names
# more than 0.1 behind the closest are left out ("Kent Polise": Kent Police, not Gwent Police).
SIMILAR = 0.75
SIMILAR_MARGIN = 0.1


def normalise(name):
    """``name`` compared loosely: case, accents, punctuation, spacing and "&" do not count."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " and ").replace("'", "")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _singular(word):
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def core_words(name):
    """The words that tell names apart, in any order, singular: "Avon & Somerset Police" and
    "the Police of Avon and Somerset" give the same."""
    words = (SYNONYMS.get(word, word) for word in normalise(name).split())
    return frozenset(_singular(word) for word in words if word not in FILLER_WORDS)


class NameIndex:
    """Topics or organisations by name, slug and alias, matched loosely.

    A name matches a thing when, in order, its normalised form (``normalise``) or its core
    words (``core_words``) are those of exactly one thing's name, slug or alias; or, with
    ``partial_names`` (organisations, known by part of their name: "Avon & Somerset",
    "Metropolitan"), when exactly one thing's core words include all of its own. Anything else
    is no match, and ``suggestions`` gives the likeliest.
    """

    def __init__(self, *, partial_names=False):
        self.partial_names = partial_names
        self.exact = defaultdict(dict)
        self.core = defaultdict(dict)
        self.labels = {}
        # Answers per name, worked out once per file (see ``suggestions``).
        self._found = {}
        self._suggestions = {}

    def add(self, name, thing):
        # "Potentially dangerous persons (PDPs)": the name without its bracketed abbreviation,
        # and the abbreviation alone, name it too.
        bracketed = re.fullmatch(r"(.+?)\s*\(([^()]+)\)\s*", str(name))
        if bracketed:
            self._add(bracketed[1], thing)
            self._add(bracketed[2], thing)
        self._add(name, thing)

    def _add(self, name, thing):
        # Dicts keyed by pk keep the first-added order and treat one thing met twice as one.
        key = normalise(name)
        if not key:
            return
        self.exact[key][thing.pk] = thing
        self.labels.setdefault(key, thing)
        words = core_words(name)
        if words:
            self.core[words][thing.pk] = thing

    def _containing(self, words):
        """Things whose core words include all of ``words`` and more."""
        found = {}
        if words:
            for key, things in self.core.items():
                if words < key:
                    found.update(things)
        return found

    def _matches(self, name):
        if name not in self._found:
            self._found[name] = self._match(name)
        return self._found[name]

    def _match(self, name):
        words = core_words(name)
        for matches in (self.exact.get(normalise(name)), self.core.get(words)):
            if matches:
                return matches
        if self.partial_names:
            return self._containing(words)
        return {}

    def find(self, name):
        matches = self._matches(name)
        return next(iter(matches.values())) if len(matches) == 1 else None

    def is_ambiguous(self, name):
        """Whether ``name`` fits more than one thing (so is neither matched nor new)."""
        return len(self._matches(name)) > 1

    def suggestions(self, name):
        # A file names the same few things again and again: work each name out once.
        if name not in self._suggestions:
            self._suggestions[name] = self._suggest(name)
        return self._suggestions[name]

    def _suggest(self, name):
        """Up to ``SUGGESTIONS`` things the name probably meant: those its core words fit (more
        than one, or it would have matched), those whose names include all its words
        ("Greater Manchester"), then those spelt nearly the same ("Kent Polise")."""
        words = core_words(name)
        found = dict(self.core.get(words) or {})
        found.update(self._containing(words))
        wanted = normalise(name)
        matcher = difflib.SequenceMatcher(b=wanted)
        scores = []
        for key in self.labels:
            matcher.set_seq1(key)
            # The cheap upper bounds first, as difflib.get_close_matches does.
            if (
                key != wanted
                and matcher.real_quick_ratio() >= SIMILAR
                and matcher.quick_ratio() >= SIMILAR
                and matcher.ratio() >= SIMILAR
            ):
                scores.append((matcher.ratio(), key))
        scores.sort(reverse=True)
        if scores:
            floor = max(SIMILAR, scores[0][0] - SIMILAR_MARGIN)
            for score, key in scores:
                if score < floor:
                    break
                thing = self.labels[key]
                found.setdefault(thing.pk, thing)
        return list(found.values())[:SUGGESTIONS]


def _did_you_mean(things):
    if not things:
        return ""
    names = [f"“{thing}”" for thing in things]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return f": did you mean {listed}?"


class _Lookups:
    """Topics and organisations (with their aliases) read once, for every row."""

    def __init__(self):
        self.topics = NameIndex()
        topics = list(Topic.objects.all())
        for topic in topics:
            self.topics.add(topic.name, topic)
            self.topics.add(topic.slug, topic)
        self.organisations = NameIndex(partial_names=True)
        for organisation in Organisation.objects.all():
            self.organisations.add(organisation.name, organisation)
            self.organisations.add(organisation.slug, organisation)
        for alias in ImportAlias.objects.select_related("topic", "organisation"):
            if alias.topic:
                self.topics.add(alias.name, alias.topic)
            else:
                self.organisations.add(alias.name, alias.organisation)


def _text(row, column):
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, list):
        # JSON may give topics or kinds as a list rather than a ";"-separated string.
        return ";".join(str(item).strip() for item in value)
    return str(value).strip()


def validate_row(number, row, lookups, *, create_topics=False):
    """``(ValidRow or None, [Problem])`` for one row.

    With ``create_topics`` a topic name that matches no topic is listed in ``new_topics``
    rather than reported as a problem."""
    problems = []

    def problem(column, message, suggestions=()):
        problems.append(Problem(number, column, message, list(suggestions)))

    unknown = [key for key in row if key not in COLUMNS and key != "__extra__"]
    for column in unknown:
        problem(column, "unknown column")
    if row.get("__extra__"):
        problem("(row)", "more values than there are columns")
    values = {column: _text(row, column) for column in COLUMNS}
    for column in REQUIRED:
        if not values[column]:
            problem(column, "is required")
    for column, limit in TEXT_LIMITS.items():
        if len(values[column]) > limit:
            problem(column, f"is longer than {limit} characters")

    fields = {
        column: values[column]
        for column in [
            "title",
            "summary",
            "focus",
            "target_group",
            "partners",
            "region",
            "aim",
            "intended_outcome",
            "description",
            "evaluation",
            "resources_and_cost",
            "contact_name",
        ]
    }
    choice_columns = [
        ("does_it_work", DoesItWork.choices, None),
        ("evidence_stage", EvidenceStage.choices, None),
        ("scale", Scale.choices, ""),
        ("audience", Audience.choices, Audience.PRACTITIONERS),
        ("marking", Marking.choices, Marking.OFFICIAL),
    ]
    for column, choices, default in choice_columns:
        if not values[column]:
            fields[column] = default
            continue
        code = _choice(values[column], choices)
        if code is None:
            allowed = ", ".join(code for code, _label in choices)
            problem(column, f"“{values[column]}” is not one of: {allowed}")
        fields[column] = code

    for column in ("start_date", "end_date"):
        fields[column] = None
        if values[column]:
            fields[column] = _date(values[column])
            if fields[column] is None:
                problem(column, f"“{values[column]}” is not a date like 2024-03-31")
    start, end = fields["start_date"], fields["end_date"]
    if isinstance(start, date) and isinstance(end, date) and end < start:
        problem("end_date", "is before start_date")

    fields["contact_email"] = values["contact_email"]
    if values["contact_email"]:
        try:
            validate_email(values["contact_email"])
        except ValidationError:
            problem("contact_email", f"“{values['contact_email']}” is not an email address")

    fields["organisation"] = None
    if values["organisation"]:
        name = values["organisation"]
        fields["organisation"] = lookups.organisations.find(name)
        if fields["organisation"] is None:
            suggestions = lookups.organisations.suggestions(name)
            problem(
                "organisation",
                f"no organisation called “{name}”{_did_you_mean(suggestions)}",
                suggestions,
            )

    topics, new_topics = [], []
    for name in filter(None, (part.strip() for part in values["topics"].split(";"))):
        topic = lookups.topics.find(name)
        if topic is not None:
            if topic not in topics:
                topics.append(topic)
        elif create_topics and not lookups.topics.is_ambiguous(name):
            if normalise(name) not in {normalise(new) for new in new_topics}:
                new_topics.append(name)
        else:
            suggestions = lookups.topics.suggestions(name)
            problem("topics", f"no topic called “{name}”{_did_you_mean(suggestions)}", suggestions)

    kinds = []
    for name in filter(None, (part.strip() for part in values["restricted_to_kinds"].split(";"))):
        kind = _choice(name, OrganisationKind.choices)
        if kind is None:
            allowed = ", ".join(OrganisationKind.values)
            problem("restricted_to_kinds", f"“{name}” is not one of: {allowed}")
        else:
            kinds.append(kind)
    if fields["audience"] == Audience.RESTRICTED and not kinds and values["audience"]:
        problem("restricted_to_kinds", "is required when the audience is restricted")

    if problems:
        return None, problems
    checked = ValidRow(
        row=number,
        fields=fields,
        topics=topics,
        restricted_to_kinds=kinds,
        new_topics=new_topics,
    )
    return checked, []


def validate_rows(rows, *, create_topics=False):
    """``([ValidRow], [Problem])``: every row checked, duplicates in the file included."""
    lookups = _Lookups()
    valid, problems = [], []
    seen = {}
    for number, row in rows:
        checked, row_problems = validate_row(number, row, lookups, create_topics=create_topics)
        if checked:
            key = (checked.fields["title"].lower(), checked.fields["organisation"])
            if key in seen:
                row_problems = [
                    Problem(number, "title", f"same title and organisation as row {seen[key]}")
                ]
                checked = None
            else:
                seen[key] = number
        problems.extend(row_problems)
        if checked:
            valid.append(checked)
    return valid, problems


# Rows written per transaction by ``import_practices``: progress is recorded between batches.
BATCH_SIZE = 25


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do): titles created and updated, problems
    with rows, and the topics created for them (``create_topics``)."""

    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    new_topics: list = field(default_factory=list)

    @property
    def invalid_rows(self):
        return sorted({problem.row for problem in self.problems})


def _new_topic_names(valid):
    """The topics to create, each once, spelt as first written."""
    names = {}
    for checked in valid:
        for name in checked.new_topics:
            names.setdefault(normalise(name), name)
    return list(names.values())


def import_practices(
    *, rows, create_topics=False, skip_invalid=False, dry_run=False, user=None, progress=None
) -> ImportReport:
    """Check ``rows`` and import them with ``services.practices_import``.

    With any problem nothing changes, unless ``skip_invalid`` (then the valid rows are
    imported). ``create_topics`` creates the topics no topic matches instead of refusing their
    rows. Rows are written ``BATCH_SIZE`` at a time, each batch in its own transaction, and
    ``progress(done, total)`` is called after each, so that a progress page (which reads from
    another connection) sees the figures. A dry run writes nothing: even the new topics it
    needs to check the rows are rolled back.
    """
    from .services import practices_import, topics_create

    valid, problems = validate_rows(rows, create_topics=create_topics)
    outcome = ImportReport(problems=problems)
    if problems and not skip_invalid:
        return outcome
    by_number = dict(rows)
    wanted = [(checked.row, by_number[checked.row]) for checked in valid]
    with transaction.atomic() if dry_run else nullcontext():
        outcome.new_topics = _new_topic_names(valid)
        with transaction.atomic():
            topics_create(outcome.new_topics)
        for start in range(0, max(len(wanted), 1), BATCH_SIZE):
            with transaction.atomic():
                batch = practices_import(
                    rows=wanted[start : start + BATCH_SIZE], dry_run=dry_run, user=user
                )
            outcome.created += batch.created
            outcome.updated += batch.updated
            outcome.problems += batch.problems
            if progress:
                progress(min(start + BATCH_SIZE, len(wanted)), len(wanted))
        if dry_run:
            transaction.set_rollback(True)
    return outcome


@dataclass
class PreviewRow:
    """One row of a file as the admin preview shows it."""

    row: int
    title: str
    action: str  # "create", "update", or "" for a row with problems
    organisation: str = ""
    topics: list = field(default_factory=list)
    new_topics: list = field(default_factory=list)
    problems: list = field(default_factory=list)


def import_preview(rows, *, create_topics=False):
    """``([PreviewRow], [Problem], [new topic name])``: what importing ``rows`` would do, row by
    row, without writing anything."""
    valid, problems = validate_rows(rows, create_topics=create_topics)
    titles = {checked.fields["title"].lower() for checked in valid}
    existing = set(
        PracticePage.objects.annotate(lower_title=Lower("title"))
        .filter(lower_title__in=titles)
        .values_list("lower_title", "organisation_id")
    )
    checked_by_row = {checked.row: checked for checked in valid}
    problems_by_row = defaultdict(list)
    for problem in problems:
        problems_by_row[problem.row].append(problem)
    preview = []
    for number, row in rows:
        checked = checked_by_row.get(number)
        if checked is None:
            preview.append(
                PreviewRow(
                    row=number,
                    title=_text(row, "title"),
                    action="",
                    organisation=_text(row, "organisation"),
                    problems=problems_by_row[number],
                )
            )
            continue
        organisation = checked.fields["organisation"]
        key = (checked.fields["title"].lower(), organisation.pk if organisation else None)
        preview.append(
            PreviewRow(
                row=number,
                title=checked.fields["title"],
                action="update" if key in existing else "create",
                organisation=str(organisation or ""),
                topics=[str(topic) for topic in checked.topics],
                new_topics=checked.new_topics,
            )
        )
    return preview, problems, _new_topic_names(valid)


def _outcome_as_json(outcome):
    return {
        "created": outcome.created,
        "updated": outcome.updated,
        "new_topics": outcome.new_topics,
        "problems": [str(problem) for problem in outcome.problems],
        "invalid_rows": len(outcome.invalid_rows),
    }


def practice_import_run_now(*, import_id):
    """Run a confirmed admin import (queued by ``import_views``), recording its progress."""
    queued = PracticeImport.Status.QUEUED
    # Only a queued import runs, once: a task run twice (a retry, a worker restart) finds it
    # running or done and leaves it alone.
    if not PracticeImport.objects.filter(pk=import_id, status=queued).update(
        status=PracticeImport.Status.RUNNING
    ):
        return "not queued"
    record = PracticeImport.objects.select_related("created_by").get(pk=import_id)
    user = record.created_by
    # Checked again when it runs: the editor may have lost the permission since confirming.
    if user is None or not has_staff_perm(user, IMPORT_PERMISSION):
        record.status = PracticeImport.Status.FAILED
        record.report = {"error": "The person who confirmed the import may no longer import."}
        record.save(update_fields=["status", "report", "updated_at"])
        return "refused"

    def progress(done, total):
        PracticeImport.objects.filter(pk=import_id).update(done=done, total=total)

    try:
        outcome = import_practices(
            rows=record.rows,
            create_topics=record.create_topics,
            skip_invalid=record.skip_invalid,
            user=user,
            progress=progress,
        )
    except Exception as error:  # Any failure is shown on the progress page.
        logger.exception("Practice import %s failed", import_id)
        PracticeImport.objects.filter(pk=import_id).update(
            status=PracticeImport.Status.FAILED, report={"error": str(error)}
        )
        return "failed"
    PracticeImport.objects.filter(pk=import_id).update(
        status=PracticeImport.Status.DONE, report=_outcome_as_json(outcome)
    )
    return "done"


@task()
def practice_import_run(*, import_id):
    return practice_import_run_now(import_id=import_id)
