"""Service measures (I1: agent measures) and the recovery retention report (D4).

Both read the cases live, aggregated in the database, through the permission-checked
accessors; the "Service" dashboard (``charts``) and the pages and API of this package show
them.
"""
