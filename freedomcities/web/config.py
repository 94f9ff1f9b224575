"""The web app's settings: one table of (name, default, help), read from the environment.

Everything a deployment may change is listed in :data:`SETTINGS`; ``docs/web.md``
is generated from the same table, so the docs never drift from the code
(datasette keeps its settings the same way). A newcomer needs none of them: the
defaults give an embedded SQLite database and task queue in the user's data
folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    """One environment variable the web app reads."""

    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "FREEDOMCITIES_DATA",
        "",
        "Folder for the SQLite database, the task queue and uploaded files. "
        "Default: $XDG_DATA_HOME/freedomcities (usually ~/.local/share/freedomcities).",
    ),
    Setting(
        "DATABASE_URL",
        "",
        "A database URL such as postgres://user@host:5432/name. Empty: SQLite in the data folder.",
    ),
    Setting(
        "FREEDOMCITIES_QUEUE_URL",
        "",
        "Where background jobs wait: redis://host:6379/0 for several machines. "
        "Empty: a SQLite queue in the data folder, which survives restarts.",
    ),
    Setting(
        "FREEDOMCITIES_SECRET_KEY",
        "",
        "Django's secret key. Empty: one is made on first start and kept in the data folder.",
    ),
    Setting("FREEDOMCITIES_DEBUG", "0", "1 shows Django's debug pages. Never in production."),
    Setting(
        "FREEDOMCITIES_ALLOWED_HOSTS",
        "127.0.0.1,localhost",
        "Comma-separated host names the app answers to.",
    ),
    Setting(
        "FREEDOMCITIES_MAX_UPLOAD_MB",
        "50",
        "The largest policy file a volunteer may upload, in megabytes.",
    ),
    Setting(
        "FREEDOMCITIES_JUDGE",
        "",
        "A judge trained with `freedomcities train --output FILE` (a .npz file) to analyse "
        "uploads with; after changing it, run `freedomcities reanalyze`. Empty: the judge "
        "shipped with the rules (the hand-written cues where none is shipped).",
    ),
    Setting(
        "FREEDOMCITIES_OCR",
        "tesseract",
        "The OCR engine that reads the scanned pages of uploads: tesseract (the program) or "
        "tesserocr (its library, about 1.3 times faster; pip install "
        "'freedomcities[fast-ocr]'). `freedomcities worker --ocr` sets it for one worker; a "
        "sweep reads with the engine its `--ocr` names.",
    ),
    Setting(
        "FREEDOMCITIES_HOME_STATE",
        "AZ",
        "The postal code of the state the campaign starts in: the main menu links to its "
        "dashboard, and the first start loads its cities and counties.",
    ),
    Setting(
        "FREEDOMCITIES_SITE_URL",
        "http://127.0.0.1:8000",
        "The app's public address, for links in e-mails (reminders, RSVP confirmations).",
    ),
    Setting(
        "FREEDOMCITIES_EVENTS_RATE_LIMIT",
        "10",
        "How many RSVPs or event posts one address may send per minute before being asked "
        "to wait. Behind a proxy or on several servers, give Django a shared cache.",
    ),
    Setting(
        "FREEDOMCITIES_HTTPS",
        "0",
        "1 when the app is reached over HTTPS only (see docs/deploy.md): plain HTTP is "
        "redirected, cookies are sent over HTTPS only, and browsers are told to use HTTPS "
        "(HSTS).",
    ),
    Setting(
        "FREEDOMCITIES_HSTS_SECONDS",
        "31536000",
        "With FREEDOMCITIES_HTTPS=1: how long browsers keep to HTTPS for this site and its "
        "subdomains (HSTS). Start low (e.g. 3600) on a new domain, then raise it.",
    ),
    Setting(
        "FREEDOMCITIES_PROXY_TLS_HEADER",
        "",
        "Behind a proxy that ends TLS: the header it sets for HTTPS requests, e.g. "
        "X-Forwarded-Proto (its value must be https). Only set it if the proxy always sets "
        "or strips that header, or anyone could claim HTTPS.",
    ),
    Setting(
        "FREEDOMCITIES_TRUSTED_PROXIES",
        "0",
        "How many reverse proxies stand in front of the app, each adding the address it was "
        "reached from to X-Forwarded-For. Sign-in throttling and the events' rate limit then "
        "count the visitor's address, not the proxy's. 0: the address connecting to the app. "
        "Never more than the proxies really there, or a visitor could choose their address.",
    ),
    Setting(
        "FREEDOMCITIES_LOGIN_FAILURES",
        "10",
        "Wrong passwords allowed per account, and per address, within a minute; after "
        "that, signing in waits until the minute has passed.",
    ),
    Setting(
        "FREEDOMCITIES_EMAIL_URL",
        "",
        "smtp://user:password@host:587 to send e-mail. Empty: e-mails are printed to the console.",
    ),
    Setting(
        "FREEDOMCITIES_FROM_EMAIL",
        "Freedom Cities <noreply@localhost>",
        "The sender address of password resets and reminders.",
    ),
)

_DEFAULTS = {setting.name: setting.default for setting in SETTINGS}


def setting(name: str) -> str:
    """The environment's value of a setting from :data:`SETTINGS`, or its default."""
    if name not in _DEFAULTS:
        raise KeyError(f"{name} is not a setting; the settings are: {', '.join(_DEFAULTS)}")
    return os.environ.get(name, "") or _DEFAULTS[name]


def data_dir() -> Path:
    """The folder that holds the database, queue and uploads, created on first use."""
    configured = setting("FREEDOMCITIES_DATA")
    if configured:
        folder = Path(configured).expanduser()
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        folder = Path(base) / "freedomcities"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def secret_key() -> str:
    """The configured secret key, or one made once and kept in the data folder."""
    configured = setting("FREEDOMCITIES_SECRET_KEY")
    if configured:
        return configured
    path = data_dir() / "secret-key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def settings_table() -> str:
    """The settings as a Markdown table, pasted into ``docs/web.md`` (a test keeps them equal)."""
    lines = ["| Variable | Default | What it does |", "|---|---|---|"]
    for item in SETTINGS:
        default = f"`{item.default}`" if item.default else "(empty)"
        lines.append(f"| `{item.name}` | {default} | {item.help} |")
    return "\n".join(lines)


def offered_languages(
    locale_dir: Path, translations: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """English, then each translation whose catalogue is compiled in ``locale_dir``.

    A language whose ``django.mo`` is missing is not offered, so no one picks it
    and still reads English; compiling it (``freedomcities manage compilemessages``)
    adds it to the language menu.
    """
    return [("en", "English")] + [
        (code, name)
        for code, name in translations
        if (locale_dir / code / "LC_MESSAGES" / "django.mo").is_file()
    ]
