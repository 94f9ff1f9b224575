"""The ``freedomcities`` command: analyse policies, list the rules, evaluate the engine.

Each command parses its options and calls the library; the work happens in
:mod:`freedomcities.analyze`, :mod:`freedomcities.evaluate` and
:mod:`freedomcities.render`. The web app's commands (``serve``, ``worker``,
``sweep``, ``seed``, ``createuser``, ``remind``, ``export-reviews``, ``reanalyze``, ``manage``)
start Django inside the command only, so the others never import it. Every expected failure (a
:class:`~freedomcities.errors.FreedomCitiesError`) prints one line,
``Error: <message>``, and exits with status 1; Ctrl-C exits 130 quietly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Self

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.rule import Rule as Divider
from rich.text import Text

from freedomcities import __version__
from freedomcities.analyze import analyze, analyze_many
from freedomcities.cache import analyze_cached
from freedomcities.errors import DocumentError, FreedomCitiesError
from freedomcities.evaluate import evaluate, load_corpus
from freedomcities.judge import Engine
from freedomcities.learned import LearnedJudge, judge_path, load_judge
from freedomcities.models import Scorecard
from freedomcities.render import DEFAULT_LANGUAGE, LABELS, labels
from freedomcities.render.html import render_html
from freedomcities.render.jsonout import (
    render_cross_validation_json,
    render_evaluation_json,
    render_json,
    render_json_many,
)
from freedomcities.render.terminal import (
    print_cross_validation,
    print_evaluation,
    print_report,
    print_rules,
    render_text,
)
from freedomcities.rules import DEFAULT_RULESET, Ruleset, load_ruleset
from freedomcities.score import in_language
from freedomcities.training import (
    cross_validate,
    describe,
    peak_memory_mb,
    train,
    training_set,
    write_examples,
)
from freedomcities.tuning import Recipe

DOCUMENT_SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".txt")
PROGRESS_MIN_PAGES = 20  # shorter documents read too fast for a bar to help
EXIT_INTERRUPTED = 130

Result = tuple[Path, Scorecard | FreedomCitiesError]


class _Group(click.Group):
    """A command group that turns expected errors into one line and Ctrl-C into exit 130."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FreedomCitiesError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


RULESET_HELP = (
    f"A shipped ruleset name or a path to a ruleset .toml file (default: {DEFAULT_RULESET})."
)
JURISDICTION_HELP = (
    'The place the policy belongs to, e.g. "Mesa, AZ": fills in the model text '
    "and picks the state's wording."
)


# Options every command that analyses a policy takes, declared once.
jurisdiction_option = click.option("--jurisdiction", "-j", help=JURISDICTION_HELP)
ruleset_option = click.option("--ruleset", "-r", default=DEFAULT_RULESET, help=RULESET_HELP)
language_option = click.option(
    "--language",
    "-l",
    type=click.Choice(sorted(LABELS)),
    default=DEFAULT_LANGUAGE,
    show_default=True,
    help="The language of the report's words and rules: en (English) or es (Spanish). "
    "Quotes from the policy stay as the policy wrote them.",
)
# How eval and crossval print their figures.
figures_format_option = click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: tables for a developer; json: the figures for other programs.",
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="freedomcities")
def cli() -> None:
    """Score police policy manuals against the Freedom Cities model rules, with quotes."""


@cli.command("analyze")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@jurisdiction_option
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="text: a report for the terminal; json: for other programs; html: a page to share.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Write to this file instead of the screen (a folder for HTML of several documents).",
)
@ruleset_option
@language_option
def analyze_command(
    paths: tuple[Path, ...],
    jurisdiction: str | None,
    fmt: str,
    output: Path | None,
    ruleset: str,
    language: str,
) -> None:
    """Score policy documents (PDF, Word, web page or text) against the rules.

    PATHS are files or folders. One file gives one report; a folder or several
    files are analysed in parallel, and JSON output is then an array.
    """
    rules = load_ruleset(ruleset, language)  # a mistake stops here, before any reading
    files = _expand(paths)
    if len(files) == 1 and not paths[0].is_dir():
        scorecard = _analyze_one(files[0], ruleset, jurisdiction)
        _write_one(scorecard, fmt, output, rules)
        return
    if fmt == "html" and output is None:
        raise click.UsageError("HTML for several documents needs --output FOLDER.")
    results = _analyze_several(files, ruleset, jurisdiction)
    failed = [result for _, result in results if isinstance(result, FreedomCitiesError)]
    for error in failed:
        click.echo(f"Error: {error}", err=True)
    _write_several(results, fmt, output, rules)
    if failed:
        sys.exit(1)


