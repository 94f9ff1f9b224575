"""Where things are, in one place: the map shapes and the ZIP codes.

- :mod:`.atlas`: state, county and national shapes from us-atlas, projected to SVG.
- :mod:`.places`: U.S. ZIP codes to points, distances, and blurred public points.

Nothing here imports Django or any app, so every app (and the library's tests) may use it.
The maps that shade an app's own data on these shapes live with that app: the scorecard
maps in :mod:`freedomcities.web.scorecards.maps`, the events map in
:mod:`freedomcities.web.events.maps`.
"""
