"""Output faults: every output goes through one writer; an output that cannot be written is a message and exit
code 1 (never a traceback), and a file is replaced whole or not at all (issue 12)."""

import os
import signal
import stat
import subprocess
import sys

import pytest

from tco.cli.app import main
from tco.errors import OutputError
from tco.files import output
from tco.files.output import printable, write_atomic
from tests.conftest import FIXTURES, REPO

COMPARE = ["compare", str(FIXTURES / "worked_example.yaml"), "--pricebooks", str(FIXTURES / "pricebooks"),
           "--as-of", "2026-06-01"]
FORMATS = ["table", "json", "markdown", "csv"]


@pytest.fixture
def export(tco):
    def run(target, code=1):
        result = tco("export", *COMPARE[1:], "--output", str(target))
        assert "Traceback" not in result.err
        assert result.code == code, result.err
        return result.err

    return run


def test_an_output_naming_a_directory_is_refused(export, tmp_path):
    (tmp_path / "book.xlsx").mkdir()
    assert "book.xlsx: it is a directory; give a file name" in export(tmp_path / "book.xlsx")


def test_an_output_in_a_missing_directory_is_refused(export, tmp_path):
    assert "the directory" in export(tmp_path / "missing" / "book.xlsx")


def test_an_output_where_no_file_can_be_made_is_refused(export):
    assert export("/proc/book.xlsx").startswith("error: cannot write /proc/book.xlsx: ")


def test_a_full_disk_is_a_message_and_no_file_is_left(monkeypatch, tmp_path):
    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", full)
    (tmp_path / "report.csv").write_text("previous")
    with pytest.raises(OutputError, match="cannot write .*report.csv: No space left on device"):
        write_atomic(tmp_path / "report.csv", b"new")
    assert os.listdir(tmp_path) == ["report.csv"] and (tmp_path / "report.csv").read_text() == "previous"


def test_sigterm_while_writing_removes_the_temporary_file(monkeypatch, tmp_path):
    monkeypatch.setattr(output.os, "fsync", lambda fd: os.kill(os.getpid(), signal.SIGTERM))
    with pytest.raises(SystemExit) as stopped:
        write_atomic(tmp_path / "book.xlsx", b"data")
    assert stopped.value.code == 128 + signal.SIGTERM
    assert os.listdir(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_replaced_file_keeps_its_mode(tmp_path):
    (tmp_path / "book.xlsx").write_bytes(b"old")
    os.chmod(tmp_path / "book.xlsx", 0o600)
    write_atomic(tmp_path / "book.xlsx", b"new")
    assert stat.S_IMODE((tmp_path / "book.xlsx").stat().st_mode) == 0o600
    assert (tmp_path / "book.xlsx").read_bytes() == b"new"


def test_writing_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "book.xlsx").write_bytes(b"old")
    (tmp_path / "book.xlsx").symlink_to(tmp_path / "real" / "book.xlsx")
    write_atomic(tmp_path / "book.xlsx", b"new")
    assert (tmp_path / "book.xlsx").is_symlink()
    assert (tmp_path / "real" / "book.xlsx").read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path / "real")) == ["book.xlsx"]


def test_a_symlink_loop_as_output_is_refused(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(OutputError, match="a: it is a symbolic link that leads round in a loop"):
        write_atomic(tmp_path / "a", b"new")


@pytest.mark.parametrize("format", FORMATS)
def test_a_full_stdout_is_a_message_and_exit_1(format, monkeypatch, capsys):
    with open("/dev/full", "w") as full:
        monkeypatch.setattr(sys, "stdout", full)
        code = main([*COMPARE, "--format", format])
    assert code == 1
    assert capsys.readouterr().err == "error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("format", FORMATS)
def test_a_closed_stdout_is_a_message_and_exit_1(format, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", None)
    assert main([*COMPARE, "--format", format]) == 1
    assert capsys.readouterr().err == "error: cannot write the output: standard output is closed\n"


def test_the_command_line_reports_a_full_disk_once_and_exits_1():
    with open("/dev/full", "w") as full:
        run = subprocess.run([sys.executable, "-m", "tco", *COMPARE], stdout=full, stderr=subprocess.PIPE,
                             text=True, cwd=REPO, timeout=120)
    assert (run.returncode, run.stderr) == (1, "error: cannot write the output: No space left on device\n")


def test_a_closed_pipe_is_not_an_error():
    run = subprocess.run(f"'{sys.executable}' -m tco {' '.join(COMPARE)} --format json | head -c 1", shell=True,
                         capture_output=True, text=True, cwd=REPO, timeout=120)
    assert (run.stdout, run.stderr) == ("{", "")


def test_printable_escapes_every_control_character_and_nothing_else():
    assert printable("a\x1b[2Jb\x07\r\t\x9b\u202e") == "a\\x1b[2Jb\\x07\\r\\t\\x9b\\u202e"
    assert printable({"k\x1b": ["é\n"]}) == {"k\\x1b": ["é\n"]}
    assert printable("a\nb", newlines=False) == "a\\nb"
