"""Real-world CSV: Excel's UTF-16 "Unicode Text", European semicolons, tabs, and honest encoding hints."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kbgen.cli import cli
from kbgen.exceptions import SourceError
from kbgen.sources.textio import delimiter_of

MAPPING = "id: Key\ntitle: Summary\nproblem: Description\nstatus: Status\nresolution: Resolution\n"


def mapping(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "m.yml"
    path.write_text(MAPPING + extra, encoding="utf-8")
    return path


def test_excel_unicode_text_utf16_bom_tab(tmp_path: Path, read_all: Any) -> None:
    text = (
        "Key\tSummary\tDescription\tStatus\tResolution\r\n"
        "HD-1\t打印机脱机\t更新后打印机显示脱机\tClosed\t已解决：重新安装驱动\r\n"
        'HD-2\tVPN error 809\tTunnel drops, see "log"\tResolved\tDisable power saving on Wi-Fi adapter\r\n'
    )
    path = tmp_path / "export.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    tickets, report = read_all(path, mapping=mapping(tmp_path))
    assert [(t.id, t.title, t.resolution) for t in tickets] == [
        ("HD-1", "打印机脱机", "已解决：重新安装驱动"),
        ("HD-2", "VPN error 809", "Disable power saving on Wi-Fi adapter"),
    ]
    assert report.detected == {"delimiter": "tab", "encoding": "utf-16"}


def test_utf16_big_endian_jira_csv_is_sniffed(tmp_path: Path, read_all: Any) -> None:
    text = "Summary,Issue key,Status\r\nPrinter offline,HD-5,Done\r\n"
    path = tmp_path / "jira.csv"
    path.write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    tickets, report = read_all(path)
    assert report.format == "jira-csv" and [t.id for t in tickets] == ["HD-5"]


def test_european_excel_semicolons_with_decimal_commas(tmp_path: Path, read_all: Any) -> None:
    text = (
        "Key;Summary;Description;Status;Resolution;Aufwand (h)\r\n"
        'HD-3;Drucker zeigt "Offline";Seit Montag;Closed;SNMP-Status deaktiviert;2,5\r\n'
        'HD-4;"Outlook fragt Passwort; ständig";Müller meldet es;Closed;Anmeldeinformationen gelöscht;0,75\r\n'
    )
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(SourceError) as info:
        read_all(path, mapping=mapping(tmp_path))
    # A cp1252 "Müller" also decodes as GB18030 ("M黮ler"): the hint must not call it Chinese.
    assert "pass --encoding cp1252" in info.value.message
    tickets, report = read_all(path, mapping=mapping(tmp_path), encoding="cp1252")
    assert [(t.id, t.title, t.problem) for t in tickets] == [
        ("HD-3", 'Drucker zeigt "Offline"', "Seit Montag"),
        ("HD-4", "Outlook fragt Passwort; ständig", "Müller meldet es"),
    ]
    assert report.detected == {"delimiter": "semicolon", "encoding": "cp1252"}


def test_chinese_gb18030_hint_is_kept(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "gb.csv"
    path.write_bytes("Key,Summary\nHD-1,打印机无法打印，驱动程序需要重新安装\n".encode("gb18030"))
    with pytest.raises(SourceError) as info:
        read_all(path, mapping=mapping(tmp_path))
    assert info.value.message.endswith(
        "it looks like Chinese GB18030/GBK text: pass --encoding gb18030"
    )


def test_utf16_without_bom_gets_its_own_hint(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "nobom.csv"
    path.write_bytes("Key,Summary\nHD-1,Printer offline é\n".encode("utf-16-le"))
    with pytest.raises(SourceError) as info:
        read_all(path, mapping=mapping(tmp_path))
    assert info.value.message.endswith(
        "it looks like UTF-16 without a byte-order mark: pass --encoding utf-16-le"
    )


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        # cpython#119123: Sniffer says ',' even when restricted to ',;'.
        ("a;b;c;d;e;f;g;h;i;j;k;l\n['112', '112'];2;3;4;5;6;7;8;9;10;11;12\n"
         "x;y;z;1;2;3;4;5;6;7;8;9\n", ";"),
        # rich-cli#38: Sniffer returns the letter 't' on ragged rows.
        ("Features,rich,markdown,rich-cli\nhas tables,x,x\neasy to use,x,x,x\n", ","),
        ("Key\tSummary\tNote\nHD-1\tA, B; C\tx\n", "\t"),
        ("Key|Summary|Status\nHD-1|a, b|Done\n", "|"),
        ("Key,Summary\n", ","),
        ("just one column\nno delimiter here\n", ","),
        ('Summary,Issue key,Comment\n"Printer offline, 3rd floor",HD-5,"04/Mar/24;p.ng;cleaned; done"\n', ","),
    ],
    ids=["cpython-119123", "ragged", "tab", "pipe", "header-only", "one-column", "quoted-semicolons"],
)  # fmt: skip
def test_delimiter_detection_never_guesses_a_letter(sample: str, expected: str) -> None:
    assert delimiter_of(sample) == expected


def test_delimiter_option_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Key;Summary\nHD-1;a,b\nHD-2;c,d\n", encoding="utf-8")
    m = (
        mapping(tmp_path)
        .read_text(encoding="utf-8")
        .replace("problem: Description\nstatus: Status\nresolution: Resolution\n", "")
    )
    (tmp_path / "m2.yml").write_text(m, encoding="utf-8")
    runner = CliRunner()
    auto = runner.invoke(
        cli, ["sources", "check", str(path), "--mapping", str(tmp_path / "m2.yml"), "--json"]
    )
    assert auto.exit_code == 0 and '"delimiter": "semicolon"' in auto.output
    forced = runner.invoke(
        cli,
        ["sources", "check", str(path), "--mapping", str(tmp_path / "m2.yml"), "--delimiter", ","],
    )
    assert forced.exit_code == 1
    # With ',' forced, the header is one column and every row is ragged.
    assert "line 2: 2 cells but the header has 1 columns (ragged row)" in forced.output


def test_truncated_utf16_file_is_refused(tmp_path: Path, read_all: Any) -> None:
    path = tmp_path / "cut.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "Key\tSummary\r\nHD-1\tPrinter".encode("utf-16-le")[:-1])
    with pytest.raises(SourceError) as info:
        read_all(path, mapping=mapping(tmp_path))
    assert "starts with a UTF-16 byte-order mark but bytes" in info.value.message
