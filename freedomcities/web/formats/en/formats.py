"""English (United States): "Thursday, December 4, 2026, 6:30 PM"."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "l, F j, Y, g:i A"
SHORT_DATETIME_FORMAT = "D, M j, Y · g:i A"
MONTH_DAY_FORMAT = "F j"
