"""The web app's commands: serve, worker, sweep, seed, createuser, remind, export-reviews,
reanalyze and manage.

The command line (:mod:`freedomcities.cli`) adds them to the ``freedomcities``
group from :data:`COMMANDS`. Each starts Django inside the command only
(:func:`web_app`), so the other commands never import it, and turns a
database that cannot be used into one ``Error:`` line.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from freedomcities.console import Bar, CountProgress, emit, since, slugs, stderr_is_terminal
from freedomcities.ocr import DEFAULT_OCR_NAME, OCR_ENGINES, ocr_engine
from freedomcities.training import write_examples

WEB_SETTINGS = "freedomcities.web.settings"


class _Roles(click.Choice[str]):
    """The roles an account can be given, read from the web app when first needed.

    Reading them loads Django's model layer, which takes most of a second, so
    they are read when createuser runs or shows its help, not when any command starts.
    """

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from freedomcities.web.accounts.roles import sign_in_roles

        return sign_in_roles()

    @choices.setter
    def choices(self, value: object) -> None:
        """click sets the choices when the type is made; they come from the app instead."""


@contextlib.contextmanager
def web_app() -> Iterator[None]:
    """Start Django for a web command, and turn a database failure into one Error line."""
    os.environ["DJANGO_SETTINGS_MODULE"] = WEB_SETTINGS
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    from freedomcities.web.errors import ActionError

    try:
        django.setup()
        yield
    except DatabaseError as exc:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise click.ClickException(
            f"The database cannot be used: {first_line}. Check DATABASE_URL and that the "
            "database server is running (see docs/web.md)."
        ) from None
    except ImproperlyConfigured as exc:
        raise click.ClickException(f"The web app is misconfigured: {exc}") from None
    except ActionError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on; 0.0.0.0 answers other machines too.",
)
@click.option(
    "--port",
    "-p",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help="The port to listen on.",
)
@click.option(
    "--threads",
    type=click.IntRange(1),
    default=8,
    show_default=True,
    help="How many requests are answered at the same time.",
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="Do not start the background worker (run `freedomcities worker` elsewhere).",
)
def serve_command(host: str, port: int, threads: int, no_worker: bool) -> None:
    """Run the web app, with the worker that analyses uploads beside it, until Ctrl-C.

    On first start it creates the database and loads Arizona and a demo.
    """
    with web_app():
        from freedomcities.web.server import data_folder_note, serve

        click.echo(data_folder_note())
        try:
            serve(host, port, threads, worker=not no_worker, echo=click.echo)
        except OSError as exc:
            raise click.ClickException(
                f"Cannot serve on {host}:{port}: {exc.strerror or exc}. If another program uses "
                "the port, choose another with --port."
            ) from None


@click.command("worker")
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="How many jobs run at the same time.",
)
@click.option(
    "--ocr",
    type=click.Choice(list(OCR_ENGINES)),
    help="The OCR engine for uploads' scanned pages (default: FREEDOMCITIES_OCR, else "
    "tesseract); a sweep's files are read with the engine its --ocr names.",
)
def worker_command(workers: int, ocr: str | None) -> None:
    """Run the background worker that analyses uploaded policies, until stopped.

    `serve` starts one itself; run this on its own when the web app runs with --no-worker.
    """
    if ocr is not None:
        os.environ["FREEDOMCITIES_OCR"] = ocr  # read by the web app's settings, in this process
    ocr_engine(ocr or os.environ.get("FREEDOMCITIES_OCR") or DEFAULT_OCR_NAME)
    with web_app():
        from freedomcities.web.server import run_worker

        run_worker(workers)


@click.command("sweep")
@click.argument("manifest", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="The JSON Lines file of results, one line per file (default: <manifest name>.jsonl "
    "beside the manifest).",
)
@click.option(
    "--no-wait", is_flag=True, help="Queue the files and return, without watching the workers."
)
@click.option(
    "--lease",
    type=click.IntRange(1),
    default=60,
    show_default=True,
    help="Minutes after which a file claimed by a silent worker on another machine is queued "
    "again.",
)
@click.option(
    "--ocr",
    type=click.Choice(list(OCR_ENGINES)),
    default=DEFAULT_OCR_NAME,
    show_default=True,
    help="The OCR engine every worker reads the sweep's scanned pages with; tesserocr needs "
    "pip install 'freedomcities[fast-ocr]' on every worker machine.",
)
def sweep_command(manifest: Path, output: Path | None, no_wait: bool, lease: int, ocr: str) -> None:
    """Analyse every agency's policy in a manifest, on as many workers as you start.

    MANIFEST is a CSV with one agency per line: name, ocd_id, path (and optionally
    date). Each file is queued for `freedomcities worker`, on this machine or any
    other that shares the database and queue. Running the same command again
    resumes: files already analysed by the same judge are skipped.
    """
    from freedomcities.sweep import read_manifest

    rows = read_manifest(manifest)  # a bad manifest stops here, before anything is queued
    ocr_engine(ocr)  # so does an OCR engine that is not installed here
    output = output or manifest.with_suffix(".jsonl")
    with web_app():
        from freedomcities.web.scorecards.sweep import sweep_counts
        from freedomcities.web.scorecards.tasks import queue_sweep
        from freedomcities.web.seed import migrate
        from freedomcities.web.server import check_queue

        migrate()
        check_queue()
        sweep = queue_sweep(manifest, rows, ocr)
        counts = sweep_counts(sweep)
        click.echo(
            f"{counts.total} files: {counts.done} already analysed, "
            f"{counts.total - counts.done} to analyse. "
            "Start `freedomcities worker` on each machine that shares the database and queue."
        )
        if no_wait:
            return
        _watch_sweep(sweep, output, lease)


def _watch_sweep(sweep: Any, output: Path, lease: int) -> None:
    """Show the sweep's progress until every file is done or failed, then list the failures."""
    import datetime

    from django.utils.timezone import now as timezone_now

    from freedomcities.sweep import JsonLines
    from freedomcities.web.scorecards.sweep import failures, finished_records, sweep_counts
    from freedomcities.web.scorecards.tasks import requeue_stalled, requeue_unqueued

    results, started, polls = JsonLines(output), time.monotonic(), 0
    since = None  # results are written as they finish, each read from the database once
    try:
        with _SweepProgress() as progress:
            while not (counts := sweep_counts(sweep)).finished:
                progress(counts, time.monotonic() - started)
                polled_at = timezone_now()
                results.write(finished_records(sweep, since=since))
                since = polled_at - datetime.timedelta(seconds=5)
                polls += 1
                if polls % 10 == 0:
                    requeue_stalled(datetime.timedelta(minutes=lease))
                    requeue_unqueued(sweep)
                time.sleep(1)
    except KeyboardInterrupt:
        click.echo("Stopped watching; the workers go on. Run the same command to watch again.")
        raise
    written = results.write(finished_records(sweep))
    for item in failures(sweep):
        click.echo(f"Error: line {item.line} ({item.agency_name}, {item.path}): {item.error}")
    click.echo(
        f"Analysed {counts.done} of {counts.total} files ({counts.pages:,} pages); "
        f"{counts.failed} could not be analysed. Results: {output} (+{written} lines)."
    )
    if counts.failed:
        sys.exit(1)


