"""Write synthetic SSDA903 header.csv and episodes.csv: N children with about 2.5 care episodes each.

    .venv/bin/python bench/generate_903.py --children 100000 --out /tmp/bench903

Deterministic for a given --seed. Every value is invented: child ids, dates and postcodes are random, UPNs
are made up with a correct check letter (the algorithm of stdnum.gb.upn) so the import's UPN check passes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

from stdnum.gb import upn as stdnum_upn

ETHNIC = ["WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
          "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"]  # fmt: skip
LEGAL_STATUS = ["C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"]
CATEGORY_OF_NEED = ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"]
PLACE = ["A3", "A4", "A5", "A6", "K1", "K2", "P1", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2", "T3",
         "T4", "U1", "U2", "U3", "U4", "U5", "U6"]  # fmt: skip
PROVIDER = ["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"]
REASON_CEASED = ["E11", "E12", "E13", "E14", "E2", "E3", "E41", "E45", "E46", "E47", "E48", "E4A", "E4B", "E5",
                 "E6", "E7", "E8", "E9"]  # fmt: skip
REASON_PLACE_CHANGE = ["CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE",
                       "CUSTOD", "OTHER"]  # fmt: skip
LA_CODES = [801, 802, 803, 835, 836, 837, 865, 866, 878, 908]  # real LA numbers, as the UPN check requires
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODE_COLUMNS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                   "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]  # fmt: skip


def make_upn(rng: random.Random) -> str:
    body = f"{rng.choice(LA_CODES):03d}{rng.randrange(10000):04d}{rng.randrange(100):02d}{rng.randrange(1000):03d}"
    return stdnum_upn.calc_check_digit(body) + body


def postcode(rng: random.Random) -> str:
    return f"{rng.choice(LETTERS)}{rng.choice(LETTERS)}{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}"  # noqa: E501


def episode_counts(rng: random.Random, children: int, per_child: float) -> list[int]:
    counts = [rng.choice((1, 2, 3, 4)) for _ in range(children)]
    target = round(children * per_child)
    while (total := sum(counts)) != target:  # nudge random children until the total is exact
        i = rng.randrange(children)
        if total < target and counts[i] < 6:
            counts[i] += 1
        elif total > target and counts[i] > 1:
            counts[i] -= 1
    return counts


def fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def generate(out: Path, children: int, per_child: float = 2.5, seed: int = 903, today: dt.date | None = None) -> None:
    """Write out/header.csv and out/episodes.csv."""
    rng = random.Random(seed)
    today = today or dt.date(2026, 3, 31)
    out.mkdir(parents=True, exist_ok=True)
    counts = episode_counts(rng, children, per_child)
    with (out / "header.csv").open("w", newline="") as h, (out / "episodes.csv").open("w", newline="") as e:
        header, episodes = csv.writer(h), csv.writer(e)
        header.writerow(HEADER_COLUMNS)
        episodes.writerow(EPISODE_COLUMNS)
        for n in range(children):
            child = str(1_000_000 + n)
            dob = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(12 * 365))
            header.writerow([child, rng.choice("12"), fmt(dob), rng.choice(ETHNIC), make_upn(rng), "", ""])
            # Early enough that even six episodes of up to 200 days end before `today`.
            start = dob + dt.timedelta(days=rng.randrange(30, (today - dob).days - 6 * 200))
            legal_status = rng.choice(LEGAL_STATUS)
            home = postcode(rng)
            for k in range(counts[n]):
                last = k == counts[n] - 1
                length = rng.randrange(20, 200)
                end = start + dt.timedelta(days=length)
                closed = not last or rng.random() < 0.3
                rne = "S" if k == 0 else rng.choice("LPTBU")
                if rne in "LTU":
                    legal_status = rng.choice(LEGAL_STATUS)
                episodes.writerow([
                    child, fmt(start), rne, legal_status, rng.choice(CATEGORY_OF_NEED), rng.choice(PLACE),
                    rng.choice(PROVIDER), fmt(end) if closed else "",
                    ("X1" if not last else rng.choice(REASON_CEASED)) if closed else "",
                    rng.choice(REASON_PLACE_CHANGE) if closed and not last else "",
                    home, postcode(rng), f"{rng.randrange(1_000_000, 9_999_999)}",
                ])  # fmt: skip
                start = end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--episodes-per-child", type=float, default=2.5)
    parser.add_argument("--seed", type=int, default=903)
    parser.add_argument("--out", type=Path, required=True, help="folder for header.csv and episodes.csv")
    args = parser.parse_args()
    generate(args.out, args.children, args.episodes_per_child, args.seed)
    print(f"Wrote {args.out / 'header.csv'} and {args.out / 'episodes.csv'}")


if __name__ == "__main__":
    main()
