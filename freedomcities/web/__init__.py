"""The web app: a Django project over the analysis library.

This package is the only place that imports Django. Views parse input and
render; the work happens in each app's ``actions`` module and in the library.
"""