@click.command("seed")
@click.option("--states", help="Load these states: postal codes separated by commas, e.g. AZ,CA.")
@click.option("--all", "all_states", is_flag=True, help="Load every state and DC.")
@click.option(
    "--demo/--no-demo",
    default=None,
    help="Also load the demo's sample agencies and scorecards in Arizona "
    "(default: only when neither --states nor --all is given).",
)
def seed_command(states: str | None, all_states: bool, demo: bool | None) -> None:
    """Load jurisdictions (states, counties, cities and towns) and the demo into the database.

    Safe to run again: rows are updated in place, and nothing is made twice.
    """
    if states and all_states:
        raise click.UsageError("Give --states or --all, not both.")
    codes = None if all_states else slugs([states] if states else [])
    with web_app():
        from freedomcities.web import seed

        seed.migrate()
        if codes is None or codes:
            started = time.monotonic()
            count = seed.load_jurisdictions(codes)
            where = "every state and DC" if codes is None else ", ".join(c.upper() for c in codes)
            click.echo(f"Loaded {count:,} jurisdictions of {where} in {since(started)}.")
        if demo or (demo is None and codes == []):
            started = time.monotonic()
            seed.seed_demo()
            click.echo(f"Loaded Arizona and the demo: {seed.demo_summary()}, in {since(started)}.")


