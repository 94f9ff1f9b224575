"""Reading what a sentence does with an action: forbids, permits, requires or merely states it."""

from __future__ import annotations

import re

import pytest

from freedomcities.stance import alternatives, exception_of, read_action


def _read(sentence: str, action: str, lead_in: str | None = None) -> tuple[str, str | None]:
    """The modality and exception of the first match of ``action`` in ``sentence``."""
    match = re.search(action, sentence)
    assert match is not None, f"the action {action!r} is not in the sentence"
    reading = read_action(sentence, match.start(), lead_in)
    return reading.modality, _clause(reading.exception)


def _clause(exception: str | None) -> str | None:
    """An exception without the sentence's own full stop."""
    return exception.rstrip(".") if exception else exception


# (sentence, action regex, expected modality, expected exception or None)
READINGS = [
    # Negation in its many forms forbids the action.
    (
        "Members shall not inquire about a person's immigration status.",
        r"inquire",
        "forbidden",
        None,
    ),
    (
        "Deputies will not stop a motorist for the purpose of checking immigration status.",
        r"stop",
        "forbidden",
        None,
    ),
    (
        "Officers may not detain a person solely on the basis of an ICE detainer.",
        r"detain",
        "forbidden",
        None,
    ),
    (
        "No officer shall question a crime victim about his or her citizenship.",
        r"question",
        "forbidden",
        None,
    ),
    (
        "No law-enforcement officer, as defined in § 9.1-101, shall, in connection with a lawful "
        "stop or arrest, inquire into the immigration status of a crime victim.",
        r"inquire",
        "forbidden",
        None,
    ),
    (
        "Employees are prohibited from sharing an inmate's release date with federal agents.",
        r"sharing",
        "forbidden",
        None,
    ),
    (
        "Officers will never detain a person on the basis of a civil immigration detainer.",
        r"detain",
        "forbidden",
        None,
    ),
    (
        "Personnel should refrain from asking witnesses about their place of birth.",
        r"asking",
        "forbidden",
        None,
    ),
    (
        "Members cannot detain a person on an administrative warrant of removal.",
        r"detain",
        "forbidden",
        None,
    ),
    (
        "Employees are not authorized to transport detainees to an ICE processing center.",
        r"transport",
        "forbidden",
        None,
    ),
    (
        "Officers do not enforce the civil provisions of federal immigration law.",
        r"enforce",
        "forbidden",
        None,
    ),
    # Permission.
    (
        "Officers may contact ICE to confirm the identity of an arrestee.",
        r"contact",
        "permitted",
        None,
    ),
    (
        "The jail commander is authorized to honor immigration detainers.",
        r"honor",
        "permitted",
        None,
    ),
    (
        "At the discretion of the watch commander, the booking deputy notifies CBP of the arrest.",
        r"notifies",
        "permitted",
        None,
    ),
    (
        "Officers are encouraged to contact the Border Patrol when a smuggling load is found.",
        r"contact",
        "permitted",
        None,
    ),
    # Requirement.
    (
        "Deputies shall notify ICE of any foreign national booked into the jail.",
        r"notify",
        "required",
        None,
    ),
    (
        "Officers must verify the immigration status of every person arrested.",
        r"verify",
        "required",
        None,
    ),
    ("The Sheriff's Office will honor all immigration detainers.", r"honor", "required", None),
    (
        "The Law Enforcement Agency agrees to hold aliens for ICE for up to 48 hours.",
        r"hold",
        "required",
        None,
    ),
    # Double negatives undo the negation.
    (
        "Nothing in this policy prohibits officers from sharing information with ICE.",
        r"sharing",
        "permitted",
        None,
    ),
    (
        "Nothing in this section shall be construed to prevent officers from sending "
        "information to federal immigration authorities.",
        r"sending",
        "permitted",
        None,
    ),
    (
        "An officer is not prohibited from communicating with federal immigration officials.",
        r"communicating",
        "permitted",
        None,
    ),
    (
        "This prohibition does not preclude the Department from responding to a judicial warrant.",
        r"responding",
        "permitted",
        None,
    ),
    # Non-committal wording neither forbids nor requires.
    ("Officers need not ask about a person's immigration status.", r"ask", "stated", None),
    ("Officers are not required to contact ICE after an arrest.", r"contact", "stated", None),
    # A "shall not" in an earlier clause does not govern the next one.
    (
        "Officers shall not ask victims about immigration status; supervisors shall report "
        "all contacts with ICE to the Chief.",
        r"report",
        "required",
        None,
    ),
    (
        "Deputies will not stop anyone for a civil violation; deputies will notify ICE of any "
        "foreign national booked into the jail.",
        r"notify",
        "required",
        None,
    ),
    (
        "Members shall not detain anyone for ICE. The jail may release inmates at any hour.",
        r"release",
        "permitted",
        None,
    ),
    pytest.param(
        "Officers shall not arrest for civil immigration violations, and shall notify ICE of "
        "the release date of every inmate.",
        r"notify",
        "required",
        None,
    ),
    pytest.param(
        "Officers shall not arrest for civil immigration violations but may notify ICE of the "
        "release date of any inmate.",
        r"notify",
        "permitted",
        None,
    ),
    # Exceptions.
    (
        "Officers shall not honor ICE detainers unless presented with a judicial warrant.",
        r"honor",
        "forbidden",
        "unless presented with a judicial warrant",
    ),
    (
        "Unless acting pursuant to a court order, no official shall permit ICE agents access "
        "to the jail.",
        r"permit",
        "forbidden",
        "Unless acting pursuant to a court order",
    ),
    (
        "Employees shall not release an inmate's home address to ICE, except where required "
        "by law.",
        r"release",
        "forbidden",
        "except where required by law",
    ),
    (
        "Deputies shall not hold an inmate for ICE unless the inmate has been convicted of a "
        "violent felony; all other requests shall be declined.",
        r"hold",
        "forbidden",
        "unless the inmate has been convicted of a violent felony",
    ),
    (
        "Officers shall not contact ICE only for the purpose of checking a person's status.",
        r"contact",
        "forbidden",
        "only for the purpose of checking a person's status",
    ),
]


