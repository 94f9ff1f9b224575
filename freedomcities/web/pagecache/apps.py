"""Django's registration of the page cache, which listens for changes to public data."""

from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    """The stamp of public data, and the signals that move it."""

    name = "freedomcities.web.pagecache"
    label = "pagecache"

    def ready(self) -> None:
        """Move the stamp on every save or delete of a model that public pages show."""
        from freedomcities.web.pagecache import stamps

        stamps.connect()
