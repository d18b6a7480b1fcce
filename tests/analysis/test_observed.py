"""Reading an observed-control CSV: a good file, and each broken one as one line naming file and line."""

import pytest

from sim.analysis.scoring import read_observed
from sim.errors import UserError

GOOD = """# a comment, with commas, before the header
town,date,side,source
Mogok,2025-12-28,junta,"handed back, Dec 2025"

# a comment between rows
  Lashio , 2025-12-28 , junta ,
"""


def test_a_good_file_with_comments_quotes_and_spaces(tmp_path, geo):
    path = tmp_path / "obs.csv"
    path.write_text(GOOD)
    obs = read_observed(path, geo)
    assert list(obs["town"]) == ["Mogok", "Lashio"] and list(obs["side"]) == ["junta", "junta"]
    assert obs.loc[0, "source"] == "handed back, Dec 2025" and len(obs["town_id"]) == 2


BAD = {
    "empty": (b"", "empty; needs a header line"),
    "only comments": (b"# nothing here\n\n", "empty; needs a header line"),
    "header only": (b"town,date,side\n", "only a header, no rows"),
    "extra field": (
        b"town,date,side\nMogok,2025-12-28,junta,extra\n",
        "line 2: 4 fields, but the header has 3",
    ),
    "missing field": (b"town,date,side\n\nMogok,2025-12-28\n", "line 3: 2 fields, but the header has 3"),
    "missing column": (b"town,when,side\nMogok,2025-12-28,junta\n", "line 1: missing columns date"),
    "column twice": (b"town,date,side,side\nMogok,2025-12-28,junta,junta\n", "column 'side' appears twice"),
    "binary": (b"\xff\xfe\x00\x01", "not a text file"),
    "nul byte": (b"town,date,side\nMo\x00gok,2025-12-28,junta\n", "line 2"),
    "bad date": (b"town,date,side\nMogok,28/12/2025,junta\n", "line 2: date: not a date"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_broken_file_is_one_line_naming_the_file(tmp_path, geo, case):
    data, message = BAD[case]
    path = tmp_path / "obs.csv"
    path.write_bytes(data)
    with pytest.raises(UserError, match=message) as err:
        read_observed(path, geo)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)


def test_a_folder_or_a_missing_file(tmp_path, geo):
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(UserError, match="is a folder, not a CSV file"):
        read_observed(tmp_path / "dir.csv", geo)
    with pytest.raises(UserError, match="file not found"):
        read_observed(tmp_path / "none.csv", geo)
