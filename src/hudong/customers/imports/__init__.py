"""Bulk import of customers and their commerce data from CSV (UTF-8 or GBK/GB18030) and XLSX.

A file is read as a stream (:mod:`readers`), each row validated on its own (:mod:`fields`),
handed in chunks to the importer registered for its kind (:mod:`registry`), and every bad row
written to a downloadable report (:mod:`report`). The work runs as a job (:mod:`job`) so the
command line and the UI show its progress; a large file is read and validated in a second
process (:mod:`pipeline`).
"""

from django.apps import apps

# Loading the package registers the import job kind with ``core.jobs`` (the worker runs jobs by
# kind); commerce loads the package from its ``ready()`` to register its own import kinds. Not
# before the models are loaded: the reading process of a large import loads this package to
# reach its entry point before it sets Django up (the customers app registers the kind then).
if apps.models_ready:
    from hudong.customers.imports import job as _job  # noqa: F401