@pytest.mark.parametrize(("sentence", "action", "modality", "exception"), READINGS)
def test_read_action(sentence: str, action: str, modality: str, exception: str | None) -> None:
    assert _read(sentence, action) == (modality, exception)


# (list item, its lead-in, expected modality)
LEAD_INS = [
    ("(2) Requesting information about a person's immigration status.", "The following are "
     "prohibited:", "forbidden"),
    ("b. Detaining a person on an immigration detainer.", "The following conduct is "
     "prohibited:", "forbidden"),
    ("(a) inquire into the immigration status of a victim or witness.", "Officers shall not:",
     "forbidden"),
    ("(a) inquire into the immigration status of a victim or witness.", "No member of the "
     "Department shall:", "forbidden"),
    ("1. notify ICE of the release date of any foreign-born inmate.", "The booking deputy "
     "shall:", "required"),
    ("1. notify ICE of the release date of any foreign-born inmate.", "The booking deputy may:",
     "permitted"),
    # An item with a verb of its own keeps it.
    ("(c) Officers may contact ICE to confirm an identity.", "The following are prohibited:",
     "permitted"),
    # A lead-in that forbids forbidding allows its items: how cooperation mandates are written.
    ("(1) inquiring into the immigration status of a person under arrest;", "A local entity may "
     "not prohibit or materially limit a person who is a peace officer employed by the entity "
     "from doing any of the following:", "permitted"),
    ("(a) inquire into the immigration status of a victim or witness.", "No local agency shall "
     "adopt or enforce a policy that prohibits or restricts any of the following:", "permitted"),
    ("(a) inquire into the immigration status of a victim or witness.", "Nothing in this policy "
     "prohibits a deputy from taking these steps:", "permitted"),
    # Forbidding a restriction on the public still forbids each way of restricting.
    ("(2) Requesting information about a person's immigration status.", "Members shall not "
     "restrict a person from filing a complaint in any of these ways:", "forbidden"),
    ("(a) inquire into the immigration status of a victim or witness.", "Officers shall not, "
     "including but not limited to:", "forbidden"),
]  # fmt: skip


@pytest.mark.parametrize(("item", "lead_in", "modality"), LEAD_INS)
def test_list_item_takes_its_lead_ins_modality(item: str, lead_in: str, modality: str) -> None:
    action = re.search(r"Requesting|Detaining|inquir\w*|notify|contact", item)
    assert action is not None
    assert read_action(item, action.start(), lead_in).modality == modality


def test_an_item_without_a_lead_in_is_only_stated() -> None:
    item = "(2) Requesting information about a person's immigration status."
    assert read_action(item, item.find("Requesting")).modality == "stated"


# (sentence, expected exception)
EXCEPTIONS = [
    (
        "Officers shall not ask about immigration status unless the person is under arrest for a "
        "felony.",
        "unless the person is under arrest for a felony",
    ),
    (
        "Unless acting pursuant to a court order or a legitimate law enforcement purpose that is "
        "unrelated to the enforcement of a civil immigration law, no official shall permit ICE "
        "agents access to any person in custody.",
        "Unless acting pursuant to a court order or a legitimate law enforcement purpose that is "
        "unrelated to the enforcement of a civil immigration law",
    ),
    (
        "No employee shall share custody status with CBP, except where required by law; this "
        "applies to all divisions.",
        "except where required by law",
    ),
    (
        "Absent a judicial warrant, deputies shall release the inmate at the end of the sentence.",
        "Absent a judicial warrant",
    ),
    ("Members will treat every person with courtesy and respect.", None),
]


@pytest.mark.parametrize(("sentence", "exception"), EXCEPTIONS)
def test_exception_of(sentence: str, exception: str | None) -> None:
    assert _clause(exception_of(sentence)) == exception


def test_an_exception_ending_the_sentence_leaves_out_the_full_stop() -> None:
    sentence = "Officers shall not honor ICE detainers unless presented with a judicial warrant."
    assert exception_of(sentence) == "unless presented with a judicial warrant"


# (exception clause, expected number of alternatives)
ALTERNATIVES = [
    ("unless acting pursuant to a court order or a legitimate law enforcement purpose", 2),
    ("except as required by any federal, state or city law or regulation", 1),
    ("unless presented with a judicial warrant", 1),
    ("unless the person is charged with a felony, or the Chief approves the hold", 2),
    ("unless ordered by a court or when a warrant has been signed by a judge", 2),
    ("except in the case of a felony or misdemeanor warrant", 1),
    ("", 0),
]


@pytest.mark.parametrize(("exception", "count"), ALTERNATIVES)
def test_alternatives(exception: str, count: int) -> None:
    parts = alternatives(exception)
    assert len(parts) == count
    assert all(part in exception for part in parts)
