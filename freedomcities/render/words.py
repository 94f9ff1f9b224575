"""Every word a report shows, and the status symbols: the only such table.

Every word a reader sees lives in :data:`LABELS`, one table per language, so
a translation is one new table (``LABELS["es"] = {...}``) and nothing else.
Statuses always show a symbol and a word beside any colour, so a report reads
the same in black and white, printed, or to a screen reader. Every renderer in
this folder, and the web app's pages, read their words here.
"""

from __future__ import annotations

from freedomcities.models import STATUSES, RuleResult, Scorecard, Status
from freedomcities.render.spanish import SPANISH
from freedomcities.rules import optional_rule_ids

DEFAULT_LANGUAGE = "en"

# One symbol per status, chosen to differ in shape, not only in colour. This table and the
# "status.*" words in LABELS are the only ones: the web app's pages read them too.
SYMBOLS: dict[Status, str] = {
    "meets": "✔",
    "partial": "◐",
    "conflicts": "✘",
    "silent": "○",
}
# Where there is no status to show: an agency with no published policy yet.
NO_STATUS = "none"
NO_STATUS_SYMBOL = "\N{EN DASH}"

# Terminal colours (rich style names); the symbol and word carry the meaning.
COLOURS: dict[Status, str] = {
    "meets": "green",
    "partial": "yellow",
    "conflicts": "bold red",
    "silent": "dim",
}

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "status.meets": "In place in writing",
        "status.partial": "Partly in place",
        "status.conflicts": "Conflicts with the rule",
        "status.silent": "Not addressed",
        # The same statuses in a word or two, for a cell of a table of many rules.
        "status.short.meets": "In place",
        "status.short.partial": "Partly",
        "status.short.conflicts": "Conflicts",
        "status.short.silent": "Not addressed",
        "status.short.none": "No policy yet",
        # And inside a sentence ("Mesa PD: partly in place").
        "status.inline.meets": "in place",
        "status.inline.partial": "partly in place",
        "status.inline.conflicts": "conflicts",
        "status.inline.silent": "not addressed",
        "stance.meets": "meets the rule",
        "stance.partial": "partly meets the rule",
        "stance.conflicts": "conflicts with the rule",
        "explain.meets": (
            "The policy already says this in writing, at least as strongly as the model rule. "
            "Thank the people who wrote it, and keep it there."
        ),
        "explain.partial": (
            "The policy touches on this, but the protection is narrower or weaker than the "
            "model rule. The model text below shows what to ask for."
        ),
        "explain.conflicts": (
            "The policy says something that the model rule asks to stop. This is the first "
            "thing worth raising with officials."
        ),
        "explain.silent": (
            "We found nothing on this subject in the document. It may be in a part we did not "
            "receive, or it may be missing; either way the model text is a good start."
        ),
        "title": "Freedom Cities scorecard",
        "title.for": "Freedom Cities scorecard for {jurisdiction}",
        "document": "Document",
        "document.title": "Title",
        "pages": "Pages",
        "sections": "Sections",
        "ocr_pages": "Pages read by OCR",
        "jurisdiction": "Jurisdiction",
        "jurisdiction.none": "not given",
        "ruleset": "Ruleset",
        "generated": "Generated on {date}",
        "summary": "{met} of {total} rules in place in writing",
        "summary.rest": (
            "{partial} partly in place, {conflicts} in conflict, {silent} not addressed"
        ),
        "col.number": "#",
        "col.rule": "Rule",
        "col.status": "Status",
        "col.confidence": "Confidence",
        "evidence": "What the document says",
        "evidence.none": "No quotes to show.",
        "evidence.silent": "We found nothing on this rule in the document.",
        "section": "Section",
        "page": "page {page}",
        "suggestions": "Model text to adopt",
        "suggestions.none": "Every rule is already in place in writing.",
        "flags": "Language to change",
        "flags.none": "No problem language found.",
        "flag.suggestion": "Suggested wording",
        "flag.kind.detainer": "Holding people on immigration detainers",
        "flag.kind.287g": "287(g) agreement with ICE",
        "flag.kind.dro": "Working with ICE deportation officers",
        "flag.kind.reasonable-suspicion-status": "Status checks on 'reasonable suspicion'",
        "flag.kind.racial-profiling": "Room for racial profiling",
        "flag.kind.bias": "Biased wording",
        "flag.kind.dehumanizing-language": "Dehumanizing words such as 'alien'",
        "optional": "optional",
        "legend": "What the statuses mean",
        "reviewed": "Reviewed by {by} on {date}",
        "col.reviewed": "reviewed",
        "col.unsure": "{percent}, check first",
        "footer.reviewed": (
            "Reviewed by {by} on {date}: a person checked every status against the "
            "document. It quotes the document so you can check every finding yourself."
        ),
        "footer": (
            "This scorecard was made by a computer reading the document. It quotes the "
            "document so you can check every finding yourself; please do, before you rely on it."
        ),
        "reading": "Reading {source}",
        "judging": "Checking the rules",
        "analysing": "Analysing documents",
        "ocrcache.folder": "OCR cache of scanned pages: {folder}",
        "ocrcache.current": ("  read with this machine's OCR settings: {pages} pages, {size}"),
        "ocrcache.other": (
            "  read with other OCR settings, never used again: {pages} pages, {size}"
        ),
        "ocrcache.in_use": "  being read now, left alone: {files} files",
        "ocrcache.removed": "Removed {pages} page texts ({size}).",
        # Reports
        "report.kind.annotated": "Annotated policy",
        "report.kind.redline": "Redline",
        "report.kind.packet": "Meeting packet",
        "report.title.for": "{title} for {jurisdiction}",
        "report.jurisdiction.none": "your city, county or state",
        "report.page_of": "Page {page} of {pages}",
        "report.stance.meets": "meets",
        "report.stance.partial": "partly meets",
        "report.stance.conflicts": "conflicts",
        "report.tag": "[Rule {rule} {symbol} {stance}]",
        "report.legend": "How to read the marks",
        "report.legend.meets": "Solid underline: the passage meets the rule.",
        "report.legend.partial": "Dashed underline: the passage meets the rule only in part.",
        "report.legend.conflicts": "Double underline: the passage conflicts with the rule.",
        "report.legend.tags": (
            "Every marked passage is followed by a tag in brackets naming the rule and what "
            "the passage does, so the marks read the same in black and white."
        ),
        "report.annotated.intro": (
            "The policy's own words, section by section, with each passage that bears on a "
            "rule marked. The notes say which rule, why, and the model text to ask for."
        ),
        "report.annotated.left_out": (
            "{count} of {total} sections say nothing on the rules and are left out."
        ),
        "report.annotated.none": "We found no passage in the policy that bears on the rules.",
        "report.annotated.missing": "Rules the policy does not address: add these",
        "report.note.rule": "Rule {rule} · {name}",
        "report.note.replace": "Ask to replace it with",
        "report.note.see_above": "Model text for Rule {rule}: see the first note on this rule.",
        "report.redline.intro": (
            "Words to delete are struck through and tagged [Delete]; the model rules to insert "
            "are underlined and tagged [Insert]. The rest of each section is shown unchanged, "
            "for context."
        ),
        "report.redline.replace": "Changes to the policy's text",
        "report.redline.add": "New sections to add",
        "report.redline.new": "New section: Rule {rule} · {name}",
        "report.redline.none": "No changes to ask for: every rule is in place in writing.",
        "report.redline.inserted_above": "The model text for rule {rules} is inserted above.",
        "report.delete": "[Delete]",
        "report.insert": "[Insert: Rule {rule}]",
        "report.why": "Why",
        "report.packet.contents": "In this packet",
        "report.packet.scorecard": "Scorecard",
        "report.packet.rules": "The rules in plain words",
        "report.packet.rules.intro": (
            "Each rule, why it matters, and where {jurisdiction}'s policy stands on it today."
        ),
        "report.packet.asks": "What we ask",
        "report.packet.asks.intro": (
            "We ask {jurisdiction} to put these rules in writing, in these words or stronger."
        ),
        "report.packet.asks.none": "Every rule is already in place in writing. Thank you.",
        "report.packet.redline": "The changes, marked in the policy",
        "report.in_policy": "In this policy",
        "report.not_addressed": "The policy does not address this rule.",
        "report.note.meets": "This passage meets the rule.",
        "report.note.partial": "This passage meets the rule only in part.",
        "report.note.conflicts": "This passage goes against the rule.",
        "report.note.change": (
            "This passage falls short of the rule: replace it with the model text."
        ),
        # Version comparison
        "compare.title": "What changed between two versions",
        "compare.title.for": "What changed between two versions, {jurisdiction}",
        "compare.old": "Before",
        "compare.new": "After",
        "compare.summary": (
            "{moved} of {total} rules changed status: {better} better, {worse} worse"
        ),
        "compare.sections.summary": (
            "Sections: {changed} changed, {added} added, {removed} removed, {unchanged} the same"
        ),
        "compare.moves": "Rule statuses that moved",
        "compare.moves.none": "No rule changed status.",
        "compare.steady": "Same status in both versions: rules {rules}",
        "compare.col.change": "Change",
        "compare.better": "better",
        "compare.worse": "worse",
        "compare.sections": "Sections that changed",
        "compare.sections.none": "No section changed.",
        "compare.kind.added": "added",
        "compare.kind.removed": "removed",
        "compare.kind.changed": "changed",
        "compare.similarity": "{percent} of the words the same",
        "compare.unlabelled": "untitled section",
        "compare.legend": "Deleted words are shown [-like this-]; inserted words {+like this+}.",
        "compare.legend.page": "Deleted words are struck through; inserted words are underlined.",
        # Word reports
        "docx.annotated.title": "Annotated policy",
        "docx.annotated.title.for": "Annotated policy for {jurisdiction}",
        "docx.annotated.intro": (
            "The policy's own words, for the {shown} sections that bear on the Freedom Cities "
            "rules. {left_out} other sections say nothing on the rules and are left out. Each "
            "passage that bears on a rule is marked; the comment in the margin says which rule "
            "and why, and the box under it gives the model text to ask for."
        ),
        "docx.subtitle": "{name}, {pages} pages · for {jurisdiction} · made on {date}",
        "docx.section.untitled": "Untitled part of the policy",
        "docx.legend": "How to read the marks",
        "docx.legend.sample": "marked words",
        "docx.legend.conflicts": (
            "Red, double underline: the passage conflicts with the rule. Raise it first."
        ),
        "docx.legend.partial": (
            "Yellow, dashed underline: the passage meets the rule only in part."
        ),
        "docx.legend.meets": "Green, single underline: the passage meets the rule. Keep it.",
        "docx.legend.notes": (
            "The tag in brackets before each passage names the rule and what the passage does, "
            "so the marks read the same in black and white. N stands for the rule's number."
        ),
        "docx.tag.rule": "Rule {ids}",
        "docx.tag.rules": "Rules {ids}",
        "docx.stance.meets": "meets",
        "docx.stance.partial": "partly meets",
        "docx.stance.conflicts": "conflicts",
        "docx.model.replace": "Replace the marked passage with the model text ({rules}):",
        "docx.model.add": "Add the model text ({rules}):",
        "docx.missing": "Rules the policy does not address",
        "docx.missing.intro": (
            "We found nothing on these rules in the policy. Ask to add the model text."
        ),
        "docx.redline.title": "Proposed changes to the policy",
        "docx.redline.title.for": "Proposed changes to the policy for {jurisdiction}",
        "docx.redline.heading": "The changes, as tracked changes in the policy",
        "docx.redline.intro": (
            "Each change is a tracked change by freedomcities: the passage to remove is deleted "
            "and the model rule inserted after it, with the rest of the section unchanged around "
            "it. In Word, use Review > Accept or Reject to take each change one by one; the "
            "comment beside each change says which rule and why."
        ),
        "docx.redline.new": "New sections to add",
        "docx.packet.title": "Freedom Cities meeting packet",
        "docx.packet.title.for": "Freedom Cities meeting packet for {jurisdiction}",
        "docx.packet.rules": "The rules in plain words",
        "docx.packet.asks": "What we ask",
        "docx.rule_title": "Rule {rule} — {name}",
    },
    "es": SPANISH,
}


