import pandas as pd
import pytest

from musicgenre.errors import MusicgenreError
from musicgenre.faults import clean, read_fault_list

MANIFEST = pd.DataFrame({
    "file": ["blues.00000.wav", "blues.00001.wav", "blues.00002.wav", "jazz.00000.wav",
             "jazz.00001.wav", "jazz.00002.wav", "rock.00000.wav"],
    "genre": ["blues", "blues", "blues", "jazz", "jazz", "jazz", "rock"],
    "readable": [True, True, True, True, False, True, True],
})
FAULTS = pd.DataFrame([
    ("blues.00000.wav", "exact_duplicate", "d1", "", ""),
    ("blues.00002.wav", "exact_duplicate", "d1", "", ""),
    ("jazz.00000.wav", "recording_duplicate", "d2", "", ""),
    ("rock.00000.wav", "recording_duplicate", "d2", "", ""),
    ("jazz.00002.wav", "mislabel", "", "blues", ""),
    ("blues.00001.wav", "mislabel", "", "", ""),
    ("rock.00000.wav", "distortion", "", "", ""),
    ("pop.00099.wav", "exact_duplicate", "d3", "", ""),
], columns=["file", "fault", "group", "correct_genre", "note"])
ARTISTS = {"blues.00000.wav": "A", "blues.00002.wav": "A"}


def statuses(table):
    return dict(zip(table["file"], table["status"]))


def test_relabel_policy_keeps_one_per_duplicate_group():
    table, counts = clean(MANIFEST, FAULTS, ARTISTS, "relabel", "keep")
    status = statuses(table)
    assert status["blues.00000.wav"] == "kept" and status["blues.00002.wav"] == "dropped_duplicate"
    assert status["jazz.00000.wav"] == "kept" and status["rock.00000.wav"] == "dropped_duplicate"
    assert status["jazz.00001.wav"] == "unreadable"
    relabelled = table.set_index("file").loc["jazz.00002.wav"]
    assert (relabelled["status"], relabelled["genre"], relabelled["original_genre"]) == ("relabelled", "blues", "jazz")
    assert status["blues.00001.wav"] == "dropped_mislabel"  # no correct genre listed: cannot relabel
    assert counts["dropped_duplicate"] == 2 and counts["duplicate_groups"] == 2
    assert counts["relabelled"] == 1 and counts["dropped_mislabel"] == 1 and counts["unreadable"] == 1
    assert counts["listed_but_absent"] == 1 and counts["usable"] == 3
    assert table.set_index("file")["artist"].to_dict()["blues.00001.wav"] == "unknown:blues.00001.wav"


def test_drop_and_keep_policies():
    _, counts = clean(MANIFEST, FAULTS, ARTISTS, "drop", "keep")
    assert counts["dropped_mislabel"] == 2 and counts["relabelled"] == 0
    table, counts = clean(MANIFEST, FAULTS, ARTISTS, "keep", "keep")
    assert counts["kept_mislabel"] == 2 and statuses(table)["jazz.00002.wav"] == "kept"
    assert table.set_index("file").loc["jazz.00002.wav", "genre"] == "jazz"


def test_distortion_drop_policy():
    solo = FAULTS[FAULTS["fault"] == "distortion"]
    table, counts = clean(MANIFEST, solo, {}, "relabel", "drop")
    assert statuses(table)["rock.00000.wav"] == "dropped_distortion" and counts["dropped_distortion"] == 1


def test_unreadable_member_does_not_keep_its_group():
    faults = pd.DataFrame([("jazz.00001.wav", "exact_duplicate", "g", "", ""),
                           ("jazz.00002.wav", "exact_duplicate", "g", "", "")], columns=FAULTS.columns)
    table, _ = clean(MANIFEST, faults, {}, "relabel", "keep")
    assert statuses(table)["jazz.00002.wav"] == "kept"


def test_bad_policy_and_bad_list(tmp_path):
    with pytest.raises(MusicgenreError, match="clean.mislabel_policy"):
        clean(MANIFEST, FAULTS, {}, "fix", "keep")
    path = tmp_path / "faults.csv"
    path.write_text("# source\nfile,fault,group,correct_genre,note\nx.wav,typo,,,\n")
    with pytest.raises(MusicgenreError, match="unknown fault kind"):
        read_fault_list(path)
    path.write_text("file,fault\n")
    with pytest.raises(MusicgenreError, match="lacks column"):
        read_fault_list(path)


def test_shipped_gtzan_list_reads():
    from musicgenre.faults import fault_list_path

    faults = read_fault_list(fault_list_path("kaggle", "data/raw"))
    assert "jazz.00054.wav" in set(faults["file"])
