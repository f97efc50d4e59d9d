"""Importing practices in the Wagtail admin: upload a file, preview it row by row, confirm.

Nothing changes until the editor confirms the preview; the rows previewed are the rows
imported (they are kept on the ``PracticeImport``). Up to ``INLINE_ROWS`` rows are imported
during the confirming request; a larger file goes to a background task, and the progress page
shows how far it got.
"""

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.permissions import has_staff_perm

from .importing import (
    COLUMNS,
    IMPORT_PERMISSION,
    ImportFileError,
    import_preview,
    max_import_bytes,
    practice_import_run,
    practice_import_run_now,
    read_rows,
)
from .models import PracticeImport

INLINE_ROWS = 25


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A CSV file saved as UTF-8 with a header row, or a JSON list of objects."
    )
    create_topics = forms.BooleanField(
        required=False,
        label="Create topics that do not exist yet",
        help_text="Otherwise a row naming an unknown topic is refused.",
    )
    skip_invalid = forms.BooleanField(
        required=False,
        label="Import the valid rows even if some rows have problems",
        help_text="Otherwise nothing is imported until every row is correct.",
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        limit = max_import_bytes()
        if upload.size > limit:
            raise forms.ValidationError(f"The file is larger than the limit of {limit:,} bytes.")
        # read_rows checks a file on disk (its type by extension, size, encoding, shape).
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory() as folder:
            saved = Path(folder) / f"import{suffix}"
            with saved.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                cleaned["rows"] = read_rows(saved)
            except ImportFileError as error:
                # Name the file as the editor knows it, not the temporary copy.
                message = str(error).replace(str(saved), upload.name)
                raise forms.ValidationError(message.replace(saved.name, upload.name)) from error
        return cleaned


class ImportPermissionMixin:
    """Only staff with the import permission (and a second factor) may import."""

    def dispatch(self, request, *args, **kwargs):
        if not has_staff_perm(request.user, IMPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ImportViewMixin(ImportPermissionMixin, WagtailAdminTemplateMixin):
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("practice_import:upload"), "label": "Import practices"},
            {"url": "", "label": self.get_page_title()},
        ]


class UploadView(ImportViewMixin, FormView):
    form_class = ImportForm
    template_name = "practice_library/admin/import_upload.html"
    page_title = "Upload a file"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            columns=COLUMNS,
            recent=PracticeImport.objects.select_related("created_by")[:10],
            **kwargs,
        )

    def form_valid(self, form):
        rows = form.cleaned_data["rows"]
        record = PracticeImport.objects.create(
            file_name=form.cleaned_data["file"].name[:255],
            rows=rows,
            create_topics=form.cleaned_data["create_topics"],
            skip_invalid=form.cleaned_data["skip_invalid"],
            created_by=self.request.user,
        )
        return redirect("practice_import:preview", pk=record.pk)


class PreviewView(ImportViewMixin, TemplateView):
    template_name = "practice_library/admin/import_preview.html"
    page_title = "Check and confirm"

    @cached_property
    def record(self):
        # Looked up after the permission check: a 404 would tell outsiders which imports exist.
        return get_object_or_404(PracticeImport, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        if self.record.status != PracticeImport.Status.PREVIEWED:
            return redirect("practice_import:progress", pk=self.record.pk)
        return super().get(request, *args, **kwargs)

    def _preview(self):
        preview, problems, new_topics = import_preview(
            self.record.rows, create_topics=self.record.create_topics
        )
        importable = [row for row in preview if row.action]
        can_confirm = bool(importable) and (self.record.skip_invalid or not problems)
        return preview, problems, new_topics, importable, can_confirm

    def get_context_data(self, **kwargs):
        preview, problems, new_topics, importable, can_confirm = self._preview()
        return super().get_context_data(
            record=self.record,
            preview=preview,
            problems=problems,
            new_topics=new_topics,
            creates=sum(row.action == "create" for row in importable),
            updates=sum(row.action == "update" for row in importable),
            invalid_rows=len({problem.row for problem in problems}),
            can_confirm=can_confirm,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        # Only one confirmation counts: a second click or a resubmitted form finds it queued.
        with transaction.atomic():
            record = PracticeImport.objects.select_for_update().get(pk=self.record.pk)
            if record.status != PracticeImport.Status.PREVIEWED:
                return redirect("practice_import:progress", pk=record.pk)
            *_, importable, can_confirm = self._preview()
            if not can_confirm:
                messages.error(
                    request, "This file cannot be imported: correct it and upload it again."
                )
                return redirect("practice_import:preview", pk=record.pk)
            record.status = PracticeImport.Status.QUEUED
            record.total = len(importable)
            record.save(update_fields=["status", "total", "updated_at"])
        if record.total <= INLINE_ROWS:
            practice_import_run_now(import_id=record.pk)
        else:
            practice_import_run.enqueue(import_id=record.pk)
        return redirect("practice_import:progress", pk=record.pk)


class ProgressView(ImportViewMixin, TemplateView):
    template_name = "practice_library/admin/import_progress.html"
    page_title = "Import progress"

    def get_context_data(self, **kwargs):
        record = get_object_or_404(PracticeImport, pk=self.kwargs["pk"])
        return super().get_context_data(
            record=record,
            # The page reloads itself until the import has finished.
            in_progress=record.status
            in {PracticeImport.Status.QUEUED, PracticeImport.Status.RUNNING},
            **kwargs,
        )


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return has_staff_perm(request.user, IMPORT_PERMISSION)


class PracticeImportViewSet(ViewSet):
    name = "practice_import"
    url_prefix = "practices/import"
    icon = "upload"
    menu_label = "Import practices"
    menu_order = 320
    add_to_admin_menu = True
    menu_item_class = ImportMenuItem

    def get_urlpatterns(self):
        return [
            path("", UploadView.as_view(), name="upload"),
            path("<int:pk>/", PreviewView.as_view(), name="preview"),
            path("<int:pk>/progress/", ProgressView.as_view(), name="progress"),
        ]
