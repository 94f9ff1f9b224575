"""Build a realistic, deterministic policy manual PDF for the benchmark.

The manual looks like the Lexipol-family manuals most U.S. departments publish:
a cover, a table of contents, chapter divider pages, numbered policies
("415 - Immigration Violations") with numbered sections ("415.1 PURPOSE AND
SCOPE"), a running header and a copyright footer on every page. The prose is
made up from a small template grammar, seeded, so the same parameters always
give the same file. A few chapters (immigration, bias-based policing,
personnel complaints, drones, suspicious-activity reporting) carry the
language the nine rules look for; the rest is ordinary policy that the engine
must read past.

Usage::

    .venv/bin/python bench/generate.py out.pdf --pages 1000 --seed 1
"""

from __future__ import annotations

import argparse
import math
import random
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

GENERATOR_VERSION = 1
RESULTS = Path(__file__).parent / "results"
AGENCY = "City of Riverbend Police Department"
SHORT = "Riverbend PD"
PUBLISHER = "Copyright Meridian Policy Services, LLC 2024/03/01, All Rights Reserved."

WIDTH, HEIGHT = LETTER
LEFT, TOP, BOTTOM = 72.0, HEIGHT - 110.0, 90.0
WRAP = 92  # characters per body line in 10-point Helvetica over 6.5 inches
STYLES = {  # style: (font, size, line height)
    "chapter": ("Helvetica-Bold", 20, 30),
    "policy": ("Helvetica-Bold", 16, 24),
    "section": ("Helvetica-Bold", 10.5, 18),
    "body": ("Helvetica", 10, 12.5),
    "gap": ("Helvetica", 10, 6),
    "toc": ("Helvetica", 10, 13),
}


def _items(text: str) -> tuple[str, ...]:
    """Split a ``;``-separated list written over several lines."""
    return tuple(item.strip() for item in text.replace("\n", " ").split(";") if item.strip())


# Chapter number, name and policy titles, as in a Lexipol-family manual.
CHAPTER_TABLE = """
1 | Law Enforcement Role and Authority | Law Enforcement Authority; Chief Executive Officer;
    Oath of Office; Policy Manual; Jurisdiction and Mutual Aid; Peace Officer Powers
2 | Organization and Administration | Organizational Structure and Responsibility;
    Departmental Directives; Emergency Management Plan; Training; Electronic Mail;
    Administrative Communications; Supervision Staffing Levels; Retiree Concealed Firearms;
    Records Retention
3 | General Operations | Use of Force; Handcuffing and Restraints; Control Devices and Techniques;
    Conducted Energy Device; Officer-Involved Shootings and Deaths; Firearms; Vehicle Pursuits;
    Officer Response to Calls; Domestic Violence; Search and Seizure; Adult Abuse; Child Abuse;
    Missing Persons; Public Alerts; Victim and Witness Assistance; Hate Crimes;
    Standards of Conduct; Information Technology Use; Report Preparation; Media Relations;
    Subpoenas and Court Appearances; Major Incident Notification; Death Investigation;
    Identity Theft; Private Persons Arrests; Limited English Proficiency Services;
    Communications with Persons with Disabilities; Chaplains; Child and Dependent Adults;
    Service Animals; Volunteer Program; Off-Duty Law Enforcement Actions
4 | Patrol Operations | Patrol Function; Bias-Based Policing; Briefing Training;
    Crime and Disaster Scene; Special Weapons and Tactics Team; Ride-Along Policy;
    Hazardous Material Response; Hostage and Barricade Incidents; Response to Bomb Calls;
    Mental Illness Commitments; Cite and Release; Foreign Diplomatic and Consular Representatives;
    Rapid Response and Deployment; Immigration Violations; Utility Service Requests;
    Aircraft Accidents; Field Training Officer Program; Contacts and Temporary Detentions;
    Criminal Organizations; Mobile Audio/Video; Mobile Digital Computer Use;
    Portable Audio/Video Recorders; Bicycle Patrol Unit; Foot Pursuits; Homeless Persons;
    Suspicious Activity Reporting; Public Recording of Law Enforcement;
    Crisis Intervention Incidents; Medical Aid and Response; First Amendment Assemblies;
    Civil Disputes; Automated License Plate Readers
5 | Traffic Operations | Traffic Function and Responsibility; Traffic Crash Reporting;
    Vehicle Towing; Impaired Driving; Traffic Citations; Disabled Vehicles;
    Abandoned Vehicle Violations; Roadside Safety Checks
6 | Investigation Operations | Investigation and Prosecution; Sexual Assault Investigations;
    Asset Forfeiture; Informants; Eyewitness Identification; Brady Material Disclosure;
    Unmanned Aerial System Operations; Warrant Service; Operations Planning and Deconfliction
7 | Equipment | Department-Owned and Personal Property; Personal Communication Devices;
    Vehicle Maintenance; Vehicle Use; Cash Handling, Security and Management
8 | Support Services | Crime Analysis; Communications Center; Property and Evidence;
    Records Bureau; Restoration of Firearm Serial Numbers; Records Maintenance and Release;
    Protected Information; Computers and Digital Evidence; Animal Control
9 | Custody | Temporary Custody of Adults; Temporary Custody of Juveniles; Custodial Searches;
    Prison Rape Elimination; Detainee Transportation
10 | Personnel | Recruitment and Selection; Evaluation of Employees; Grievance Procedure;
    Anti-Retaliation; Reporting of Employee Convictions; Drug- and Alcohol-Free Workplace;
    Sick Leave; Communicable Diseases; Smoking and Tobacco Use; Personnel Complaints;
    Seat Belts; Body Armor; Personnel Records; Request for Change of Assignment;
    Commendations and Awards; Fitness for Duty; Meal Periods and Breaks; Lactation Breaks;
    Payroll Record Procedures; Overtime Compensation Requests; Outside Employment;
    Occupational Disease and Work-Related Injury Reporting; Personal Appearance Standards;
    Uniform Regulations; Nepotism and Conflicting Relationships; Department Badges;
    Modified-Duty Assignments; Employee Speech, Expression and Social Media; Line-of-Duty Deaths
"""


