"""Old home of :mod:`freedomcities.render.reports`, kept for one caller.

``freedomcities/web/scorecards/reports.py`` still imports from here while its
storage is rewritten on another branch; import from :mod:`freedomcities.render`
instead. Delete this module once nothing imports it.
"""

from freedomcities.render.reports import FORMATS, KINDS, write_report

__all__ = ["FORMATS", "KINDS", "write_report"]
