"""Reading an observed-control CSV and the record of changes of hands: a good file, and each
broken one as one line naming file and line."""

import datetime as dt

import pandas as pd
import pytest

from sim.analysis.observed import RECORD_START, observed_map, read_changes
from sim.cli import main
from sim.errors import UserError
from sim.world.geography import DATA

GOOD = """# a comment, with commas, before the header
date,date_precision,pcode,township,from,to,how,source
2024-01-05,day,MMR015022,Laukkaing,JUNTA,MNDAA,assault,"MNDAA took Laukkaing, Irrawaddy"

# a comment between rows
  2024-08-03 , day , MMR015001 , Lashio , JUNTA , MNDAA , assault , Irrawaddy
"""


def test_a_good_record_with_comments_quotes_and_spaces(tmp_path, geo):
    path = tmp_path / "changes.csv"
    path.write_text(GOOD)
    changes = read_changes(geo, path)
    assert list(changes["pcode"]) == ["MMR015022", "MMR015001"] and list(changes["to"]) == ["MNDAA"] * 2
    assert changes.loc[0, "source"] == "MNDAA took Laukkaing, Irrawaddy"
    assert changes.loc[1, "date"] == dt.date(2024, 8, 3)


ROW = b"2024-01-05,day,MMR015022,Laukkaing,JUNTA,MNDAA,assault,s"
HEADER = b"date,date_precision,pcode,township,from,to,how,source"
BAD = {
    "empty": (b"", "empty; needs a header line"),
    "only comments": (b"# nothing here\n\n", "empty; needs a header line"),
    "header only": (HEADER + b"\n", "only a header, no rows"),
    "extra field": (HEADER + b"\n" + ROW + b",extra\n", "line 2: 9 fields, but the header has 8"),
    "missing field": (
        HEADER + b"\n\n" + ROW.rpartition(b",")[0] + b"\n",
        "line 3: 7 fields, but the header has 8",
    ),
    "missing column": (
        HEADER.replace(b"date,", b"when,", 1) + b"\n" + ROW + b"\n",
        "line 1: missing columns date",
    ),
    "column twice": (HEADER + b",how\n" + ROW + b",x\n", "column 'how' appears twice"),
    "binary": (b"\xff\xfe\x00\x01", "not a text file"),
    "bad date": (
        HEADER + b"\n" + ROW.replace(b"2024-01-05", b"05/01/2024") + b"\n",
        "line 2: date: not a date",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_broken_file_is_one_line_naming_the_file(tmp_path, geo, case):
    data, message = BAD[case]
    path = tmp_path / "changes.csv"
    path.write_bytes(data)
    with pytest.raises(UserError, match=message) as err:
        read_changes(geo, path)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)


def test_a_folder_or_a_missing_file(tmp_path, geo):
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(UserError, match="is a folder, not a CSV file"):
        read_changes(geo, tmp_path / "dir.csv")
    with pytest.raises(UserError, match="file not found"):
        read_changes(geo, tmp_path / "none.csv")


# The record of what happened: the 2023 start and the changes of hands after it


def test_the_record_rebuilds_the_2025_start_from_the_2023_one(geo):
    changes = read_changes(geo)
    june = observed_map(geo, dt.date(2025, 6, 1), changes)
    assert len(june) == 330 and list(june["pcode"]) == list(geo.ids)
    assert (june["holder"].to_numpy() == geo.control["2025"]).all()
    start = observed_map(geo, RECORD_START, changes)
    assert (start["holder"].to_numpy() == geo.control["2023"]).all()


def test_the_record_knows_the_turns_of_the_war(geo):
    changes = read_changes(geo)
    at = {d: observed_map(geo, dt.date.fromisoformat(d), changes).set_index("name") for d in
          ("2023-12-31", "2024-08-31", "2025-06-01", "2025-12-28")}  # fmt: skip
    assert at["2023-12-31"].loc["Laukkaing", "holder"] == "JUNTA"  # fell on 5 Jan 2024
    assert at["2024-08-31"].loc["Lashio", "holder"] == "MNDAA"  # fell on 3 Aug 2024
    assert at["2025-06-01"].loc["Lashio", "holder"] == "JUNTA"  # handed back on 22 Apr 2025
    assert at["2025-06-01"].loc["Kyaukme", "holder"] == "TNLA"
    assert at["2025-12-28"].loc["Kyaukme", "holder"] == "JUNTA"  # retaken by assault in 2025
    assert at["2025-12-28"].loc["Lashio", "how"] == "handover"
    # the junta held the seats of all but a few townships at the start, and lost ground after
    assert (at["2025-06-01"]["side"] == "junta").sum() < (geo.control["2023"] == "JUNTA").sum()


def test_every_start_value_and_change_has_a_source(geo):
    start = pd.read_csv(DATA / "start.csv", dtype=str).fillna("")
    for label in ("2023", "2025"):
        sources = start[f"source_{label}"].str.strip()
        assert (sources.str.len() > 20).all()
        assert not sources.str.fullmatch(r"(?i)estimate\.?").any()
    changes = read_changes(geo)
    assert (changes["source"].str.len() > 20).all()
    assert set(changes["how"]) <= {"assault", "handover", "ceasefire", "withdrawal", "defection"}


CHANGE_HEADER = "date,date_precision,pcode,township,from,to,how,source\n"
BAD_CHANGES = {
    "unknown township": ("2024-01-05,day,MMR999999,X,JUNTA,MNDAA,assault,s\n", "pcode: unknown township"),
    "not the holder": (
        "2024-01-05,day,MMR015022,Laukkaing,TNLA,MNDAA,assault,s\n",
        "from: TNLA did not hold",
    ),
    "before the start": (
        "2023-01-05,day,MMR015022,Laukkaing,JUNTA,MNDAA,assault,s\n",
        "before the record's start",
    ),
    "bad how": ("2024-01-05,day,MMR015022,Laukkaing,JUNTA,MNDAA,conquest,s\n", "how: 'conquest'; allowed"),
    "duplicate row": (
        "2024-01-05,day,MMR015022,Laukkaing,JUNTA,MNDAA,assault,s\n" * 2,
        "line 3: the same change as line 2",
    ),
    "unknown faction": ("2024-01-05,day,MMR015022,Laukkaing,JUNTA,KOKANG,assault,s\n", "to: unknown faction"),
    "out of order": (
        "2024-01-05,day,MMR015022,Laukkaing,JUNTA,MNDAA,assault,s\n2024-01-01,day,MMR015001,Lashio,JUNTA,"
        "MNDAA,assault,s\n",
        "line 3: date: 2024-01-01 comes after a change dated 2024-01-05",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CHANGES))
def test_a_broken_record_is_one_line_naming_file_line_and_key(tmp_path, geo, case):
    rows, message = BAD_CHANGES[case]
    path = tmp_path / "changes.csv"
    path.write_text(CHANGE_HEADER + rows)
    with pytest.raises(UserError, match=message) as err:
        read_changes(geo, path)
    assert str(err.value).startswith(f"{path}: line ") and "\n" not in str(err.value)


def test_sim_observed_prints_and_writes_the_map_of_a_date(tmp_path, capsys):
    out = tmp_path / "map.csv"
    assert main(["observed", "--at", "2025-06-01", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "330 townships" in printed and "| all " in printed
    table = pd.read_csv(out)
    assert len(table) == 330 and set(table["side"]) == {"junta", "resistance", "neutral"}
    assert main(["observed", "--at", "2030-01-01"]) == 2
    err = capsys.readouterr().err
    assert "--at 2030-01-01: " in err and "covers 2023-10-27 to 2025-12-28" in err