def _chapters(table: str) -> dict[int, tuple[str, tuple[str, ...]]]:
    """Parse :data:`CHAPTER_TABLE`: a line starting with a number opens a chapter."""
    chapters: dict[int, tuple[str, tuple[str, ...]]] = {}
    for block in re.split(r"\n(?=\d)", table.strip()):
        number, name, titles = (part.strip() for part in block.split("|"))
        chapters[int(number)] = (name, _items(titles))
    return chapters


CHAPTERS = _chapters(CHAPTER_TABLE)
ASPECTS = _items("Supervision; Reporting; Training; Records; Equipment; Procedures")

SUBJECTS = _items(
    """Officers; Members; Each member; The Shift Sergeant; The assigned supervisor; Employees;
    The Watch Commander; The handling officer; Investigators; The Records Supervisor;
    Dispatchers; The Division Commander"""
)
MODALS = _items("shall; should; may; will; shall not; should not; must")
VERBS = tuple(
    (verb, verb[:-1] + "ing" if verb.endswith("e") else verb + "ing")
    for verb in _items(
        """document; review; notify; request; secure; inspect; forward; retain; coordinate;
        evaluate; release; report; maintain; approve; record"""
    )
)
OBJECTS = _items(
    """the incident; all relevant information; the appropriate form; any available evidence;
    the circumstances of the contact; a supplemental report; the involved parties; the scene;
    department equipment; the request; the written record; any property taken into custody;
    the case file; the supervisor's approval"""
)
CONDITIONS = _items(
    """as soon as practicable; when circumstances permit; unless exigent circumstances exist;
    consistent with applicable law; prior to the end of shift; in accordance with this policy;
    as directed by a supervisor; within 24 hours; without unnecessary delay;
    when it is safe to do so; pursuant to established procedures;
    consistent with the collective bargaining agreement; (50 ILCS 705/10.2);
    (725 ILCS 5/107-2); subject to review by the Chief of Police"""
)
SITUATIONS = _items(
    """an officer is unable to complete the task; a member receives a complaint;
    the situation presents a risk to public safety; additional resources are required;
    a supervisor is not available; the request involves another agency;
    evidence is located at the scene; a report is delayed; equipment is damaged or lost;
    the member is off duty; a juvenile is involved; there is a conflict with another policy"""
)
ROLES = _items(
    """Patrol Division Commander; Training Coordinator; Professional Standards Unit;
    Records Supervisor; Support Services Lieutenant; Chief of Police"""
)
SECTION_HEADINGS = _items(
    """PROCEDURES; SUPERVISOR RESPONSIBILITIES; REPORTING; TRAINING; DOCUMENTATION;
    NOTIFICATIONS; EQUIPMENT; RELEASE OF RECORDS; DEFINITIONS; RESPONSIBILITIES; INSPECTIONS;
    COORDINATION WITH OTHER AGENCIES; PUBLIC INFORMATION; RETENTION; OFFICER SAFETY; AUTHORITY;
    EXCEPTIONS; DEPLOYMENT; FOLLOW-UP INVESTIGATION"""
)

