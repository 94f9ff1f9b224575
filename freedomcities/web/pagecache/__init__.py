"""Public pages kept whole in the cache, under a stamp that moves with every change.

See :mod:`freedomcities.web.pagecache.stamps` (the stamp) and
:mod:`freedomcities.web.pagecache.pages` (the views' decorator).
"""
