"""The command line reads as one: plain help with an example per subcommand, the versions a bundle
checks, and the families ``predict --model`` can name where it runs."""

import pytest
import sklearn

from musicgenre import __version__
from musicgenre.cli import main


def said(capsys, *argv):
    with pytest.raises(SystemExit) as ended:
        main(list(argv))
    assert ended.value.code == 0
    return capsys.readouterr().out


def test_help_is_plain_text_with_an_example_per_subcommand(capsys):
    text = said(capsys, "--help")
    assert "``" not in text and "Command-line entry point" not in text  # not the module's reStructuredText
    for example in ("musicgenre demo ", "musicgenre summary ", "musicgenre predict song.mp3", "--model rf"):
        assert f"\n  {example}" in text or example in text, example


def test_version_names_what_a_bundle_checks(capsys):
    text = said(capsys, "--version")
    assert text.startswith(f"musicgenre {__version__} (scikit-learn {sklearn.__version__}, skops ")
    assert "keras 3." in text and "tensorflow 2." in text and "python 3." in text


def test_predict_help_lists_the_families_trained_here(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert "No family is trained here yet" in " ".join(said(capsys, "predict", "--help").split())
    for family in ("rf", "knn"):
        (tmp_path / "data" / "models" / family).mkdir(parents=True)
        (tmp_path / "data" / "models" / family / "model.bundle").write_bytes(b"")
    assert "Trained here: knn, rf" in " ".join(said(capsys, "predict", "--help").split())
