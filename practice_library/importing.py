"""Reading and checking an import file of practices (CSV or JSON), before anything is written.

``read_rows`` checks the file itself (size, type, UTF-8, shape); ``validate_rows`` checks every
row and names each problem as ``row N, column: message``. ``services.practices_import`` writes.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.models import Organisation, OrganisationKind
from kx_site.audience import Audience, Marking

from .models import DoesItWork, EvidenceStage, PracticePage, Scale, Topic

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
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing in it is imported."""


@dataclass
class Problem:
    row: int
    column: str
    message: str

    def __str__(self):
        return f"row {self.row}, {self.column}: {self.message}"


@dataclass
class ValidRow:
    row: int
    fields: dict
    topics: list
    restricted_to_kinds: list = field(default_factory=list)


def max_import_bytes():
    return getattr(settings, "KX_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


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


class _Lookups:
    """Topics and organisations read once, for every row."""

    def __init__(self):
        self.topics = {}
        for topic in Topic.objects.all():
            self.topics[topic.slug.lower()] = topic
            self.topics[topic.name.lower()] = topic
        self.organisations = {}
        for organisation in Organisation.objects.all():
            self.organisations[organisation.name.lower()] = organisation
            self.organisations[organisation.slug.lower()] = organisation


def _text(row, column):
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, list):
        # JSON may give topics or kinds as a list rather than a ";"-separated string.
        return ";".join(str(item).strip() for item in value)
    return str(value).strip()


def validate_row(number, row, lookups):
    """``(ValidRow or None, [Problem])`` for one row."""
    problems = []

    def problem(column, message):
        problems.append(Problem(number, column, message))

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
        fields["organisation"] = lookups.organisations.get(values["organisation"].lower())
        if fields["organisation"] is None:
            problem("organisation", f"no organisation called “{values['organisation']}”")

    topics = []
    for name in filter(None, (part.strip() for part in values["topics"].split(";"))):
        topic = lookups.topics.get(name.lower())
        if topic is None:
            problem("topics", f"no topic called “{name}”")
        elif topic not in topics:
            topics.append(topic)

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
    return ValidRow(row=number, fields=fields, topics=topics, restricted_to_kinds=kinds), []


def validate_rows(rows):
    """``([ValidRow], [Problem])``: every row checked, duplicates in the file included."""
    lookups = _Lookups()
    valid, problems = [], []
    seen = {}
    for number, row in rows:
        checked, row_problems = validate_row(number, row, lookups)
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