# Hand-written policies for the chapters the rules are about. "## " opens a
# policy, "# " a section; "or:" separates alternative wordings of a section,
# and the seed picks one, so manuals differ in how protective they are, as
# real departments' edits of the shared template do.
SPECIAL_TEXT = """
## Immigration Violations
# PURPOSE AND SCOPE
This policy gives members guidance on immigration status and on working with federal
immigration authorities.
# POLICY
The department is committed to equal enforcement of the law and equal service to every
resident, whatever their national origin or immigration status.
# VICTIMS AND WITNESSES
Members shall not ask victims or witnesses about their immigration status or place of birth.
Crime victims must be able to call the police without fear that doing so will lead to deportation.
or:
Members should not routinely ask victims about their immigration status, but may do so when the
information is needed to complete an investigation.
# DETENTIONS
Officers shall not stop, detain or prolong the detention of any person to investigate a civil
immigration violation or to serve an administrative immigration warrant.
or:
An officer who has reasonable suspicion that a person has committed a criminal violation of
federal immigration law may detain the person for a reasonable time at the request of federal
immigration officials (8 USC 1357(g)(10)).
# IMMIGRATION DETAINERS
No person shall be held on an immigration detainer or any other civil hold request unless a
judge has signed a judicial warrant for the person.
or:
The Watch Commander should notify the federal authority that issued a detainer before the person
is released from custody.
# INFORMATION SHARING
Members shall not share release dates, home addresses or other non-public information with
immigration authorities, except as required by 8 USC 1373.
or:
Members may exchange information about a person's citizenship or immigration status with federal
authorities (8 USC 1373).
# FEDERAL REQUESTS FOR ASSISTANCE
The department does not participate in a 287(g) agreement and members shall not perform the
functions of a federal immigration officer.
or:
Requests by federal immigration officials for support in an enforcement operation should be
referred to a supervisor, who may approve assistance to keep the peace.
# ACCESS TO DEPARTMENT FACILITIES
Federal immigration agents shall not be given access to persons in custody or to non-public
areas of department facilities without a judicial warrant.

## Bias-Based Policing
# PURPOSE AND SCOPE
This policy affirms the department's commitment to policing that is fair and free of bias.
# POLICY
Members shall not consider race, ethnicity, national origin, religion, language, immigration
status, sexual orientation or disability when deciding whom to stop, detain, search or arrest,
except as part of a specific suspect description.
or:
Members should avoid relying on race or ethnicity alone when making enforcement decisions.
# TRAFFIC STOP DATA
Officers shall record the perceived race, ethnicity and gender of the driver for every traffic
stop, as required by the state's traffic stop statistical study.
# SUPERVISOR RESPONSIBILITIES
Supervisors shall review stop data and body-worn camera footage each quarter for patterns that
suggest bias and shall refer any such pattern to the Professional Standards Unit.

## Personnel Complaints
# PURPOSE AND SCOPE
This policy sets out how complaints about the conduct of members are accepted, investigated and
resolved.
# ACCEPTANCE OF COMPLAINTS
Any person may file a complaint in any language, in person, by telephone, by mail or online, and
anonymously. No member shall ask a complainant about immigration status.
or:
Complaints should be accepted from any person, but a complainant may be asked to sign a sworn
statement before an investigation begins.
# INDEPENDENT REVIEW
Complaints alleging bias or unlawful immigration enforcement shall be investigated by the
Professional Standards Unit, and findings shall be reported to the civilian review board each
quarter.

## Unmanned Aerial System Operations
# PURPOSE AND SCOPE
This policy governs the use of unmanned aerial systems and the retention of the data they collect.
# PROHIBITED USE
The unmanned aerial system shall not be used to conduct random surveillance or to target a person
based on immigration status, race, religion or lawful protest.

## Suspicious Activity Reporting
# PURPOSE AND SCOPE
This policy covers the reporting of suspicious activity to the regional fusion center.
# REPORTING
Reports shall describe behavior, not a person's race, religion, national origin or immigration
status, and shall not be shared with federal agencies for civil immigration enforcement.
or:
Officers may forward suspicious activity reports to any federal partner through the fusion center.
"""

Special = dict[str, tuple[tuple[str, tuple[str, ...]], ...]]


