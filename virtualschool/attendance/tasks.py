"""Background work: the end-of-day attendance summary, and imports of files uploaded on the page."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.tasks import task
from django.utils import timezone

from .importer import UnusableFile
from .models import AttendanceUpload


@task
def send_attendance_summaries(day: str | None = None) -> int:
    """Tell each child's social worker and lead of the day's absences (`day` as YYYY-MM-DD, default today)."""
    from . import services

    return services.send_attendance_summaries(dt.date.fromisoformat(day) if day else None)


@task
def import_upload(upload_id: int) -> str:
    """Import a file uploaded on the page, writing progress to its AttendanceUpload row as it goes."""
    from . import services

    upload = AttendanceUpload.objects.select_related("uploaded_by").get(pk=upload_id)
    if upload.status not in {AttendanceUpload.Status.WAITING}:
        return upload.status

    def progress(done: int) -> None:
        AttendanceUpload.objects.filter(pk=upload_id).update(status=AttendanceUpload.Status.READING, bytes_read=done)

    def checking() -> None:
        AttendanceUpload.objects.filter(pk=upload_id).update(status=AttendanceUpload.Status.CHECKING)

    AttendanceUpload.objects.filter(pk=upload_id).update(status=AttendanceUpload.Status.READING)
    try:
        with default_storage.open(upload.stored_name, "rb") as handle:
            result = services.import_attendance(
                handle,
                actor=upload.uploaded_by,
                file_name=upload.file_name,
                dry_run=upload.dry_run,
                progress=progress,
                on_checking=checking,
            )
    except (UnusableFile, PermissionDenied) as exc:
        AttendanceUpload.objects.filter(pk=upload_id).update(
            status=AttendanceUpload.Status.FAILED, error=str(exc), finished_at=timezone.now()
        )
        return AttendanceUpload.Status.FAILED
    except Exception:
        AttendanceUpload.objects.filter(pk=upload_id).update(
            status=AttendanceUpload.Status.FAILED,
            error="The file could not be imported because of an error in the service. Nothing was imported.",
            finished_at=timezone.now(),
        )
        raise
    finally:
        default_storage.delete(upload.stored_name)
    AttendanceUpload.objects.filter(pk=upload_id).update(
        status=AttendanceUpload.Status.DONE,
        bytes_read=upload.size,
        summary=result.as_dict(),
        finished_at=timezone.now(),
    )
    return AttendanceUpload.Status.DONE