@cli.command("rules")
@ruleset_option
@jurisdiction_option
@language_option
def rules_command(ruleset: str, jurisdiction: str | None, language: str) -> None:
    """List the rules with the model text to adopt, filled in for a jurisdiction."""
    rules = load_ruleset(ruleset, language)
    print_rules(rules, Console(), jurisdiction=jurisdiction, language=language)


@cli.command("eval")
@click.argument("corpus_dir", type=click.Path(path_type=Path))
@click.option(
    "--only",
    multiple=True,
    help="Evaluate just these documents: slugs separated by commas, or the option repeated.",
)
@click.option(
    "--exclude",
    multiple=True,
    help="Leave out these documents: slugs separated by commas, or the option repeated.",
)
@figures_format_option
@click.option(
    "--judge",
    default="learned",
    show_default=True,
    help='"learned" (the trained judge), "cues" (the hand-written cues), or a judge .npz file.',
)
def eval_command(
    corpus_dir: Path, only: tuple[str, ...], exclude: tuple[str, ...], fmt: str, judge: str
) -> None:
    """Score the engine against a labelled corpus and show what to fix.

    CORPUS_DIR holds <slug>.json label files beside <slug>.txt or <slug>.pdf.
    Prints accuracy per rule, a confusion table (expert x engine), conflict
    recall, how often the engine quotes the expert's evidence, and every mismatch.
    """
    corpus = load_corpus(corpus_dir, only=_slugs(only), exclude=_slugs(exclude))
    with _CountProgress("Evaluating documents") as progress:
        evaluation = evaluate(corpus, progress=progress, model=_judge_option(judge))
    if fmt == "json":
        click.echo(render_evaluation_json(evaluation))
    else:
        print_evaluation(evaluation, Console())
    if evaluation.errors:
        sys.exit(1)


# ---- train and crossval: the learned judge ---------------------------------------------------

corpus_option = click.option(
    "--corpus",
    "corpora",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A labelled corpus folder (<slug>.json beside <slug>.txt or .pdf); repeat for several.",
)
passages_option = click.option(
    "--passages",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A file of labelled passages (rule<TAB>label<TAB>passage), such as exported reviews.",
)
epochs_option = click.option(
    "--epochs",
    default=Recipe.epochs,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Passes over the labelled passages while fine-tuning (fewer: quicker, rougher).",
)


@cli.command("train")
@corpus_option
@passages_option
@ruleset_option
@epochs_option
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Where to write the judge (default: the one shipped beside the ruleset).",
)
def train_command(
    corpora: tuple[Path, ...],
    passages: tuple[Path, ...],
    ruleset: str,
    epochs: int,
    output: Path | None,
) -> None:
    """Train the learned judge from labelled policies and passages.

    Always learns from the example passages shipped with the ruleset; add the
    labelled corpora (e.g. --corpus ../shared/corpus --corpus ../shared/corpus2)
    and reviews exported from the web app (--passages reviews.tsv).
    """
    rules = load_ruleset(ruleset)
    started = time.monotonic()
    with _Status("Reading the labelled documents") as status:
        documents = training_set(rules, corpora, passages, progress=status)
        status("fitting the judge")
        recipe = Recipe(epochs=epochs)
        judge = train(documents, rules, recipe, about=describe(documents), progress=status)
    target = output or judge_path(rules.id)
    judge.save(target)
    about = judge.about
    click.echo(
        f"Trained {judge.version} on {about['documents']} documents and "
        f"{about['passages']} passages in {_since(started)}, "
        f"peak memory {peak_memory_mb():.0f} MB.\nWrote {target}"
    )


