"""The ``freedomcities`` command: analyse policies, list the rules, evaluate the engine.

Each command parses its options and calls the library; the work happens in
:mod:`freedomcities.analyze`, :mod:`freedomcities.evaluate` and
:mod:`freedomcities.render`. The web app's commands (``serve``, ``worker``,
``sweep``, ``seed``, ``createuser``, ``remind``, ``export-reviews``, ``reanalyze``, ``manage``)
live in :mod:`freedomcities.web.launch` and start Django inside the command only, so the
others never import it. Every expected failure (a
:class:`~freedomcities.errors.FreedomCitiesError`) prints one line,
``Error: <message>``, and exits with status 1; Ctrl-C exits 130 quietly.
"""

from __future__ import annotations

import datetime
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import click
from rich.console import Console
from rich.rule import Rule as Divider
from rich.text import Text

from freedomcities import __version__
from freedomcities.analyze import analyze, analyze_cached, analyze_many
from freedomcities.console import (
    CountProgress,
    PageProgress,
    StatusLine,
    emit,
    since,
    slugs,
)
from freedomcities.errors import DocumentError, FreedomCitiesError
from freedomcities.evaluate import evaluate, load_corpus
from freedomcities.judge import Engine
from freedomcities.learned import LearnedJudge, judge_path, load_judge
from freedomcities.models import Scorecard
from freedomcities.ocr import (
    DEFAULT_OCR,
    DEFAULT_OCR_NAME,
    OCR_ENGINES,
    OCREngine,
    current_ocr_settings,
    ocr_engine,
)
from freedomcities.ocrcache import Entries, default_ocr_cache
from freedomcities.read import DOCUMENT_SUFFIXES
from freedomcities.render import DEFAULT_LANGUAGE, LABELS, labels, render
from freedomcities.render.jsonout import (
    render_cross_validation_json,
    render_evaluation_json,
    render_json_many,
)
from freedomcities.render.terminal import (
    print_cross_validation,
    print_evaluation,
    print_report,
    print_rules,
)
from freedomcities.rules import DEFAULT_RULESET, Ruleset, load_ruleset
from freedomcities.score import in_language
from freedomcities.training import (
    cross_validate,
    describe,
    peak_memory_mb,
    train,
    training_set,
)
from freedomcities.tuning import Recipe
from freedomcities.web.launch import COMMANDS as WEB_COMMANDS

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
ocr_option = click.option(
    "--ocr",
    type=click.Choice(list(OCR_ENGINES)),
    default=DEFAULT_OCR_NAME,
    show_default=True,
    help="The OCR engine for scanned pages: tesseract (the program) or tesserocr (its library, "
    "about 1.3 times faster; pip install 'freedomcities[fast-ocr]').",
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
@ocr_option
def analyze_command(
    paths: tuple[Path, ...],
    jurisdiction: str | None,
    fmt: str,
    output: Path | None,
    ruleset: str,
    language: str,
    ocr: str,
) -> None:
    """Score policy documents (PDF, Word, web page or text) against the rules.

    PATHS are files or folders. One file gives one report; a folder or several
    files are analysed in parallel, and JSON output is then an array.
    """
    rules = load_ruleset(ruleset, language)  # a mistake stops here, before any reading
    engine = ocr_engine(ocr)  # so does an OCR engine that is not installed
    files = _expand(paths)
    if len(files) == 1 and not paths[0].is_dir():
        scorecard = _analyze_one(files[0], ruleset, jurisdiction, engine)
        _write_one(scorecard, fmt, output, rules)
        return
    if fmt == "html" and output is None:
        raise click.UsageError("HTML for several documents needs --output FOLDER.")
    results = _analyze_several(files, ruleset, jurisdiction, engine)
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
    corpus = load_corpus(corpus_dir, only=slugs(only), exclude=slugs(exclude))
    with CountProgress("Evaluating documents") as progress:
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
    with StatusLine("Reading the labelled documents") as status:
        documents = training_set(rules, corpora, passages, progress=status)
        status("fitting the judge")
        recipe = Recipe(epochs=epochs)
        judge = train(documents, rules, recipe, about=describe(documents), progress=status)
    target = output or judge_path(rules.id)
    judge.save(target)
    about = judge.about
    click.echo(
        f"Trained {judge.version} on {about['documents']} documents and "
        f"{about['passages']} passages in {since(started)}, "
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
    with StatusLine("Reading the labelled documents") as status:
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
    from freedomcities.render.annotate import check_kind
    from freedomcities.render.reports import write_file

    chosen = check_kind(kind)
    if output == "-" and fmt != "html":
        raise click.UsageError("Only HTML can go to the screen (--output -); give a file name.")
    rules = load_ruleset(ruleset, language)  # a mistake stops here, before any reading
    if not policy.is_file():
        raise DocumentError(f"{str(policy)!r} does not exist or is not a file. Check the path.")
    made = render(_analyze_one(policy, ruleset, jurisdiction), fmt, chosen, ruleset=rules)
    if output == "-":
        click.echo(made, nl=False)
        return
    path = Path(output) if output else Path(f"{policy.stem}-{chosen}.{fmt}")
    write_file(made, path)
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
    from freedomcities.compare import compare
    from freedomcities.render import COMPARE
    from freedomcities.render.compare import print_comparison

    rules = load_ruleset(ruleset, language)  # a mistake stops here, before any reading
    versions = [_analyze_version(path, ruleset, jurisdiction) for path in (old, new)]
    if fmt == "json":  # for programs: the ruleset file's own words
        emit(_text(render(compare(*versions), fmt, COMPARE)) + "\n", output)
        return
    comparison = compare(*(in_language(version, rules) for version in versions))
    if fmt == "text" and output is None:
        print_comparison(comparison, Console(), language=language)
    else:
        emit(_text(render(comparison, fmt, COMPARE, ruleset=rules)), output)


@cli.command("ocr-cache")
@click.option(
    "--prune",
    is_flag=True,
    help="Remove the page texts read with OCR settings other than this machine's "
    "(another Tesseract, resolution, language or engine).",
)
@click.option(
    "--older-than",
    type=click.IntRange(min=1),
    metavar="DAYS",
    help="Remove the page texts read more than DAYS days ago, whatever their settings.",
)
@language_option
def ocr_cache_command(prune: bool, older_than: int | None, language: str) -> None:
    """Show what the OCR cache of scanned pages holds, and prune it."""
    words, cache, current = labels(language), default_ocr_cache(), current_ocr_settings()
    if prune or older_than:
        days = None if older_than is None else datetime.timedelta(days=older_than)
        removed = cache.prune(current if prune else None, days)
        click.echo(words["ocrcache.removed"].format(**_sizes(removed)))
    survey = cache.survey(current)
    click.echo(words["ocrcache.folder"].format(folder=cache.folder))
    click.echo(words["ocrcache.current"].format(**_sizes(survey.current)))
    click.echo(words["ocrcache.other"].format(**_sizes(survey.other)))
    if survey.in_use:
        click.echo(words["ocrcache.in_use"].format(files=survey.in_use))


def _sizes(entries: Entries) -> dict[str, str]:
    """An :class:`~freedomcities.ocrcache.Entries`'s pages and size, ready to print."""
    kilobytes = entries.bytes / 1000
    size = f"{kilobytes:,.0f} kB" if kilobytes < 1000 else f"{kilobytes / 1000:,.1f} MB"
    return {"pages": f"{entries.pages:,}", "size": size}


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


for _command in WEB_COMMANDS:  # serve, worker, sweep, seed, createuser, ...: the web's own
    cli.add_command(_command)


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


def _analyze_one(
    path: Path, ruleset: str, jurisdiction: str | None, ocr: OCREngine = DEFAULT_OCR
) -> Scorecard:
    """Analyse one file (once per content: see :mod:`freedomcities.cache`), with a progress bar."""
    with PageProgress(labels()["reading"].format(source=path.name)) as progress:
        return analyze_cached(
            path, ruleset=ruleset, jurisdiction=jurisdiction, progress=progress, ocr=ocr
        )


def _analyze_several(
    files: list[Path], ruleset: str, jurisdiction: str | None, ocr: OCREngine
) -> list[Result]:
    """Analyse several files in parallel, with a count of files done on stderr."""
    results: list[Result] = []
    with CountProgress(labels()["analysing"]) as progress:
        for item in analyze_many(files, ruleset=ruleset, jurisdiction=jurisdiction, ocr=ocr):
            results.append(item)
            progress(len(results), len(files))
    return results


def _write_one(scorecard: Scorecard, fmt: str, output: Path | None, rules: Ruleset) -> None:
    """Print or save one report in the chosen format, in the language of ``rules``.

    JSON is for programs: its rule names and texts stay those of the ruleset file.
    """
    if fmt == "text" and output is None:
        print_report(in_language(scorecard, rules), Console(), language=rules.language)
        return
    made = _text(render(scorecard, fmt, ruleset=rules))
    emit(made + "\n" if fmt == "json" else made, output)


def _write_several(results: list[Result], fmt: str, output: Path | None, rules: Ruleset) -> None:
    """Print or save the reports of several documents, in the language of ``rules``."""
    done = [(path, r) for path, r in results if isinstance(r, Scorecard)]
    if fmt == "json":
        emit(render_json_many(results) + "\n", output)
    elif fmt == "html":
        _write_pages(done, output or Path("."), rules)
    elif output is not None:
        emit(
            "\n".join(_text(render(scorecard, fmt, ruleset=rules)) for _, scorecard in done), output
        )
    else:
        console = Console()
        for path, scorecard in done:
            console.print(Divider(Text(str(path))))
            print_report(in_language(scorecard, rules), console, language=rules.language)


def _write_pages(done: list[tuple[Path, Scorecard]], folder: Path, rules: Ruleset) -> None:
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
        emit(_text(render(scorecard, "html", ruleset=rules)), folder / f"{name}.html")
    click.echo(f"Wrote {len(done)} pages to {folder}", err=True)


def _text(made: str | bytes) -> str:
    """A text output of :func:`~freedomcities.render.render` (never a binary file here)."""
    return made if isinstance(made, str) else made.decode("utf-8")


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
