"""Every error the library raises on purpose.

A user sees these as one clear line, never a traceback, so each message says
what happened, why, and what to do next. The hierarchy::

    FreedomCitiesError
    ├── DocumentError          a file that cannot be read as a policy document
    │   ├── UnsupportedFormat  not a PDF, Word file, web page or text file
    │   ├── CorruptDocument    damaged, truncated, or not what its extension says
    │   ├── EncryptedDocument  protected by a password
    │   ├── EmptyDocument      no text at all, even after OCR
    │   ├── DocumentTooLarge   beyond a limit on what reading it may cost (see limits.py)
    │   └── OCRUnavailable     scanned pages, but no OCR engine is installed
    ├── RulesetError           a ruleset data file with a mistake in it
    ├── ReportError            a report that cannot be made or written
    ├── ContractError          stored scorecard data that is damaged, newer, or not yet converted
    ├── CorpusError            a labelled corpus that does not follow its format
    ├── SettingError           an environment setting with a value that cannot be used
    ├── ManifestError          a sweep's list of agencies that cannot be read
    ├── EmbeddingUnavailable   the offline embedding model is not installed or is damaged
    └── (raised by the web app's own modules, outside a person's request)
        ├── SeedError          a person or row that cannot be added as asked (seed)
        ├── QueueUnavailable   the job queue cannot be reached (server)
        ├── AtlasNotFound      the map data is not installed (geography)
        ├── TacticsError       a mistake in the tactics data file (campaign)
        └── UnknownState       a postal code that is not a state or DC; defined beside the
                               state list it names (web/jurisdictions/data.py)

What a person asked for on a page or through the API and cannot have is the web
app's own :class:`freedomcities.web.errors.ActionError` instead. Neither this
module nor these classes import Django.
"""

from __future__ import annotations


class FreedomCitiesError(Exception):
    """Base class: catch this to report any expected failure to a user."""


class DocumentError(FreedomCitiesError):
    """A file could not be read as a policy document."""


class UnsupportedFormat(DocumentError):
    """The file is not a PDF, Word (.docx), HTML or plain-text document."""


class CorruptDocument(DocumentError):
    """The file is damaged, truncated, or not what its extension says."""


class EncryptedDocument(DocumentError):
    """The file is protected by a password."""


class EmptyDocument(DocumentError):
    """The file holds no readable text."""


class DocumentTooLarge(DocumentError):
    """Reading the file would cost more than a limit allows (bytes, pages, characters, time)."""


class OCRUnavailable(DocumentError):
    """The file has scanned pages but no OCR engine is installed."""


class RulesetError(FreedomCitiesError):
    """A ruleset data file is missing a field or has a wrong value."""


class SettingError(FreedomCitiesError):
    """An environment setting (such as a limit) has a value that cannot be used."""


class CorpusError(FreedomCitiesError):
    """A labelled corpus folder does not follow the corpus format."""


class ManifestError(FreedomCitiesError):
    """A sweep manifest (the CSV of agencies and their files) cannot be read."""


class EmbeddingUnavailable(FreedomCitiesError):
    """The offline sentence-embedding model was asked for but is not installed or is damaged."""


class TrainingUnavailable(FreedomCitiesError):
    """Training the reader needs tools that are not installed (the ``train`` extra)."""


class ReportError(FreedomCitiesError):
    """A report could not be made: an unknown format or kind, or a file that cannot be written."""


class ContractError(FreedomCitiesError):
    """Stored scorecard data cannot be read: damaged, incomplete, of a newer schema, or older."""


class SeedError(FreedomCitiesError):
    """A person or row cannot be added as asked; the message says why and what to do."""


class QueueUnavailable(FreedomCitiesError):
    """The job queue (Redis, or the SQLite file in the data folder) cannot be reached."""


class AtlasNotFound(FreedomCitiesError, FileNotFoundError):
    """The us-atlas map data is not installed: `npm ci` has not been run."""


class TacticsError(FreedomCitiesError):
    """The tactics data file has a mistake; the message names the tactic and field."""
