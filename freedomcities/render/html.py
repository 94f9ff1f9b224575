"""A one-page HTML scorecard that volunteers can share, print or open on a phone.

Self-contained: inline CSS, no scripts, no fonts or images from elsewhere.
Every piece of document text is escaped, since quotes come from untrusted
files. Status badges carry a symbol and a word, so they read in black and
white as well as in colour.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import PurePath

from freedomcities.models import STATUSES, Finding, Flag, RuleResult, Scorecard
from freedomcities.render.words import (
    DEFAULT_LANGUAGE,
    SYMBOLS,
    confidence_text,
    flag_kind_text,
    footer_text,
    labels,
    reviewed_text,
    shows_confidence,
    status_text,
    summary_text,
    title_text,
    where_text,
)
from freedomcities.sentences import normalize_space

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1b1b1b; background: #fff; }
main { max-width: 52rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 2px solid #1b1b1b; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .25rem; }
.meta { color: #444; margin: 0; }
.summary { font-size: 1.2rem; font-weight: bold; margin: 1rem 0 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #ccc;
  vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
.badge { display: inline-block; padding: .05rem .5rem; border: 2px solid; border-radius: .3rem;
  font-weight: bold; white-space: nowrap; }
.badge-meets { color: #135e1f; background: #e3f4e6; }
.badge-partial { color: #6b4c00; background: #fff3cd; border-style: dashed; }
.badge-conflicts { color: #8a1010; background: #fde2e2; border-width: 3px; }
.badge-silent { color: #444; background: #f1f1f1; border-style: dotted; }
blockquote { margin: .5rem 0 .25rem; padding: .25rem .75rem; border-left: 4px solid #888;
  background: #f7f7f7; font-style: italic; overflow-wrap: anywhere; }
.where { margin: 0 0 .75rem .75rem; color: #444; font-size: .9rem; }
.model { margin: .25rem 0 1rem; padding: .5rem .75rem; border: 1px solid #888; }
dl.legend dt { margin-top: .5rem; }
dl.legend dd { margin-left: 0; }
footer { margin-top: 2.5rem; padding-top: 1rem; border-top: 1px solid #ccc; color: #333;
  font-size: .95rem; }
@media print { body { font-size: 12pt; } .badge { background: none; } }
"""


def render_html(
    scorecard: Scorecard, *, generated: date | None = None, language: str = DEFAULT_LANGUAGE
) -> str:
    """The scorecard as one self-contained HTML5 page.

    Args:
        scorecard: the analysed document.
        generated: the date to print as "generated on"; today when not given.
        language: which table of :data:`freedomcities.render.LABELS` to use.
    """
    words = labels(language)
    title = title_text(scorecard, words)
    body = "\n".join(
        [
            _header(scorecard, words, generated or date.today()),
            _rules_table(scorecard, words),
            _evidence(scorecard, words),
            _suggestions(scorecard, words),
            _flags(scorecard, words),
            _footer(scorecard, words),
        ]
    )
    return page(f"{title} — {_document_name(scorecard)}", body, language)


def page(title: str, body: str, language: str, css: str = "") -> str:
    """A self-contained HTML5 page: the house CSS plus ``css``, and ``body`` (already escaped).

    Every page the package writes (scorecard, comparison, reports) shares
    this shell, so they look alike and stay free of outside assets.
    """
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"<style>{CSS}{css}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _header(scorecard: Scorecard, words: dict[str, str], generated: date) -> str:
    """Title, document, date and the headline count."""
    document = scorecard.document
    headline, rest = summary_text(scorecard, words)
    facts = [
        f"{_e(words['document'])}: {_e(_document_name(scorecard))}",
        f"{_e(words['pages'])}: {document.pages}",
        f"{_e(words['sections'])}: {len(scorecard.sections)}",
    ]
    if document.ocr_pages:
        facts.append(f"{_e(words['ocr_pages'])}: {document.ocr_pages}")
    return (
        f"<header>\n<h1>{_e(title_text(scorecard, words))}</h1>\n"
        f'<p class="meta">{" · ".join(facts)}</p>\n'
        f'<p class="meta">{_e(words["generated"].format(date=generated.isoformat()))}</p>\n'
        f"{_reviewed_line(scorecard, words)}"
        f'<p class="summary">{_e(headline)}</p>\n<p class="meta">{_e(rest)}</p>\n</header>'
    )