def _special(text: str) -> Special:
    """Parse :data:`SPECIAL_TEXT` into title -> ((heading, wordings), ...)."""
    policies: Special = {}
    for block in text.strip().split("## ")[1:]:
        title, *sections = block.split("\n# ")
        policies[title.strip()] = tuple(
            (heading, tuple(" ".join(w.split()) for w in body.split("\nor:\n")))
            for heading, body in (section.split("\n", 1) for section in sections)
        )
    return policies


SPECIAL = _special(SPECIAL_TEXT)


@dataclass
class Page:
    """One laid-out page: the policy it belongs to and its lines of text."""

    running_title: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    policy_number: int | None = None


@dataclass(frozen=True)
class Entry:
    """One table-of-contents line: a chapter or a policy, and where it starts."""

    text: str
    page_index: int  # index into the content pages


def generate_manual(path: str | Path, pages: int = 1000, seed: int = 1) -> Path:
    """Write a manual of exactly ``pages`` pages to ``path`` and return the path."""
    if pages < 3:
        raise ValueError(f"a manual needs at least 3 pages (cover, contents, text), not {pages}")
    content, entries = _layout(random.Random(seed), pages)
    toc_pages = 1
    while True:
        body = content[: pages - 1 - toc_pages]
        listed = [e for e in entries if e.page_index < len(body)]
        needed = max(1, math.ceil(len(listed) / _toc_lines_per_page()))
        if needed <= toc_pages:
            break
        toc_pages = needed
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _draw(path, body, listed, toc_pages, padding=pages - 1 - toc_pages - len(body))
    return path


def cached_manual(pages: int, seed: int = 1, folder: Path = RESULTS) -> Path:
    """The generated manual for these parameters, built once and kept under ``folder``."""
    path = folder / f"manual-{pages}p-seed{seed}-v{GENERATOR_VERSION}.pdf"
    if not path.exists():
        partial = path.with_suffix(".part")
        generate_manual(partial, pages, seed)
        partial.replace(path)
    return path


def _layout(rng: random.Random, pages: int) -> tuple[list[Page], list[Entry]]:
    """Flow chapters and policies onto pages until there are at least ``pages``."""
    out: list[Page] = []
    entries: list[Entry] = []
    for chapter, number, title in _outline():
        if len(out) >= pages:
            break
        if chapter:
            entries.append(Entry(f"Chapter {chapter} - {title}", len(out)))
            out.append(Page(title.upper(), [("chapter", f"Chapter {chapter} - {title}")]))
            continue
        entries.append(Entry(f"{number} - {title}", len(out)))
        out.extend(_paginate(number, title, _policy_lines(rng, number, title)))
    return out, entries


def _outline() -> Iterator[tuple[int, int, str]]:
    """(chapter, 0, title) for each chapter, then (0, number, title) for its policies.

    After the base titles run out, the same chapters come round again with
    aspects ("Vehicle Pursuits - Supervision"), so any page count can be met.
    """
    for round_ in range(len(ASPECTS) + 1):
        for chapter, (name, titles) in CHAPTERS.items():
            base = chapter * 100 + round_ * len(titles)
            if base + len(titles) > chapter * 100 + 99:
                continue
            suffix = f" - {ASPECTS[round_ - 1]}" if round_ else ""
            yield chapter + round_ * 10 if round_ else chapter, 0, name + suffix
            for offset, title in enumerate(titles):
                if round_ and title in SPECIAL:
                    continue
                yield 0, base + offset, title + suffix


def _policy_lines(rng: random.Random, number: int, title: str) -> list[tuple[str, str]]:
    """The styled lines of one policy: its heading, then numbered sections."""
    lines: list[tuple[str, str]] = [("policy", f"Policy {number}"), ("policy", title)]
    for index, (heading, text) in enumerate(_sections(rng, title), start=1):
        lines.append(("section", f"{number}.{index} {heading}"))
        for paragraph in text:
            lines.extend(("body", line) for line in textwrap.wrap(paragraph, WRAP))
            lines.append(("gap", ""))
    return lines


