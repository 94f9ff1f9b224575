"""A state's agencies as CSV, GeoJSON and JSON, for staff's spreadsheets and maps.

Each row is one agency with its latest published scorecard. The CSV has a
0/1 column and a policy-language column per rule, so a spreadsheet can count
and quote without reading JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from freedomcities.web.scorecards.dashboard import AgencyRow, rules
from freedomcities.web.scorecards.models import Status

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
"""Excel on Windows reads a CSV as UTF-8 only when it starts with this byte-order mark;
without it "José" comes out garbled. pandas, LibreOffice and Python's utf-8-sig skip it."""


def for_spreadsheets(text: str) -> str:
    """CSV text as every spreadsheet reads it: with the UTF-8 byte-order mark in front."""
    return BOM + text


def row_dict(row: AgencyRow) -> dict[str, Any]:
    """One agency's published scorecard as plain values."""
    jurisdiction = row.jurisdiction
    return {
        "ocd_id": jurisdiction.ocd_id,
        "jurisdiction": jurisdiction.name,
        "state": jurisdiction.state,
        "fips": jurisdiction.fips or None,
        "agency": row.agency.name,
        "agency_kind": row.agency.kind,
        "sample": row.agency.is_sample,
        "policy_date": row.policy_date.isoformat() if row.policy_date else None,
        "rules_in_place": row.met if row.version else None,
        "campaign_stage": jurisdiction.stage or None,
        "rules": {
            rule.id: {
                "status": row.statuses.get(rule.id),
                "in_practice_only": rule.id in row.in_practice,
                "language": _language(row, rule.id),
            }
            for rule in rules()
        },
    }


def _language(row: AgencyRow, rule_id: str) -> str:
    """The first quote that shows the rule's status, from the stored evidence."""
    if row.version is None:
        return ""
    for result in row.version.rule_results.all():
        if result.rule_id == rule_id and result.evidence:
            return str(result.evidence[0].get("quote", ""))
    return ""


def to_csv(rows: Sequence[AgencyRow]) -> str:
    """One line per agency, a 0/1 and a policy-language column per rule."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = [
        "ocd_id",
        "jurisdiction",
        "state",
        "fips",
        "agency",
        "agency_kind",
        "sample",
        "policy_date",
        "rules_in_place",
        "campaign_stage",
    ]
    for rule in rules():
        header += [f"rule_{rule.id}", f"rule_{rule.id}_status", f"rule_{rule.id}_language"]
    writer.writerow(header)
    for row in rows:
        data = row_dict(row)
        line: list[object] = [data[name] for name in header[:10]]
        for rule in rules():
            cell = data["rules"][rule.id]
            # An agency with no published scorecard has no 0 or 1: empty, not "0 rules".
            met = "" if row.version is None else int(cell["status"] == Status.MEETS)
            line += [met, cell["status"] or "", cell["language"]]
        writer.writerow([neutralise(value) for value in line])
    return for_spreadsheets(out.getvalue())


def neutralise(value: object) -> object:
    """Stop a spreadsheet from running a cell that starts like a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def to_geojson(rows: Sequence[AgencyRow]) -> str:
    """A FeatureCollection of agencies at their jurisdiction's point, OCD id in properties."""
    features = [
        {
            "type": "Feature",
            "geometry": _point(row),
            "properties": row_dict(row),
        }
        for row in rows
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def _point(row: AgencyRow) -> dict[str, Any] | None:
    """The jurisdiction's coordinates as a GeoJSON point, or null when unknown."""
    j = row.jurisdiction
    if j.latitude is None or j.longitude is None:
        return None
    return {"type": "Point", "coordinates": [round(j.longitude, 5), round(j.latitude, 5)]}


def to_json(rows: Sequence[AgencyRow]) -> str:
    """The rows as a JSON array."""
    return json.dumps([row_dict(row) for row in rows], ensure_ascii=False, indent=1)