@cli.command("crossval")
@corpus_option
@passages_option
@ruleset_option
@epochs_option
@click.option(
    "--folds",
    default=5,
    show_default=True,
    type=click.IntRange(2, 20),
    help="How many parts to split the places into; each is judged by a judge trained on the rest.",
)
@figures_format_option
def crossval_command(
    corpora: tuple[Path, ...],
    passages: tuple[Path, ...],
    ruleset: str,
    epochs: int,
    folds: int,
    fmt: str,
) -> None:
    """Measure the learned judge on policies it never saw: cross-validation by place.

    Every document of one place (all versions of a law, every policy of a
    city) is held out together; each fold is judged by a reader fine-tuned
    on the other folds alone.
    """
    if not corpora:
        raise click.UsageError("Name at least one labelled corpus with --corpus.")
    rules = load_ruleset(ruleset)
    with _Status("Reading the labelled documents") as status:
        documents = training_set(rules, corpora, passages, progress=status)
        result = cross_validate(
            documents, rules, Recipe(epochs=epochs), folds=folds, progress=status
        )
    named = [(str(f.number), f.evaluation) for f in result.folds] + [("all", result.total)]
    if fmt == "json":
        click.echo(render_cross_validation_json(named, result.seconds))
    else:
        print_cross_validation(named, Console())
        click.echo(f"{len(result.folds)} folds in {result.seconds:.0f} s.")


# ---- report: an annotated policy, a redline or a meeting packet -----------------------------


@cli.command("report")
@click.argument("policy", type=click.Path(path_type=Path))
@jurisdiction_option
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["docx", "pdf", "html"]),
    required=True,
    help="docx: Word, to edit; pdf: to print or send; html: a page to share or print.",
)
@click.option(
    "--kind",
    "-k",
    type=click.Choice(["annotated", "redline", "packet"]),
    default="packet",
    show_default=True,
    help="annotated: the policy with passages marked by rule; redline: the edits to ask for; "
    "packet: scorecard, rules, asks and redline for a meeting.",
)
@click.option(
    "--output",
    "-o",
    help="The file to write (default: <policy name>-<kind>.<format> in the current folder); "
    "'-' prints HTML to the screen.",
)
@ruleset_option
@language_option
def report_command(
    policy: Path,
    jurisdiction: str | None,
    fmt: str,
    kind: str,
    output: str | None,
    ruleset: str,
    language: str,
) -> None:
    """Make a report to bring to officials: an annotated policy, a redline or a meeting packet.

    POLICY is the department's policy file (PDF, Word, web page or text). The
    model text in the report is filled in for --jurisdiction.
    """
    from freedomcities.annotate import build_report
    from freedomcities.report import check_kind, write_report
    from freedomcities.report.html import report_html

    chosen = check_kind(kind)
    if output == "-" and fmt != "html":
        raise click.UsageError("Only HTML can go to the screen (--output -); give a file name.")
    rules = load_ruleset(ruleset, language)  # a mistake stops here, before any reading
    if not policy.is_file():
        raise DocumentError(f"{str(policy)!r} does not exist or is not a file. Check the path.")
    report = build_report(_analyze_one(policy, ruleset, jurisdiction), rules)
    if output == "-":
        click.echo(report_html(report, chosen), nl=False)
        return
    path = Path(output) if output else Path(f"{policy.stem}-{chosen}.{fmt}")
    write_report(report, path, format=fmt, kind=chosen)
    click.echo(f"Wrote {path}", err=True)


# ---- compare: two versions of one policy ----------------------------------------------------


@cli.command("compare")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@jurisdiction_option
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "html", "json"]),
    default="text",
    show_default=True,
    help="text: for the terminal; html: a page to share; json: for other programs.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead.")
@ruleset_option
@language_option
def compare_command(
    old: Path,
    new: Path,
    jurisdiction: str | None,
    fmt: str,
    output: Path | None,
    ruleset: str,
    language: str,
) -> None:
    """Compare two versions of a policy: the sections that changed and the rule statuses that moved.

    OLD is the earlier version and NEW the later one (PDF, Word, web page or
    text). A corpus text with a header ending in a '---' line is read after
    that line, so the header is not compared.
    """
    import json

    from freedomcities.compare import compare
    from freedomcities.render.compare import (
        comparison_html,
        comparison_text,
        comparison_to_dict,
        print_comparison,
    )

    rules = load_ruleset(ruleset, language)  # a mistake stops here, before any reading
    versions = [_analyze_version(path, ruleset, jurisdiction) for path in (old, new)]
    if fmt == "json":
        text = json.dumps(comparison_to_dict(compare(*versions)), indent=2, ensure_ascii=False)
        _emit(text + "\n", output)
        return
    comparison = compare(*(in_language(version, rules) for version in versions))
    if fmt == "text" and output is None:
        print_comparison(comparison, Console(), language=language)
    elif fmt == "text":
        _emit(comparison_text(comparison, language=language), output)
    else:
        _emit(comparison_html(comparison, language=language), output)


