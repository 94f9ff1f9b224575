"""A pytest plugin, loaded before Django reads its settings (``-p tests.environment``).

The web app keeps its database, queue and uploads in a fresh temporary folder
during tests, never in the user's own data folder.
"""

import os
import tempfile

os.environ.setdefault("FREEDOMCITIES_DATA", tempfile.mkdtemp(prefix="freedomcities-test-"))
