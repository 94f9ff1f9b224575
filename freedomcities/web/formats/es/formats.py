"""Spanish as read in the United States: "jueves, 4 de diciembre de 2026, 6:30 p.m.".

Day before month, month names in lower case (from Django's catalogue), and the
12-hour clock. Numbers keep the point for decimals and the comma for
thousands ("1,250.5"), as in Mexico and the United States, where this
campaign's readers live; Spain's "1.250,5" would misread a ZIP-code distance.
"""

DATE_FORMAT = r"j \d\e F \d\e Y"
SHORT_DATE_FORMAT = "j M Y"
TIME_FORMAT = "g:i a"
DATETIME_FORMAT = r"l, j \d\e F \d\e Y, g:i a"
SHORT_DATETIME_FORMAT = r"D j \d\e N \d\e Y · g:i a"
MONTH_DAY_FORMAT = r"j \d\e F"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
