"""The import as a job: start it (from an upload or a path), and the work it does.

The work reads the file as a stream, validates each row, hands the importer chunks of rows,
each chunk in its own transaction, and reports progress after each chunk. For a large file the
reading and validating run in a second process, overlapping the writes (:mod:`pipeline`). A
chunk that runs into a concurrent writer (an identifier taken meanwhile) is rolled back and
imported again row by row. File-level problems (encoding, missing columns) fail the job with
their code; row problems go to the report and the job goes on.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hudong.core import jobs, scoping
from hudong.core.errors import DomainError, PermissionDeniedError
from hudong.core.models import Job
from hudong.customers.imports import pipeline, readers, registry
from hudong.customers.imports.base import Context, Importer
from hudong.customers.imports.fields import bind
from hudong.customers.imports.report import FOLDER, ReportWriter, absolute, report_path

KIND = "customers.import"
MAX_SOURCE = 50


def may_import(user: Any) -> bool:
    """Whether ``user`` may import at all (``None``: a trusted system caller)."""
    return user is None or scoping.scope_for(user, "imports_allowed") != "none"


def may_see_job(user: Any, job: Job) -> bool:
    """The person who started an import sees it and its report; so does an administrator."""
    if user.is_superuser or (job.created_by_id is not None and job.created_by_id == user.pk):
        return True
    profile = scoping.profile_of(user)
    return profile is not None and profile.role == "admin"


def check_may_import(user: Any) -> None:
    if not may_import(user):
        raise PermissionDeniedError(
            "imports.forbidden", gettext_lazy("You may not import customer data.")
        )


def _clean_source(source: str) -> str:
    source = (source or "").strip() or "import"
    if len(source) > MAX_SOURCE or any(ord(c) < 32 for c in source):
        raise DomainError(
            "imports.source_invalid",
            gettext_lazy("The source is a short name of at most 50 characters."),
            status=422,
        )
    return source


def preflight(kind: str, path: Path) -> None:
    """Raise the file-level error now, while the person who uploaded it is still there."""
    importer = registry.get(kind)
    source = readers.open_source(path)
    try:
        bind(importer.columns, source.header)
    finally:
        source.close()


def save_upload(chunks: Iterator[bytes], filename: str) -> str:
    """Store an uploaded file under MEDIA_ROOT; returns its path relative to MEDIA_ROOT."""
    suffix = Path(filename).suffix.lower()[:8] if filename else ""
    relative = f"{FOLDER}/uploads/{uuid.uuid4().hex}{suffix if suffix.isascii() else ''}"
    path = absolute(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
    return relative


def params(kind: str, *, source: str, region: str, filename: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "source": _clean_source(source),
        "region": (region or "").strip(),
        "filename": (filename or "")[:200],
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }


def start_upload(user: Any, *, kind: str, upload: Any, source: str = "", region: str = "") -> Job:
    """Check, store and enqueue an uploaded file (a Django ``UploadedFile``)."""
    check_may_import(user)
    registry.get(kind)
    job_params = params(kind, source=source, region=region, filename=upload.name or "")
    relative = save_upload(upload.chunks(), upload.name or "")
    try:
        preflight(kind, absolute(relative))
    except DomainError:
        absolute(relative).unlink(missing_ok=True)
        raise
    return jobs.start(KIND, user=user, params=job_params, input_file=relative)


def create_local(user: Any, *, kind: str, path: Path, source: str = "", region: str = "") -> Job:
    """A job for a file on this machine (the command line), not enqueued: run it with
    :func:`hudong.core.jobs.execute`."""
    check_may_import(user)
    registry.get(kind)
    return Job.objects.create(
        kind=KIND,
        created_by=user,
        params=params(kind, source=source, region=region, filename=path.name),
        input_file=str(path.resolve()),
    )


# SQLite page cache of the importing connection: the indexes of a million customers do not fit
# the default 2 MiB, and every chunk inserts at random places in them. (A memory map was tried:
# no faster here, and the mapped file counts against the process's memory.)
SQLITE_CACHE_KIB = 131_072


@contextmanager
def _bigger_cache() -> Iterator[None]:
    """SQLite: a bigger page cache for this connection while importing (durability untouched:
    journal and synchronous stay as configured)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={cache}")


@jobs.register(KIND)
def run_import(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    language = job.params.get("language") or settings.LANGUAGE_CODE
    with translation.override(language), _bigger_cache():
        return _run(job, progress)


def _input(job: Job) -> Path:
    path = Path(job.input_file)
    return path if path.is_absolute() else absolute(job.input_file)


def _run(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    p = job.params
    importer = registry.get(p["kind"])
    check_may_import(job.created_by)
    path = _input(job)
    source = readers.open_source(path)
    report = ReportWriter(report_path(job.pk), source.header)
    ctx = Context(p["kind"], job.created_by, p.get("source") or "import", p.get("region", ""))
    ctx.job_id = job.pk
    rows = 0
    try:
        binding = bind(importer.columns, source.header)
        progress.total(source.total, _("Importing %(file)s") % {"file": p.get("filename", "")})
        plan = pipeline.plan_for(path, importer, binding, ctx.region)
        with pipeline.chunked_gc():
            for prepared in pipeline.prepared_chunks(plan, importer, source):
                ctx.problems.extend(prepared.problems)
                ctx.chunk_counts.bad += prepared.bad
                _import_chunk(importer, prepared.units, ctx)
                report.write(sorted(ctx.end_chunk(), key=lambda problem: problem.row.number))
                rows += prepared.rows
                progress.advance(prepared.rows)
                del prepared
                pipeline.tidy()
    finally:
        source.close()
        report.close()
    progress.job.total = max(progress.job.total, rows)
    job.report_file = report.relative if report.rows else ""
    job.save(update_fields=["report_file"])
    return {
        "kind": p["kind"],
        "rows": rows,
        **ctx.counts.as_dict(),
        "problems": report.rows,
        "encoding": source.encoding,
    }


def _import_chunk(importer: Importer, units: list[Any], ctx: Context) -> None:
    """One transaction for the chunk; on a conflict with another writer, one unit at a time."""
    mark = (len(ctx.problems), dataclasses.replace(ctx.chunk_counts), set(ctx.chunk_seen))
    try:
        with transaction.atomic():
            importer.import_prepared(units, ctx)
    except IntegrityError:
        del ctx.problems[mark[0] :]
        ctx.chunk_counts, ctx.chunk_seen = mark[1], mark[2]
        with transaction.atomic():
            importer.import_slowly(units, ctx)


def report_file(job: Job) -> IO[bytes] | None:
    """The job's report, opened, or None when it has none."""
    if not job.report_file:
        return None
    path = absolute(job.report_file)
    return path.open("rb") if path.exists() else None
