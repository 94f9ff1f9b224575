"""Date, time and number formats per language, read by Django (``FORMAT_MODULE_PATH``).

Templates name a format (``|date:"DATETIME_FORMAT"``) instead of spelling one
out, so each language puts the day, month and year in its own order. Only the
names set here change; everything else comes from Django's own locale formats.
"""
