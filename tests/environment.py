"""A pytest plugin, loaded before Django reads its settings (``-p tests.environment``).

The web app keeps its database, queue and uploads in a fresh temporary folder
during tests, never in the user's own data folder. Every test process gets its
own (``pytest -n`` starts one per core), so no two share a queue or a cache.
"""

import os
import tempfile

os.environ["FREEDOMCITIES_DATA"] = tempfile.mkdtemp(prefix="freedomcities-test-")