def _sections(rng: random.Random, title: str) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) of a policy: hand-written ones for special titles."""
    if title in SPECIAL:
        special = [(h, [rng.choice(options)]) for h, options in SPECIAL[title]]
        return special + [(h, _paragraphs(rng, title, 1)) for h in rng.sample(SECTION_HEADINGS, 2)]
    purpose = f"The purpose of this policy is to provide guidelines for {title.lower()}."
    sections = [("PURPOSE AND SCOPE", [purpose]), ("POLICY", _paragraphs(rng, title, 1))]
    for heading in rng.sample(SECTION_HEADINGS, rng.randint(3, 8)):
        sections.append((heading, _paragraphs(rng, title, rng.randint(1, 4))))
    return sections


def _paragraphs(rng: random.Random, title: str, count: int) -> list[str]:
    """``count`` paragraphs of policy prose about ``title``."""
    return [" ".join(_sentence(rng, title) for _ in range(rng.randint(2, 7))) for _ in range(count)]


def _sentence(rng: random.Random, title: str) -> str:
    """One sentence from the template grammar."""
    subject, modal, cond = rng.choice(SUBJECTS), rng.choice(MODALS), rng.choice(CONDITIONS)
    (verb, gerund), obj = rng.choice(VERBS), rng.choice(OBJECTS)
    topic, who = title.lower(), subject[0].lower() + subject[1:]
    templates = (
        f"{subject} {modal} {verb} {obj} {cond}.",
        f"When {rng.choice(SITUATIONS)}, {who} {modal} {verb} {obj}.",
        f"The {rng.choice(ROLES)} is responsible for {gerund} {obj} related to {topic}.",
        f"Nothing in this policy prevents {who} from {gerund} {obj} {cond}.",
        f"{subject} {modal} {verb} {obj} and {rng.choice(VERBS)[0]} {rng.choice(OBJECTS)}.",
        f"All {topic} activity {rng.choice(MODALS[:3])} be documented {cond}.",
    )
    return rng.choice(templates)


def _paginate(number: int, title: str, lines: list[tuple[str, str]]) -> list[Page]:
    """Break a policy's lines into pages of the usable height."""
    pages = [Page(title.upper(), policy_number=number)]
    room = TOP - BOTTOM
    for style, text in lines:
        height = STYLES[style][2]
        if room < height:
            pages.append(Page(title.upper()))
            room = TOP - BOTTOM
            if style == "gap":
                continue
        pages[-1].lines.append((style, text))
        room -= height
    return pages


def _toc_lines_per_page() -> int:
    """How many contents lines fit on one page."""
    return int((TOP - BOTTOM) // STYLES["toc"][2])


def _draw(path: Path, body: list[Page], entries: list[Entry], toc_pages: int, padding: int) -> None:
    """Render cover, contents, body and any blank padding pages."""
    canvas = Canvas(str(path), pagesize=LETTER, pageCompression=1, invariant=1)
    canvas.setTitle(f"{SHORT} Policy Manual")
    number = 1
    _page(canvas, number, "COVER", [("chapter", AGENCY), ("policy", f"{SHORT} Policy Manual")])
    offset = 1 + toc_pages + 1  # page number of the first body page
    per_page = _toc_lines_per_page()
    for start in range(0, toc_pages * per_page, per_page):
        number += 1
        lines = [("toc", _toc_line(e, e.page_index + offset)) for e in entries[start:][:per_page]]
        _page(canvas, number, "TABLE OF CONTENTS", lines)
    for page in body:
        number += 1
        _page(canvas, number, page.running_title, page.lines)
    for _ in range(padding):
        number += 1
        _page(canvas, number, "INTENTIONALLY LEFT BLANK", [])
    canvas.save()


def _toc_line(entry: Entry, page_number: int) -> str:
    """A dotted contents line, e.g. ``415 - Immigration Violations . . . . 289``."""
    dots = " ." * max(3, (80 - len(entry.text)) // 2)
    return f"{entry.text}{dots} {page_number}"


def _page(canvas: Canvas, number: int, running: str, lines: list[tuple[str, str]]) -> None:
    """Draw one page: header, footer and its lines."""
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(LEFT, HEIGHT - 54, AGENCY)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(LEFT, HEIGHT - 68, f"{SHORT} Policy Manual")
    canvas.setFont("Helvetica", 7.5)
    canvas.drawString(LEFT, 54, PUBLISHER)
    canvas.drawString(LEFT, 45, f"Published with permission by {AGENCY}")
    canvas.setFont("Helvetica", 9)
    canvas.drawRightString(WIDTH - LEFT, 50, f"{running} - {number}")
    y = TOP
    for style, text in lines:
        font, size, height = STYLES[style]
        if text:
            canvas.setFont(font, size)
            canvas.drawString(LEFT, y, text)
        y -= height
    canvas.showPage()


def main() -> None:
    """Command line: write one manual."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="where to write the PDF")
    parser.add_argument("--pages", type=int, default=1000, help="exact page count (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args()
    print(generate_manual(args.output, args.pages, args.seed))


if __name__ == "__main__":
    main()
