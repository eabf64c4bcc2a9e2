"""Messy files: encodings, delimiters, quoted newlines, dates, amounts, booleans."""

from __future__ import annotations

import codecs
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from leankanban.importers import ImportFailed, read_import
from leankanban.importers.textio import RawFile, decode, read_table, sniff_delimiter
from leankanban.importers.values import ValueProblem, parse_amount, parse_bool, parse_date, parse_datetime

CSV = "title,stage,value,account\nCafé résumé,Proposal,\"1.234,50 €\",Société Générale\n"


@pytest.mark.parametrize(
    "data",
    [
        CSV.encode("utf-8"),
        codecs.BOM_UTF8 + CSV.encode("utf-8"),
        CSV.encode("utf-16"),  # Excel "Unicode text": BOM + UTF-16-LE
        codecs.BOM_UTF16_BE + CSV.encode("utf-16-be"),
        CSV.encode("utf-16-le"),  # no BOM at all
        CSV.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "utf16-le-no-bom", "cp1252"],
)
def test_encodings_all_read_the_same(data, write):
    batch = read_import(write("deals.csv", data))
    (deal,) = batch.deals
    assert (deal.title, deal.account, deal.value, deal.currency) == (
        "Café résumé", "Société Générale", Decimal("1234.50"), "EUR"
    )


def test_utf16_tab_separated_excel_text(write):
    text = "title\tstage\tvalue\r\nAcme\tDemo\t1,200\r\n"
    batch = read_import(write("deals.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le")))
    assert batch.deals[0].value == Decimal("1200")


def test_cp1252_euro_sign_byte_0x80():
    assert decode(RawFile("x.csv", "Prix 5 €, été".encode("cp1252"))) == "Prix 5 €, été"


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ("a|b|c", "|"), ('"x,y";b;c', ";"), ("single", ",")],
)
def test_sniff_delimiter(header, delimiter):
    assert sniff_delimiter(header + "\n1,2;3\n") == delimiter


def test_excel_sep_line_sets_the_delimiter_and_keeps_line_numbers(write):
    path = write("d.csv", "sep=;\ntitle;stage\nA;Demo\n;Demo\n")
    batch = read_import(path)
    assert [d.title for d in batch.deals] == ["A"]
    assert batch.skipped[0].line == 4


def test_quoted_newlines_keep_line_numbers_right():
    table = read_table(RawFile("d.csv", b'a,b\n"one\ntwo\nthree",x\n\n"z",y\n'))
    assert table.rows == [(2, ["one\ntwo\nthree", "x"]), (6, ["z", "y"])]


def test_short_rows_are_padded():
    table = read_table(RawFile("d.csv", b"a,b,c\n1\n"))
    assert table.rows == [(2, ["1", "", ""])]


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("2024-01-22T16:14:25.000+0000", False, datetime(2024, 1, 22, 16, 14, 25, tzinfo=UTC)),
        ("2024-01-22T18:14:25+02:00", False, datetime(2024, 1, 22, 16, 14, 25, tzinfo=UTC)),
        ("2024-01-22T16:14:25Z", False, datetime(2024, 1, 22, 16, 14, 25, tzinfo=UTC)),
        ("2024-01-22 16:14:25", False, datetime(2024, 1, 22, 16, 14, 25, tzinfo=UTC)),
        ("2024-01-22", False, datetime(2024, 1, 22, tzinfo=UTC)),
        ("02/23/26", False, datetime(2026, 2, 23, tzinfo=UTC)),
        ("02/23/26 08:55 PM", False, datetime(2026, 2, 23, 20, 55, tzinfo=UTC)),
        ("02/24/26 12:05 AM", False, datetime(2026, 2, 24, 0, 5, tzinfo=UTC)),
        ("1/5/2024", False, datetime(2024, 1, 5, tzinfo=UTC)),
        ("01/02/2024", False, datetime(2024, 1, 2, tzinfo=UTC)),
        ("01/02/2024", True, datetime(2024, 2, 1, tzinfo=UTC)),
        ("22.01.2024", False, datetime(2024, 1, 22, tzinfo=UTC)),
        ("22.01.2024 14:30", False, datetime(2024, 1, 22, 14, 30, tzinfo=UTC)),
        ("2024/01/22", False, datetime(2024, 1, 22, tzinfo=UTC)),
        ("22 Jan 2024", False, datetime(2024, 1, 22, tzinfo=UTC)),
        ("Jan 22, 2024", False, datetime(2024, 1, 22, tzinfo=UTC)),
        ("", False, None),
        ("   ", False, None),
    ],
)
def test_parse_datetime(text, dayfirst, expected):
    assert parse_datetime(text, dayfirst=dayfirst) == expected


def test_naive_times_are_read_in_the_given_zone():
    cet = timezone(timedelta(hours=1))
    assert parse_datetime("2024-01-22 10:00", tz=cet) == datetime(2024, 1, 22, 9, 0, tzinfo=UTC)
    assert parse_datetime("2024-01-22T10:00Z", tz=cet) == datetime(2024, 1, 22, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("13/01/2024", "day-first"),
        ("31/31/2024", "month"),
        ("2024-02-30", "valid date"),
        ("yesterday", "not a date"),
        ("02/23/26 13:00 PM", "12-hour"),
        ("01/01/1850", "outside"),
    ],
)
def test_unreadable_dates(text, reason):
    with pytest.raises(ValueProblem, match=reason):
        parse_datetime(text)


def test_parse_date_ignores_time():
    assert parse_date("2024-04-30T23:30:00-05:00") == date(2024, 4, 30)
    assert parse_date("30.04.2024") == date(2024, 4, 30)


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("1,234.50", "1234.50", None),
        ("1.234,50 €", "1234.50", "EUR"),
        ("$1,234", "1234", "USD"),
        ("USD 1,234.00", "1234", "USD"),
        ("1 234,5", "1234.50", None),
        ("1\u00a0234,50\u00a0€", "1234.50", "EUR"),
        ("1'234.50 CHF", "1234.50", "CHF"),
        ("1.234.567", "1234567", None),
        ("1,234,567.89", "1234567.89", None),
        ("12,5", "12.50", None),
        ("0,500", "0.50", None),
        ("1464742.5", "1464742.50", None),
        ("£99", "99", "GBP"),
        ("", "0", None),
        ("  ", "0", None),
    ],
)
def test_parse_amount(text, value, currency):
    assert parse_amount(text) == (Decimal(value), currency)


@pytest.mark.parametrize("text", ["-5", "(5.00)", "−5", "1,234.50-"])
def test_negative_amounts_are_refused(text):
    with pytest.raises(ValueProblem, match="negative"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["abc", "1.2.3,4,5", "12 apples", "1e5", "9999999999999999"])
def test_unreadable_amounts(text):
    with pytest.raises(ValueProblem):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("TRUE", True), ("FALSE", False), ("true", True), ("1", True), ("", False), ("yes", True), ("No", False), ("0", False)],
)
def test_parse_bool(text, expected):
    assert parse_bool(text) is expected


def test_parse_bool_refuses_other_words():
    with pytest.raises(ValueProblem):
        parse_bool("maybe")


def test_bad_boolean_in_a_file_names_line_and_column(write):
    path = write("o.csv", "Name,StageName,IsClosed,IsWon\nA,Prospecting,,\nB,Closed Won,maybe,1\n")
    with pytest.raises(ImportFailed) as err:
        read_import(path)
    assert (err.value.line, err.value.column) == (3, "IsClosed")