def _rules_table(scorecard: Scorecard, words: dict[str, str]) -> str:
    """The table of rules with their status badges."""
    confident = shows_confidence(scorecard)
    rows = "\n".join(
        f'<tr><td class="num">{_e(r.rule_id)}</td>'
        f'<td><a href="#rule-{_e(r.rule_id)}">{_e(r.name)}</a></td>'
        f"<td>{_badge(r, words)}</td>"
        + (f'<td class="num">{_e(confidence_text(scorecard, r, words))}</td>' if confident else "")
        + "</tr>"
        for r in scorecard.results
    )
    confidence = f'<th class="num" scope="col">{_e(words["col.confidence"])}</th>'
    return (
        '<section>\n<div class="table-wrap"><table>\n<thead><tr>'
        f'<th class="num" scope="col">{_e(words["col.number"])}</th>'
        f'<th scope="col">{_e(words["col.rule"])}</th>'
        f'<th scope="col">{_e(words["col.status"])}</th>'
        f"{confidence if confident else ''}"
        f"</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table></div>\n</section>"
    )


def _evidence(scorecard: Scorecard, words: dict[str, str]) -> str:
    """Each rule with its status and the quotes behind it."""
    parts = [f"<section>\n<h2>{_e(words['evidence'])}</h2>"]
    for result in scorecard.results:
        parts.append(
            f'<h3 id="rule-{_e(result.rule_id)}">{_e(words["col.rule"])} {_e(result.rule_id)} · '
            f"{_e(result.name)} {_badge(result, words)}</h3>"
        )
        parts.extend(_quote(finding, words) for finding in result.findings)
        if not result.findings:
            parts.append(f"<p>{_e(words['evidence.silent'])}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _suggestions(scorecard: Scorecard, words: dict[str, str]) -> str:
    """The model text to adopt for every rule not yet met."""
    todo = [r for r in scorecard.results if r.status != "meets" and r.suggestion]
    parts = [f"<section>\n<h2>{_e(words['suggestions'])}</h2>"]
    if not todo:
        parts.append(f"<p>{_e(words['suggestions.none'])}</p>")
    for result in todo:
        parts.append(f"<h3>{_e(words['col.rule'])} {_e(result.rule_id)} · {_e(result.name)}</h3>")
        parts.append(f'<p class="model">{_e(result.suggestion or "")}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _flags(scorecard: Scorecard, words: dict[str, str]) -> str:
    """Problem language and the wording to use instead."""
    parts = [f"<section>\n<h2>{_e(words['flags'])}</h2>"]
    if not scorecard.flags:
        parts.append(f"<p>{_e(words['flags.none'])}</p>")
    parts.extend(_flag(flag, words) for flag in scorecard.flags)
    parts.append("</section>")
    return "\n".join(parts)


def _footer(scorecard: Scorecard, words: dict[str, str]) -> str:
    """The four statuses explained in plain words."""
    items = "\n".join(
        f'<dt><span class="badge badge-{s}">{_e(status_text(s, words))}</span></dt>'
        f"<dd>{_e(words[f'explain.{s}'])}</dd>"
        for s in STATUSES
    )
    return (
        f'<footer>\n<h2>{_e(words["legend"])}</h2>\n<dl class="legend">\n{items}\n</dl>\n'
        f"<p>{_e(footer_text(scorecard, words))}</p>\n</footer>"
    )


def _badge(result: RuleResult, words: dict[str, str]) -> str:
    """A status badge: symbol and word in a bordered box, coloured as a bonus."""
    status = result.status
    return (
        f'<span class="badge badge-{status}">'
        f'<span aria-hidden="true">{SYMBOLS[status]}</span> {_e(words[f"status.{status}"])}</span>'
    )


def _quote(finding: Finding, words: dict[str, str]) -> str:
    """One quote with its section, heading and page."""
    where = where_text(finding.section, finding.heading, finding.page, words)
    stance = words[f"stance.{finding.stance}"]
    note = f"{where} — {stance}" if where else stance
    quote = normalize_space(finding.quote)
    return f'<blockquote>{_e(quote)}</blockquote>\n<p class="where">{_e(note)}</p>'


def _flag(flag: Flag, words: dict[str, str]) -> str:
    """One flagged passage."""
    where = where_text(None, None, flag.page, words)
    title = flag_kind_text(flag.kind, words) + (f" ({where})" if where else "")
    suggestion = (
        f'<p class="model"><strong>{_e(words["flag.suggestion"])}:</strong> '
        f"{_e(flag.suggestion)}</p>"
        if flag.suggestion
        else ""
    )
    quote = normalize_space(flag.quote)
    return f"<h3>{_e(title)}</h3>\n<blockquote>{_e(quote)}</blockquote>\n{suggestion}"


def _reviewed_line(scorecard: Scorecard, words: dict[str, str]) -> str:
    """ "Reviewed by ... on ..." as a paragraph, or nothing for a machine reading."""
    text = reviewed_text(scorecard, words)
    return f'<p class="meta reviewed">{_e(text)}</p>\n' if text else ""


def _document_name(scorecard: Scorecard) -> str:
    """The document's title when it has one, else its file name (never a local folder path)."""
    return scorecard.document.title or PurePath(scorecard.document.source).name


def _e(text: str) -> str:
    """Escape text for an HTML element or attribute."""
    return escape(text, quote=True)