@click.command("createuser")
@click.argument("username")
@click.option(
    "--role",
    type=_Roles(),
    required=True,
    help="What the person may do: volunteer, organizer, staff or admin.",
)
@click.option("--email", default="", help="The person's e-mail address, for password resets.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input, for scripts.",
)
@click.option(
    "--token", is_flag=True, help="Also make a key for the JSON API and print it (shown once)."
)
@click.option(
    "--state",
    "states",
    multiple=True,
    help="For staff: a state they work for, by postal code (repeat for several, e.g. "
    "--state AZ --state NM). Staff see only their states' groups; admins see all.",
)
def createuser_command(
    username: str, role: str, email: str, password_stdin: bool, token: bool, states: tuple[str, ...]
) -> None:
    """Add a person who can sign in to the web app, with a role.

    Asks for the password (hidden) unless --password-stdin is given.
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with web_app():
        from freedomcities.web.seed import create_user, migrate

        migrate()
        user = create_user(
            username, role=role, password=password, email=email, states=",".join(states)
        )
        where = f", for {user.profile.states}" if user.profile.states else ""
        click.echo(f"Created {username} ({role}{where}).")
        if role == "staff" and not states:
            click.echo(
                "Note: this staff account sees no state's groups until you give it states "
                "(--state, or its profile in the admin)."
            )
        if token:
            from freedomcities.web.accounts.models import ApiToken

            _, key = ApiToken.issue(user, "made by freedomcities createuser")
            click.echo(f"API key (shown only this once; keep it secret): {key}")


@click.command("remind")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Pretend it is this day (YYYY-MM-DD), e.g. to test the e-mails.",
)
def remind_command(today: Any) -> None:
    """E-mail owners of promises that are due within two days or overdue.

    The worker does this every morning at 8:00; run it by hand to catch up.
    Each owner gets at most one e-mail a day.
    """
    with web_app():
        from freedomcities.web.campaign.reminders import send_reminders

        count = send_reminders(today.date() if today else None)
        click.echo(f"Sent {count} reminder e-mail{'s' if count != 1 else ''}.")


@click.command("export-reviews")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="The file to write (default: the screen), for `freedomcities train --passages FILE`.",
)
@click.option("--state", help="Only this state's agencies: a postal code such as AZ.")
@click.option(
    "--confirmed",
    is_flag=True,
    help="Also export confirmations, where the review agrees with the analysis.",
)
def export_reviews_command(output: Path | None, state: str | None, confirmed: bool) -> None:
    """Write staff reviews that override the analysis as labelled passages, to train the judge.

    Each row is rule, label and passage, with a note (agency, policy date, the
    reviewer's reason) above it; `freedomcities train --passages FILE` learns from it.
    """
    import tempfile

    with web_app():
        from freedomcities.web.scorecards.learning import export_reviews

        rows = export_reviews(state=state, confirmed=confirmed)
    with tempfile.TemporaryDirectory() as folder:
        written = Path(folder) / "reviews.tsv"
        write_examples((row.as_row() for row in rows), written)
        emit(written.read_text(encoding="utf-8"), output)
    if output is not None:
        click.echo(f"Wrote {len(rows)} labelled passages to {output}", err=True)


@click.command("reanalyze")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Analyse every stored version again, not only those another judge read.",
)
def reanalyze_command(everything: bool) -> None:
    """Analyse stored policies again with the current judge, and list the statuses that moved.

    The judge is the one FREEDOMCITIES_JUDGE names (else the shipped one). Staff
    confirm each moved status, or keep the old one, on the web app's moves page.
    """
    with web_app():
        from django.conf import settings
        from django.urls import reverse

        from freedomcities.web.scorecards.learning import reanalyze

        with CountProgress("Analysing again") as progress:
            done = reanalyze(everything=everything, progress=progress)
        for version, message in done.failures:
            click.echo(f"Error: {version}: {message}", err=True)
        click.echo(
            f"Analysed {done.analysed} versions with the judge {done.judge}; "
            f"{len(done.moves)} rule statuses moved."
        )
        if done.moves:
            click.echo(f"Staff check them at {settings.SITE_URL}{reverse('moves')}")
    if done.failures:
        sys.exit(1)


@click.command(
    "manage",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage_command(args: tuple[str, ...]) -> None:
    """Run one of Django's management commands, for administrators.

    For example `freedomcities manage migrate`, `freedomcities manage createsuperuser`, or
    `freedomcities manage help` for the list.
    """
    with web_app():
        from django.core.management import execute_from_command_line

        execute_from_command_line(["freedomcities manage", *args])


class _SweepProgress(Bar):
    """Files of a sweep done, with the rate in pages a second and the time left."""

    def __call__(self, counts: Any, seconds: float) -> None:
        if not stderr_is_terminal():
            return
        if self._progress is None:
            self._progress = Progress(
                TextColumn("Sweeping"),
                BarColumn(),
                TextColumn("{task.fields[count]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("", total=counts.total, count="")
            self._first_pages = counts.pages  # pages done before this run do not count in the rate
        finished = counts.done + counts.failed
        rate = (counts.pages - self._first_pages) / max(seconds, 1e-9)
        count = f"{finished}/{counts.total} files, {counts.failed} failed, {rate:.1f} pages/s"
        self._progress.update(self._task, completed=finished, total=counts.total, count=count)

    def __init__(self) -> None:
        super().__init__("Sweeping")
        self._first_pages = 0


# The commands the ``freedomcities`` group adds, in the order of the docs.
COMMANDS = (
    serve_command,
    worker_command,
    sweep_command,
    seed_command,
    createuser_command,
    remind_command,
    export_reviews_command,
    reanalyze_command,
    manage_command,
)