def _analyze_version(path: Path, ruleset: str, jurisdiction: str | None) -> Scorecard:
    """Analyse one version to compare; a corpus text is read without its header."""
    from freedomcities.evaluate import read_labelled_text

    if not path.is_file():
        raise DocumentError(f"{str(path)!r} does not exist or is not a file. Check the path.")
    if _has_corpus_header(path):
        return analyze(read_labelled_text(path), ruleset=ruleset, jurisdiction=jurisdiction)
    return _analyze_one(path, ruleset, jurisdiction)


def _has_corpus_header(path: Path) -> bool:
    """Whether a file is a corpus text: ``.txt``, ``KEY: value`` lines, then a ``---`` line."""
    from freedomcities.evaluate import HEADER_END

    if path.suffix.lower() != ".txt":
        return False
    try:
        with path.open("rb") as file:
            lines = file.read(8192).decode("utf-8", errors="replace").splitlines()
    except OSError:
        return False  # reading it properly will say why
    has_keys = False
    for line in filter(str.strip, lines):
        if line.strip() == HEADER_END:
            return has_keys
        key, colon, _ = line.partition(":")
        if not (colon and key.isupper() and key.replace(" ", "").isalpha()):
            return False
        has_keys = True
    return False


# ---- the web app: serve, worker, seed, createuser, remind, export-reviews, reanalyze, manage --

WEB_SETTINGS = "freedomcities.web.settings"
USER_ROLES = ("volunteer", "organizer", "staff", "admin")  # accounts.models.Role, less "public"


@contextlib.contextmanager
def _web_app() -> Iterator[None]:
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


@cli.command("serve")
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
    with _web_app():
        from freedomcities.web.server import data_folder_note, serve

        click.echo(data_folder_note())
        try:
            serve(host, port, threads, worker=not no_worker, echo=click.echo)
        except OSError as exc:
            raise click.ClickException(
                f"Cannot serve on {host}:{port}: {exc.strerror or exc}. If another program uses "
                "the port, choose another with --port."
            ) from None


@cli.command("worker")
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="How many jobs run at the same time.",
)
def worker_command(workers: int) -> None:
    """Run the background worker that analyses uploaded policies, until stopped.

    `serve` starts one itself; run this on its own when the web app runs with --no-worker.
    """
    with _web_app():
        from freedomcities.web.server import run_worker

        run_worker(workers)


@cli.command("sweep")
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
def sweep_command(manifest: Path, output: Path | None, no_wait: bool, lease: int) -> None:
    """Analyse every agency's policy in a manifest, on as many workers as you start.

    MANIFEST is a CSV with one agency per line: name, ocd_id, path (and optionally
    date). Each file is queued for `freedomcities worker`, on this machine or any
    other that shares the database and queue. Running the same command again
    resumes: files already analysed by the same judge are skipped.
    """
    from freedomcities.sweep import read_manifest

    rows = read_manifest(manifest)  # a bad manifest stops here, before anything is queued
    output = output or manifest.with_suffix(".jsonl")
    with _web_app():
        from freedomcities.web.scorecards.sweep import queue_sweep, sweep_counts
        from freedomcities.web.seed import migrate
        from freedomcities.web.server import check_queue

        migrate()
        check_queue()
        sweep = queue_sweep(manifest, rows)
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
    from freedomcities.web.scorecards.sweep import (
        failures,
        finished_records,
        requeue_stalled,
        requeue_unqueued,
        sweep_counts,
    )

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


@cli.command("seed")
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
    codes = None if all_states else _slugs([states] if states else [])
    with _web_app():
        from freedomcities.web import seed

        seed.migrate()
        if codes is None or codes:
            started = time.monotonic()
            count = seed.load_jurisdictions(codes)
            where = "every state and DC" if codes is None else ", ".join(c.upper() for c in codes)
            click.echo(f"Loaded {count:,} jurisdictions of {where} in {_since(started)}.")
        if demo or (demo is None and codes == []):
            started = time.monotonic()
            seed.seed_demo()
            click.echo(f"Loaded Arizona and the demo: {seed.demo_summary()}, in {_since(started)}.")


