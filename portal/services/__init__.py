"""Use cases. Every public function takes the acting ``Actor`` and a keyword-only ``session``,
checks permissions itself (``portal.permissions.require``), flushes, and leaves the single commit to
``portal.services.unit_of_work`` or its caller, so a change, its status history, its audit row and
its notifications share one transaction.
"""
