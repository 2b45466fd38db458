"""Bulk import of customers and their commerce data from CSV (UTF-8 or GBK/GB18030) and XLSX.

A file is read as a stream (:mod:`readers`), each row validated on its own (:mod:`fields`),
handed in chunks to the importer registered for its kind (:mod:`registry`), and every bad row
written to a downloadable report (:mod:`report`). The work runs as a job (:mod:`job`) so the
command line and the UI show its progress.
"""

# Loading the package registers the import job kind with ``core.jobs`` (the worker runs jobs by
# kind); commerce loads the package from its ``ready()`` to register its own import kinds.
from hudong.customers.imports import job as _job  # noqa: E402,F401