@cli.command("createuser")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(USER_ROLES),
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
    with _web_app():
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


@cli.command("remind")
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
    with _web_app():
        from freedomcities.web.campaign.reminders import send_reminders

        count = send_reminders(today.date() if today else None)
        click.echo(f"Sent {count} reminder e-mail{'s' if count != 1 else ''}.")


@cli.command("export-reviews")
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

    with _web_app():
        from freedomcities.web.scorecards.learning import export_reviews

        rows = export_reviews(state=state, confirmed=confirmed)
    with tempfile.TemporaryDirectory() as folder:
        written = Path(folder) / "reviews.tsv"
        write_examples((row.as_row() for row in rows), written)
        _emit(written.read_text(encoding="utf-8"), output)
    if output is not None:
        click.echo(f"Wrote {len(rows)} labelled passages to {output}", err=True)


@cli.command("reanalyze")
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
    with _web_app():
        from django.conf import settings
        from django.urls import reverse

        from freedomcities.web.scorecards.learning import reanalyze

        with _CountProgress("Analysing again") as progress:
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


@cli.command(
    "manage",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage_command(args: tuple[str, ...]) -> None:
    """Run one of Django's management commands, for administrators.

    For example `freedomcities manage migrate`, `freedomcities manage createsuperuser`, or
    `freedomcities manage help` for the list.
    """
    with _web_app():
        from django.core.management import execute_from_command_line

        execute_from_command_line(["freedomcities manage", *args])


def _since(started: float) -> str:
    """Seconds since a time.monotonic() reading, for a person."""
    return f"{time.monotonic() - started:.1f} s"


def main() -> None:
    """Run the command line: the ``freedomcities`` entry point."""
    signal.signal(signal.SIGINT, _interrupted)
    try:
        cli.main(prog_name="freedomcities")
    except BrokenPipeError:  # e.g. `freedomcities rules | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


_MAIN_PID = os.getpid()


def _interrupted(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C: worker processes (forked with this handler) leave at once and quietly."""
    if os.getpid() != _MAIN_PID:
        os._exit(EXIT_INTERRUPTED)
    raise KeyboardInterrupt


def _expand(paths: Sequence[Path]) -> list[Path]:
    """Files to analyse: each file as given, each folder's documents (recursively, sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = _documents_in(path)
            if not found:
                raise DocumentError(
                    f"No documents in folder {str(path)!r}: it holds no "
                    f"{', '.join(DOCUMENT_SUFFIXES)} files."
                )
            files.extend(found)
        elif not path.exists():
            raise DocumentError(f"{str(path)!r} does not exist. Check the path and try again.")
        else:
            files.append(path)
    return files


def _documents_in(folder: Path) -> list[Path]:
    """Document files under a folder, sorted; hidden, unreadable or vanished folders are skipped."""
    found: list[Path] = []
    for root, folders, names in os.walk(folder, onerror=lambda error: None):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        found.extend(
            Path(root) / name
            for name in names
            if not name.startswith(".") and Path(name).suffix.lower() in DOCUMENT_SUFFIXES
        )
    return sorted(found)


def _analyze_one(path: Path, ruleset: str, jurisdiction: str | None) -> Scorecard:
    """Analyse one file (once per content: see :mod:`freedomcities.cache`), with a progress bar."""
    with _PageProgress(labels()["reading"].format(source=path.name)) as progress:
        return analyze_cached(path, ruleset=ruleset, jurisdiction=jurisdiction, progress=progress)


def _analyze_several(files: list[Path], ruleset: str, jurisdiction: str | None) -> list[Result]:
    """Analyse several files in parallel, with a count of files done on stderr."""
    results: list[Result] = []
    with _CountProgress(labels()["analysing"]) as progress:
        for item in analyze_many(files, ruleset=ruleset, jurisdiction=jurisdiction):
            results.append(item)
            progress(len(results), len(files))
    return results


def _write_one(scorecard: Scorecard, fmt: str, output: Path | None, rules: Ruleset) -> None:
    """Print or save one report in the chosen format, in the language of ``rules``.

    JSON is for programs: its rule names and texts stay those of the ruleset file.
    """
    language = rules.language
    if fmt == "json":
        _emit(render_json(scorecard) + "\n", output)
        return
    scorecard = in_language(scorecard, rules)
    if fmt == "text" and output is None:
        print_report(scorecard, Console(), language=language)
    elif fmt == "text":
        _emit(render_text(scorecard, language=language), output)
    else:
        _emit(render_html(scorecard, language=language), output)


def _write_several(results: list[Result], fmt: str, output: Path | None, rules: Ruleset) -> None:
    """Print or save the reports of several documents, in the language of ``rules``."""
    language = rules.language
    done = [(path, in_language(r, rules)) for path, r in results if isinstance(r, Scorecard)]
    if fmt == "json":
        _emit(render_json_many(results) + "\n", output)
    elif fmt == "html":
        _write_pages(done, output or Path("."), language)
    elif output is not None:
        text = "\n".join(render_text(scorecard, language=language) for _, scorecard in done)
        _emit(text, output)
    else:
        console = Console()
        for path, scorecard in done:
            console.print(Divider(Text(str(path))))
            print_report(scorecard, console, language=language)


def _write_pages(done: list[tuple[Path, Scorecard]], folder: Path, language: str) -> None:
    """One HTML page per document, in a folder."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(
            f"Cannot create folder {str(folder)!r}: {exc.strerror}."
        ) from None
    used: set[str] = set()
    for path, scorecard in done:
        name = path.stem
        while name in used:
            name += "-1"
        used.add(name)
        _emit(render_html(scorecard, language=language), folder / f"{name}.html")
    click.echo(f"Wrote {len(done)} pages to {folder}", err=True)


def _emit(text: str, output: Path | None) -> None:
    """Write text to a file, or to stdout when no file is given."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(
            f"Cannot write {str(output)!r}: {exc.strerror}. "
            "Check that the folder exists and is writable."
        ) from None


def _judge_option(value: str) -> LearnedJudge | Engine:
    """The judge a --judge option names: "learned", "cues", or a trained .npz file."""
    if value in ("learned", "cues"):
        return value  # type: ignore[return-value]
    path = Path(value)
    if not path.is_file():
        raise click.BadParameter(
            f"{value!r} is neither 'learned', 'cues' nor a judge file.", param_hint="--judge"
        )
    return load_judge(path)


def _slugs(values: Sequence[str]) -> list[str]:
    """Slugs given as repeated options and/or separated by commas, blanks dropped."""
    return [s.strip() for value in values for s in value.split(",") if s.strip()]


def _stderr_is_terminal() -> bool:
    """Whether a person watches stderr (progress bars are drawn only then)."""
    return sys.stderr.isatty()


class _BarBase:
    """A rich progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, description: str) -> None:
        self.description = description
        self._progress: Progress | None = None
        self._task: Any = None

    def _update(self, done: int, total: int) -> None:
        """Start the bar on first use, then move it."""
        if self._progress is None:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[count]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.description, total=total, count="")
        self._progress.update(self._task, completed=done, total=total, count=f"{done}/{total}")

    def _pulse(self, description: str) -> None:
        """Swap the bar for a pulsing one: work of unknown length goes on."""
        if self._progress is not None:
            self._progress.remove_task(self._task)
            self._task = self._progress.add_task(description, total=None, count="")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()


class _PageProgress(_BarBase):
    """Pages read of one long document."""

    def __call__(self, done: int, total: int) -> None:
        if total >= PROGRESS_MIN_PAGES and _stderr_is_terminal():
            self._update(done, total)
            if done >= total:
                self._pulse(labels()["judging"])


class _Status:
    """One line on stderr saying what a long job is doing now (only when a person watches)."""

    def __init__(self, first: str) -> None:
        self._console = Console(stderr=True)
        self._status: Any = None
        self._first = first

    def __call__(self, message: str) -> None:
        if self._status is not None:
            self._status.update(f"{self._first}: {message}")

    def __enter__(self) -> Self:
        if _stderr_is_terminal():
            self._status = self._console.status(self._first)
            self._status.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.stop()


class _SweepProgress(_BarBase):
    """Files of a sweep done, with the rate in pages a second and the time left."""

    def __call__(self, counts: Any, seconds: float) -> None:
        if not _stderr_is_terminal():
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


class _CountProgress(_BarBase):
    """Documents done of several."""

    def __call__(self, done: int, total: int) -> None:
        if total > 1 and _stderr_is_terminal():
            self._update(done, total)