def labels(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The user-facing words for one language; an unknown language names the known ones."""
    try:
        return LABELS[language]
    except KeyError:
        known = ", ".join(sorted(LABELS))
        raise ValueError(f"No labels for language {language!r}; known: {known}.") from None


def footer_text(scorecard: Scorecard, words: dict[str, str]) -> str:
    """The closing note: who reviewed it and when, or that a computer made it."""
    reviewed = scorecard.reviewed
    if reviewed is not None and scorecard.fully_reviewed:
        return words["footer.reviewed"].format(by=reviewed.by, date=reviewed.on.isoformat())
    return words["footer"]


def reviewed_text(scorecard: Scorecard, words: dict[str, str]) -> str | None:
    """ "Reviewed by ... on ..." when a person reviewed the statuses, else None."""
    reviewed = scorecard.reviewed
    if reviewed is None:
        return None
    return words["reviewed"].format(by=reviewed.by, date=reviewed.on.isoformat())


def shows_confidence(scorecard: Scorecard) -> bool:
    """Whether a machine's confidence still means anything: not once a person decided it all."""
    return not scorecard.fully_reviewed


def confidence_text(scorecard: Scorecard, result: RuleResult, words: dict[str, str]) -> str:
    """A rule's confidence as a percentage, or "reviewed" where a person decided it.

    Where the judge was unsure (``needs_review``) it says so beside the figure:
    a conflict found at 11% is worth a look before anyone quotes it.
    """
    reviewed = scorecard.reviewed
    if reviewed is not None and result.rule_id in reviewed.rule_ids:
        return words["col.reviewed"]
    percent = f"{result.confidence:.0%}"
    return words["col.unsure"].format(percent=percent) if result.needs_review else percent


def status_text(status: Status, words: dict[str, str]) -> str:
    """A status as symbol and word, e.g. ``"✔ In place in writing"``."""
    return f"{SYMBOLS[status]} {words[f'status.{status}']}"


def status_symbol(status: str | None) -> str:
    """The symbol of a status, or a dash where there is none (no policy yet)."""
    for known, symbol in SYMBOLS.items():
        if status == known:
            return symbol
    return NO_STATUS_SYMBOL


def status_word(status: str | None, words: dict[str, str], form: str = "") -> str:
    """A status in words: ``form`` is "" (full), "short" (a table cell) or "inline" (a sentence).

    A missing or unknown status reads as "no policy yet" in the short form.
    """
    key = ".".join(part for part in ("status", form, status or NO_STATUS) if part)
    return words.get(key) or words[f"status.short.{NO_STATUS}"]


def flag_kind_text(kind: str, words: dict[str, str]) -> str:
    """A flag kind in plain words, or the kind itself when it has no label."""
    return words.get(f"flag.kind.{kind}", kind)


def where_text(
    section: str | None, heading: str | None, page: int | None, words: dict[str, str]
) -> str:
    """Where a quote sits, e.g. ``"§ 428.2 POLICY, page 3"``; empty when unknown."""
    parts = [" ".join(p for p in (f"§ {section}" if section else None, heading) if p)]
    if page is not None:
        parts.append(words["page"].format(page=page))
    return ", ".join(p for p in parts if p)


def counts(scorecard: Scorecard) -> dict[Status, int]:
    """How many rules have each status, counting only the required (non-optional) rules."""
    required = required_results(scorecard)
    return {status: sum(r.status == status for r in required) for status in STATUSES}


def required_results(scorecard: Scorecard) -> list[RuleResult]:
    """Results for the ruleset's required rules; optional ones (such as 1373) are left out."""
    optional = _optional_rule_ids(scorecard)
    return [r for r in scorecard.results if r.rule_id not in optional]


def summary_text(scorecard: Scorecard, words: dict[str, str]) -> tuple[str, str]:
    """The headline ("3 of 9 rules in place in writing") and the line under it."""
    tally = counts(scorecard)
    total = sum(tally.values())
    headline = words["summary"].format(met=tally["meets"], total=total)
    rest = words["summary.rest"].format(
        partial=tally["partial"], conflicts=tally["conflicts"], silent=tally["silent"]
    )
    return headline, rest


def title_text(scorecard: Scorecard, words: dict[str, str]) -> str:
    """The report title, naming the jurisdiction when there is one."""
    if scorecard.jurisdiction:
        return words["title.for"].format(jurisdiction=scorecard.jurisdiction)
    return words["title"]


def _optional_rule_ids(scorecard: Scorecard) -> frozenset[str]:
    """Ids of optional rules, when the scorecard's ruleset is one that ships with the package."""
    return optional_rule_ids(scorecard.ruleset_id)
