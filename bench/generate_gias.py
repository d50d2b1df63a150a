"""Write a synthetic GIAS 'all establishment data' extract: real column names, fictional schools, fake postcodes.

    python bench/generate_gias.py OUT.csv [--rows 50000] [--seed 2] [--home-la 999]

The file is Windows-1252 like the real download (names include 'St Mary’s' with a curly apostrophe and
'Ysgol Gymraeg Aberdâr'-style accents), one header row of the extract's ~130 columns, every value quoted
where needed. Postcodes use the ZZ area, which the Royal Mail never issues.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

# The extract's header, in its published order (edubasealldataYYYYMMDD.csv).
COLUMNS = [
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
    "TypeOfEstablishment (code)", "TypeOfEstablishment (name)", "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)", "EstablishmentStatus (code)", "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)", "ReasonEstablishmentOpened (name)", "OpenDate",
    "ReasonEstablishmentClosed (code)", "ReasonEstablishmentClosed (name)", "CloseDate",
    "PhaseOfEducation (code)", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge",
    "Boarders (code)", "Boarders (name)", "NurseryProvision (name)", "OfficialSixthForm (code)",
    "OfficialSixthForm (name)", "Gender (code)", "Gender (name)", "ReligiousCharacter (code)",
    "ReligiousCharacter (name)", "ReligiousEthos (name)", "Diocese (code)", "Diocese (name)",
    "AdmissionsPolicy (code)", "AdmissionsPolicy (name)", "SchoolCapacity", "SpecialClasses (code)",
    "SpecialClasses (name)", "CensusDate", "NumberOfPupils", "NumberOfBoys", "NumberOfGirls", "PercentageFSM",
    "TrustSchoolFlag (code)", "TrustSchoolFlag (name)", "Trusts (code)", "Trusts (name)",
    "SchoolSponsorFlag (name)", "SchoolSponsors (name)", "FederationFlag (name)", "Federations (code)",
    "Federations (name)", "UKPRN", "FEHEIdentifier", "FurtherEducationType (name)", "OfstedLastInsp",
    "OfstedSpecialMeasures (code)", "OfstedSpecialMeasures (name)", "LastChangedDate", "Street", "Locality",
    "Address3", "Town", "County (name)", "Postcode", "SchoolWebsite", "TelephoneNum", "HeadTitle (name)",
    "HeadFirstName", "HeadLastName", "HeadPreferredJobTitle", "BSOInspectorateName (name)",
    "InspectorateReport", "DateOfLastInspectionVisit", "NextInspectionVisit", "TeenMoth (name)",
    "TeenMothPlaces", "CCF (name)", "SENPRU (name)", "EBD (name)", "PlacesPRU", "FTProv (name)",
    "EdByOther (name)", "Section41Approved (name)", "SEN1 (name)", "SEN2 (name)", "SEN3 (name)", "SEN4 (name)",
    "SEN5 (name)", "SEN6 (name)", "SEN7 (name)", "SEN8 (name)", "SEN9 (name)", "SEN10 (name)", "SEN11 (name)",
    "SEN12 (name)", "SEN13 (name)", "TypeOfResourcedProvision (name)", "ResourcedProvisionOnRoll",
    "ResourcedProvisionCapacity", "SenUnitOnRoll", "SenUnitCapacity", "GOR (code)", "GOR (name)",
    "DistrictAdministrative (code)", "DistrictAdministrative (name)", "AdministrativeWard (code)",
    "AdministrativeWard (name)", "ParliamentaryConstituency (code)", "ParliamentaryConstituency (name)",
    "UrbanRural (code)", "UrbanRural (name)", "GSSLACode (name)", "Easting", "Northing", "MSOA (name)",
    "LSOA (name)", "InspectorateName (name)", "SENStat", "SENNoStat", "BoardingEstablishment (name)",
    "PropsName", "PreviousLA (code)", "PreviousLA (name)", "PreviousEstablishmentNumber", "OfstedRating (name)",
    "RSCRegion (name)", "Country (name)", "UPRN", "SiteName", "QABName (code)", "QABName (name)",
    "EstablishmentAccredited (code)", "EstablishmentAccredited (name)", "QABReport", "CHNumber", "MSOA (code)",
    "LSOA (code)", "FSM", "AccreditationExpiryDate",
]  # fmt: skip

TYPES = [
    ("01", "Community school", "Local authority maintained schools"),
    ("02", "Voluntary aided school", "Local authority maintained schools"),
    ("03", "Voluntary controlled school", "Local authority maintained schools"),
    ("28", "Academy sponsor led", "Academies"),
    ("34", "Academy converter", "Academies"),
    ("07", "Community special school", "Local authority maintained schools"),
    ("10", "Other independent special school", "Independent schools"),
    ("11", "Other independent school", "Independent schools"),
    ("15", "Pupil referral unit", "Local authority maintained schools"),
    ("35", "Free schools", "Free Schools"),
]
PHASES = [
    ("2", "Primary", 4, 11),
    ("4", "Secondary", 11, 16),
    ("4", "Secondary", 11, 18),
    ("7", "All-through", 4, 18),
    ("0", "Not applicable", 5, 19),
    ("1", "Nursery", 2, 5),
    ("6", "16 plus", 16, 19),
]
OFSTED = ["Outstanding", "Good", "Good", "Good", "Requires improvement", "Inadequate", "Serious Weaknesses",
          "Special Measures", "", ""]  # fmt: skip
STATUSES = [("1", "Open"), ("1", "Open"), ("1", "Open"), ("2", "Closed"), ("4", "Open, but proposed to close")]
PLACES = ["Ashbourne", "Brackenfield", "Cinderford", "Dunmere", "Eastwick", "Fernleigh", "Glenmoor", "Hartsdale",
          "Ivybridge Vale", "Juniper Hill", "Kingsmere", "Larkstone", "Marshfield", "Northcombe", "Oakhurst",
          "Pennywell", "Quarrydale", "Rookwood", "Saltmarsh", "Thornbury Green", "Underhill", "Valewood",
          "Westerleigh", "Yarrowby", "Aberdâr Fach", "Llanfair Wen", "Côte Lane", "Brontë Fields"]  # fmt: skip
KINDS = ["Primary School", "Church of England Primary School", "Academy", "High School", "Community College",
         "Infant School", "Junior School", "St Mary’s Catholic Primary School", "School", "Free School",
         "Special School", "Learning Centre", "St Peter’s CofE Academy", "Nursery School"]  # fmt: skip
RELIGIOUS_CHARACTER = ["Does not apply", "Does not apply", "Church of England", "Roman Catholic"]
LAS = [(f"{n:03d}", f"Exemplar Authority {n}") for n in range(201, 941, 5)]


def postcode(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"ZZ{rng.randint(1, 99)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def gias_date(rng: random.Random, start: dt.date, spread_days: int) -> str:
    day = start + dt.timedelta(days=rng.randint(0, spread_days))
    return day.strftime("%d-%m-%Y") if rng.random() < 0.8 else day.strftime("%d/%m/%Y")


def generate(out: Path, *, rows: int = 50_000, seed: int = 2, home_la: str = "999") -> None:
    rng = random.Random(seed)
    las = [*LAS, (home_la, "Home Authority")]
    index = {name: i for i, name in enumerate(COLUMNS)}
    with out.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(rows):
            la_code, la_name = las[n % len(las)] if rng.random() > 0.02 else (home_la, "Home Authority")
            type_code, type_name, group = rng.choice(TYPES)
            phase_code, phase, low, high = rng.choice(PHASES)
            status_code, status = rng.choice(STATUSES)
            place = rng.choice(PLACES)
            row = [""] * len(COLUMNS)
            row[index["URN"]] = str(100000 + n)
            row[index["LA (code)"]] = la_code
            row[index["LA (name)"]] = la_name
            row[index["EstablishmentNumber"]] = f"{(n * 7) % 9000 + 1000:04d}"
            row[index["EstablishmentName"]] = f"{place} {rng.choice(KINDS)}"
            row[index["TypeOfEstablishment (code)"]] = type_code
            row[index["TypeOfEstablishment (name)"]] = type_name
            row[index["EstablishmentTypeGroup (name)"]] = group
            row[index["EstablishmentStatus (code)"]] = status_code
            row[index["EstablishmentStatus (name)"]] = status
            row[index["OpenDate"]] = gias_date(rng, dt.date(1950, 1, 1), 25_000) if rng.random() < 0.4 else ""
            row[index["PhaseOfEducation (code)"]] = phase_code
            row[index["PhaseOfEducation (name)"]] = phase
            row[index["StatutoryLowAge"]] = str(low)
            row[index["StatutoryHighAge"]] = str(high)
            row[index["Gender (name)"]] = "Mixed"
            row[index["ReligiousCharacter (name)"]] = rng.choice(RELIGIOUS_CHARACTER)
            row[index["SchoolCapacity"]] = str(rng.randint(20, 2000))
            row[index["NumberOfPupils"]] = str(rng.randint(10, 1900))
            row[index["PercentageFSM"]] = f"{rng.uniform(0, 60):.1f}"
            row[index["OfstedLastInsp"]] = gias_date(rng, dt.date(2012, 1, 1), 4_500) if rng.random() < 0.85 else ""
            row[index["LastChangedDate"]] = gias_date(rng, dt.date(2024, 1, 1), 600)
            row[index["Street"]] = f"{rng.randint(1, 200)} {rng.choice(['School Lane', 'Church Road', 'Mill Street'])}"
            row[index["Town"]] = place
            row[index["Postcode"]] = postcode(rng)
            row[index["SchoolWebsite"]] = f"https://www.{place.lower().replace(' ', '')}.example.sch.uk"
            row[index["TelephoneNum"]] = f"01632 {rng.randint(100000, 999999)}"  # Ofcom's drama range
            row[index["HeadTitle (name)"]] = rng.choice(["Mr", "Mrs", "Ms", "Dr"])
            row[index["HeadFirstName"]] = rng.choice(["Alex", "Sam", "Jo", "Chris", "Pat"])
            row[index["HeadLastName"]] = rng.choice(["Example", "Sample", "Fictional", "Testperson"])
            row[index["GOR (name)"]] = rng.choice(["South West", "North East", "London", "West Midlands"])
            row[index["Easting"]] = str(rng.randint(100000, 600000))
            row[index["Northing"]] = str(rng.randint(10000, 600000))
            row[index["OfstedRating (name)"]] = rng.choice(OFSTED)
            row[index["Country (name)"]] = "United Kingdom"
            row[index["UPRN"]] = str(rng.randint(10_000_000, 99_999_999))
            writer.writerow(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--home-la", default="999")
    args = parser.parse_args()
    generate(args.out, rows=args.rows, seed=args.seed, home_la=args.home_la)
    print(f"wrote {args.rows} rows x {len(COLUMNS)} columns to {args.out}")


if __name__ == "__main__":
    main()
