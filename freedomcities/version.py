"""The installed version of freedomcities, recorded with every kept analysis."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("freedomcities")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
