"""The plain-Python monitoring derivation: readers, Open SDG output, areas, progress.

No database: every test runs on tiny inline inputs or the files in
``tests/fixtures/observations``. The area tests also read Münster's official district
boundaries from the shared data folder when it is there (never copied into the project).
"""

import io
import json
from pathlib import Path

import openpyxl
import pytest

from leitbild.monitoring.derivation import (
    STATUSES,
    Area,
    AreaMatcher,
    InputError,
    ObservationRow,
    Problem,
    check_opensdg_csv,
    check_opensdg_meta,
    opensdg_paths,
    progress,
    read_long,
    read_opensdg,
    validate,
    write_opensdg_csv,
    write_opensdg_meta,
)
from leitbild.monitoring.derivation.rows import CellError, format_number, parse_number

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "observations"
MUENSTER = Path(__file__).resolve().parents[2] / "shared" / "data" / "muenster"


def problems_of(data: bytes | str, filename: str = "data.csv") -> list[str]:
    if isinstance(data, str):
        data = data.encode()
    with pytest.raises(InputError) as info:
        read_long(data, filename)
    return [str(p) for p in info.value.problems]


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- rows --------------------------------------------------------------------------------


def test_problem_str_names_row_column_and_value():
    assert str(Problem(5, "value", "'abc' is not a number")) == (
        "row 5, column 'value': 'abc' is not a number"
    )
    assert str(Problem(5, None, "duplicates row 2")) == "row 5: duplicates row 2"
    assert str(Problem(None, "sex", "appears twice")) == "column 'sex': appears twice"
    assert str(Problem(None, None, "The file is empty")) == "The file is empty"


def test_input_error_lists_every_problem_one_per_line_in_row_order():
    error = InputError(
        [
            Problem(7, None, "late"),
            Problem(2, "period", "'14' is not a year"),
            Problem(None, None, "Bad"),
        ]
    )
    assert str(error) == "Bad\nrow 2, column 'period': '14' is not a year\nrow 7: late"
    assert (len(error.problems), error.rows) == (3, [])
    assert InputError.single("No file").problems == [Problem(None, None, "No file")]


def test_input_error_keeps_the_rows_read_without_problems():
    data = b"indicator,period,area,value\nx,2014,Schloss,1\nx,20,Dom,2\nx,2015,Zoo,3\n"
    with pytest.raises(InputError) as info:
        read_long(data, "x.csv")
    assert [r.row for r in info.value.rows] == [2, 4]
    # so reading and validation problems can be reported together, in row order
    _valid, problems, _notes = validate(
        info.value.rows, indicators={"x": {"unit": ""}}, areas=AreaMatcher(SMALL)
    )
    merged = InputError(info.value.problems + problems)
    assert [p.row for p in merged.problems] == [3, 4]


def test_key_sorts_disaggregation():
    row = ObservationRow(3, "x", 2014, "34", {"sex": "f", "age_group": "18-25"}, 1.0)
    assert row.key() == ("x", 2014, "34", (("age_group", "18-25"), ("sex", "f")))
    assert STATUSES == ("normal", "estimated", "provisional", "suppressed")


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("12.5", False, 12.5),
        ("-3", False, -3.0),
        (".5", False, 0.5),
        ("1e3", False, 1000.0),
        ("12,5", True, 12.5),
        ("1.234,5", True, 1234.5),
        ("12.5", True, 12.5),
        ("\u22122,5", True, -2.5),
        (7, True, 7.0),
        (0.25, False, 0.25),
    ],
)
def test_parse_number(text, decimal_comma, expected):
    assert parse_number(text, decimal_comma=decimal_comma) == expected


@pytest.mark.parametrize(
    ("text", "decimal_comma", "message"),
    [
        ("nan", False, "'nan' is not a number"),
        ("inf", False, "'inf' is not a number"),
        ("1_000", False, "'1_000' is not a number"),
        ("1e999", False, "'1e999' is not a finite number"),
        ("12,5", False, "write decimals with a point (12.5)"),
        ("19,8 %", True, "leave out the percent sign"),
        ("1.234", True, "'1.234' is ambiguous: write 1234 for thousands or 1,234"),
        (".", False, "leave the value blank and set the status"),
        ("", False, "the value is blank"),
        (True, False, "'TRUE' is not a number"),
    ],
)
def test_parse_number_refuses(text, decimal_comma, message):
    with pytest.raises(CellError, match=None) as info:
        parse_number(text, decimal_comma=decimal_comma)
    assert message in str(info.value)


def test_format_number():
    assert format_number(12.0) == "12"
    assert format_number(-0.0) == "0"
    assert format_number(12.5) == "12.5"
    assert format_number(0.1 + 0.2) == "0.30000000000000004"
    assert format_number(1e-05) == "0.00001"
    assert format_number(1e20) == "100000000000000000000"


# --- long layout ---------------------------------------------------------------------------


def test_read_long_example_fixture():
    rows = read_long((FIXTURES / "long-example.csv").read_bytes(), "long-example.csv")
    assert [r.row for r in rows] == [2, 3, 4, 5, 6, 7]
    total, female, hiltrup, suppressed, turnout, _ = rows
    assert total == ObservationRow(2, "mig-share", 2014, "", {}, 31.2, "%", "normal", "")
    assert female.disaggregation == {"sex": "female"}
    assert hiltrup.area == "Hiltrup-Ost"
    assert hiltrup.status == "provisional"
    assert suppressed.value is None
    assert suppressed.status == "suppressed"
    assert suppressed.comment == "fewer than 10 persons"
    assert turnout.comment == "Integrationsratswahl, first vote"


def test_read_long_semicolon_bom_german_decimals_and_header_case():
    rows = read_long((FIXTURES / "long-semicolon.csv").read_bytes(), "werte.csv")
    assert [(r.row, r.disaggregation, r.value) for r in rows] == [
        (2, {"age_group": "18-25"}, 12.5),
        (3, {}, 1234.5),
        (4, {}, 13.0),
    ]
    assert rows[0].indicator == "mig-share"
    assert rows[0].area == "Hiltrup-Ost"


def test_read_long_collects_all_problems():
    problems = problems_of((FIXTURES / "long-errors.csv").read_bytes())
    assert problems == [
        "row 3, column 'period': '14' is not a year between 1900 and 2100",
        "row 4, column 'indicator': the indicator is blank",
        "row 5, column 'value': 'abc' is not a number",
        "row 6, column 'status': 'guessed' is not a status "
        "(use 'normal', 'estimated', 'provisional', 'suppressed' or leave it blank)",
        "row 7, column 'value': '7' is given but the status is 'suppressed'; leave the value blank",
        "row 8, column 'value': the value is blank; "
        "give a number or set the status to 'suppressed'",
        "row 9: duplicates row 2: same indicator 'mig-share', period 2014, the whole city",
    ]


def test_read_long_missing_required_columns_are_named():
    assert problems_of("indicator,year,value\nx,2014,1\n") == [
        "The required columns 'period', 'area' are missing (found: 'indicator', 'year', 'value')"
    ]
    assert problems_of("indicator,period,value\nx,2014,1\n") == [
        "The required column 'area' is missing (found: 'indicator', 'period', 'value')"
    ]
    assert problems_of("indicator\tperiod\tarea\tvalue\nx\t2014\t\t1\n")[0].endswith(
        "(found: 'indicator\tperiod\tarea\tvalue'); the file seems to be separated by tabs, "
        "use ',' or ';'"
    )


@pytest.mark.parametrize("data", [b"", b"  \n\n", b"\xef\xbb\xbf"])
def test_read_long_empty_file(data):
    assert problems_of(data) == ["The file is empty"]


def test_read_long_header_without_rows():
    assert problems_of("indicator,period,area,value\n\n") == [
        "The file has a header but no data rows"
    ]


def test_read_long_not_utf8():
    data = "indicator,period,area,value\nx,2014,Lüdinghausen,1\n".encode("latin-1")
    assert problems_of(data) == [
        "The file is not UTF-8 text: byte 0xfc on line 2 cannot be read; save it as 'CSV UTF-8'"
    ]


def test_read_long_strips_whitespace_and_skips_blank_lines():
    rows = read_long(
        b" Indicator , Period ,AREA, Sex ,Value\n\n x , 2014 , Dom , female , 3 \n,,,,\n",
        "x.csv",
    )
    assert rows == [ObservationRow(3, "x", 2014, "Dom", {"sex": "female"}, 3.0)]


def test_read_long_comma_file_refuses_decimal_comma():
    assert problems_of('indicator,period,area,value\nx,2014,,"12,5"\n') == [
        "row 2, column 'value': '12,5' is not a number; in a comma-separated file "
        "write decimals with a point (12.5)"
    ]


def test_read_long_semicolon_file_refuses_ambiguous_grouping():
    assert problems_of("indicator;period;area;value\nx;2014;;1.500\n") == [
        "row 2, column 'value': '1.500' is ambiguous: write 1500 for thousands or "
        "1,500 for a decimal"
    ]


def test_read_long_row_width_duplicate_header_and_headerless_cells():
    data = "indicator,period,area,value,Sex,sex\nx,2014,,1,f,f\nx,2015,,1\nx,2016,,1,,,9\n"
    assert problems_of(data) == [
        "row 1, column 'sex': the column 'sex' appears twice (columns 5 and 6)",
        "row 3: the row has 4 cells but the header has 6",
        "row 4: cell 7 holds '9' but its column has no header",
    ]


def test_read_long_trailing_empty_columns_are_ignored():
    rows = read_long(b"indicator,period,area,value,,\nx,2014,,1,,\n", "x.csv")
    assert rows[0].value == 1.0


def test_read_long_duplicate_key_names_both_rows_and_dimensions():
    data = "indicator,period,area,sex,value\nx,2014,Dom,f,1\nx,2014,Dom,m,2\nx,2014,Dom,f,3\n"
    assert problems_of(data) == [
        "row 4: duplicates row 2: same indicator 'x', period 2014, area 'Dom', sex=f"
    ]


def test_read_long_status_case_insensitive():
    rows = read_long(b"indicator,period,area,value,status\nx,2014,,,Suppressed\n", "x.csv")
    assert rows[0].status == "suppressed"
    assert rows[0].value is None


def test_read_long_xlsx(tmp_path):
    data = xlsx_bytes(
        [
            ["Indicator", "Period", "Area", "Sex", "Value", "Unit", "Status"],
            ["mig-share", 2014, None, None, 31.2, "%", None],
            [None, None, None, None, None, None, None],
            ["mig-share", 2014.0, 34, "female", "30,8", "%", ""],
            ["mig-share", "2015", "Dom ", None, 7, None, "estimated"],
        ]
    )
    path = tmp_path / "werte.xlsx"
    path.write_bytes(data)
    rows = read_long(path.read_bytes(), path.name)
    assert [(r.row, r.period, r.area, r.disaggregation, r.value) for r in rows] == [
        (2, 2014, "", {}, 31.2),
        (4, 2014, "34", {"sex": "female"}, 30.8),
        (5, 2015, "Dom", {}, 7.0),
    ]
    assert rows[2].status == "estimated"


def test_read_long_xlsx_problems_use_sheet_rows():
    data = xlsx_bytes(
        [
            ["indicator", "period", "area", "value"],
            ["x", 2014.5, None, 1],
            ["x", 2015, None, "viel"],
            ["x", 2016, None, True],
        ]
    )
    assert problems_of(data, "werte.xlsx") == [
        "row 2, column 'period': '2014.5' is not a year between 1900 and 2100",
        "row 3, column 'value': 'viel' is not a number",
        "row 4, column 'value': 'TRUE' is not a number",
    ]


def test_read_long_refuses_other_spreadsheets():
    assert problems_of(b"\xd0\xcf\x11\xe0", "werte.xls") == [
        "The file 'werte.xls': old Excel workbooks (.xls) cannot be read; "
        "save the sheet as .xlsx or CSV UTF-8"
    ]
    workbook = xlsx_bytes([["indicator", "period", "area", "value"]])
    assert problems_of(workbook, "werte.csv") == [
        "The file 'werte.csv' is an Excel workbook, not CSV text; give it the extension .xlsx"
    ]
    assert problems_of(b"not a zip file", "werte.xlsx")[0].startswith(
        "The file cannot be read as an XLSX workbook"
    )


# --- Open SDG ---------------------------------------------------------------------------


def test_read_opensdg_fixture():
    rows = read_opensdg((FIXTURES / "opensdg-mig-share.csv").read_bytes(), "mig-share")
    by_row = {r.row: r for r in rows}
    assert by_row[2] == ObservationRow(2, "mig-share", 2014, "", {}, 31.2, "%")
    assert by_row[3].disaggregation == {"sex": "female"}
    assert (by_row[4].status, by_row[4].comment, by_row[4].value) == ("estimated", "", 28.0)
    assert by_row[6].area == "95"
    assert (by_row[7].status, by_row[7].comment, by_row[7].value) == (
        "suppressed",
        "fewer than 10 persons",
        None,
    )
    assert (by_row[8].status, by_row[8].comment) == ("provisional", "preliminary count")
    assert (by_row[9].status, by_row[9].comment) == ("normal", "Zensus, revised")


def test_opensdg_round_trip():
    first = read_opensdg((FIXTURES / "opensdg-mig-share.csv").read_bytes(), "mig-share")
    written = write_opensdg_csv(first)
    assert check_opensdg_csv(written) == []
    second = read_opensdg(written.encode(), "mig-share")

    def comparable(rows):
        return sorted((r.key(), r.value, r.unit, r.status, r.comment) for r in rows)

    assert comparable(second) == comparable(first)
    assert write_opensdg_csv(second) == written


def test_write_opensdg_csv_layout():
    rows = [
        ObservationRow(2, "x", 2015, "", {}, 12.0, "%"),
        ObservationRow(3, "x", 2014, "", {}, 11.5, "%"),
        ObservationRow(4, "x", 2014, "", {"sex": "female"}, 10.0, "%"),
        ObservationRow(5, "x", 2014, "34", {}, None, "%", "suppressed", "n < 10"),
        ObservationRow(6, "x", 2014, "95", {"age_group": " 18-25 "}, 3.25, "%", "estimated"),
        ObservationRow(7, "x", 2014, "", {"age_group": "65+"}, None, "%", "suppressed"),
    ]
    assert write_opensdg_csv(rows) == (
        "Year,age_group,sex,Units,GeoCode,COMMENT_OBS,Value\n"
        "2014,,,%,,,11.5\n"
        "2015,,,%,,,12\n"
        "2014,,female,%,,,10\n"
        "2014,65+,,%,,suppressed,\n"
        "2014,,,%,34,suppressed: n < 10,\n"
        "2014,18-25,,%,95,estimated,3.25\n"
    )


def test_write_opensdg_csv_minimal_columns_and_quoting():
    rows = [
        ObservationRow(2, "x", 2014, "", {}, 1.0),
        ObservationRow(3, "x", 2015, "", {"nationality_group": 'EU, "other"'}, 2.5),
    ]
    text = write_opensdg_csv(rows)
    assert text == 'Year,nationality_group,Value\n2014,,1\n2015,"EU, ""other""",2.5\n'
    assert check_opensdg_csv(text) == []
    assert write_opensdg_csv([]) == "Year,Value\n"


def test_write_opensdg_csv_refuses_bad_input():
    with pytest.raises(ValueError, match="several indicators"):
        write_opensdg_csv(
            [ObservationRow(2, "x", 2014, "", {}, 1.0), ObservationRow(3, "y", 2014, "", {}, 1.0)]
        )
    with pytest.raises(ValueError, match="same key"):
        write_opensdg_csv(
            [ObservationRow(2, "x", 2014, "", {}, 1.0), ObservationRow(3, "x", 2014, "", {}, 2.0)]
        )
    with pytest.raises(ValueError, match="cannot be called 'Units'"):
        write_opensdg_csv([ObservationRow(2, "x", 2014, "", {"Units": "a"}, 1.0)])


def test_read_opensdg_problems():
    data = (
        b"Year,sex,OBS_STATUS,COMMENT_OBS,Value\n"
        b"2014,,,,1\n"
        b"20x4,,,,1\n"
        b"2015,,,,1.2.3\n"
        b"2016,,Q,,1\n"
        b"2017,,suppressed,,4\n"
        b"2018,,,suppressed,4\n"
        b"2014,,A,,2\n"
        b"2019,,,\n"
    )
    with pytest.raises(InputError) as info:
        read_opensdg(data, "x")
    assert [str(p) for p in info.value.problems] == [
        "row 3, column 'Year': '20x4' is not a year between 1900 and 2100",
        "row 4, column 'Value': '1.2.3' is not a number",
        "row 5, column 'OBS_STATUS': 'Q' is not a status (use 'normal', 'estimated', "
        "'provisional', 'suppressed', the SDMX codes 'A', 'E', 'P', or leave it blank)",
        "row 6, column 'Value': '4' is given but the observation is marked as suppressed; "
        "leave the value blank",
        "row 7, column 'Value': '4' is given but the observation is marked as suppressed; "
        "leave the value blank",
        "row 8: duplicates row 2: same indicator 'x', period 2014, the whole city",
        "row 9: the row has 4 cells but the header has 5",
    ]


def test_read_opensdg_status_codes_and_blank_values():
    data = b"Year,OBS_STATUS,Value\n2014,E,1\n2015,P,2\n2016,,\n2017,estimated,3\n"
    rows = read_opensdg(data, "x")
    assert [(r.status, r.value) for r in rows] == [
        ("estimated", 1.0),
        ("provisional", 2.0),
        ("normal", None),
        ("estimated", 3.0),
    ]


def test_read_opensdg_file_level_problems():
    def problems(data: bytes) -> list[str]:
        with pytest.raises(InputError) as info:
            read_opensdg(data, "x")
        return [str(p) for p in info.value.problems]

    assert problems(b"") == ["The file is empty"]
    assert problems(b"Year;Value\n2014;1\n") == [
        "The file is separated by ';'; Open SDG data files are separated by ','"
    ]
    assert problems(b"Year,Wert\n2014,1\n") == ["The column 'Value' is missing"]
    assert problems("Year,Value\n2014,ä\n".encode("cp1252")) == [
        "The file is not UTF-8 text: byte 0xe4 on line 2 cannot be read; save it as 'CSV UTF-8'"
    ]


def test_check_opensdg_csv_finds_problems():
    text = "Value,sex ,,Year\n1,f,,2014\n 2,m,,2014\nx,,,20.5\n3,f\n1,f,,2014\n"
    assert [str(p) for p in check_opensdg_csv(text)] == [
        "row 1, column 'sex ': the header 'sex ' has surrounding whitespace",
        "row 1: column 3 has no header",
        "row 1, column 'Value': the first column is 'Value', not 'Year'",
        "row 1, column 'Year': the last column is 'Year', not 'Value'",
        "row 3, column 'Value': ' 2' has surrounding whitespace",
        "row 4, column 'Year': '20.5' is not an integer year",
        "row 4, column 'Value': 'x' is not a number",
        "row 5: the row has 2 cells but the header has 4",
        "row 6: duplicates row 2 (same year and columns)",
    ]
    assert [str(p) for p in check_opensdg_csv("")] == ["The file is empty"]


def front_matter(text: str) -> dict[str, str]:
    head = text.split("---\n")[1]
    return {
        line.split(":", 1)[0]: line.split(":", 1)[1].strip()
        for line in head.splitlines()
        if line and not line.startswith(" ")
    }


def test_write_opensdg_meta():
    text = write_opensdg_meta(
        {
            "id": "turnout",
            "name": 'Turnout of the "Integrationsrat" election',
            "unit": "%",
            "definition": "Share of the eligible voters who voted.\n\nSource: Wahlamt.  ",
            "source": "Stadt Münster, Wahlamt",
            "target": 25.0,
            "target_label": "Ziel 2025",
        }
    )
    assert check_opensdg_meta(text) == []
    assert text.startswith("---\n")
    fields = front_matter(text)
    assert json.loads(fields["indicator_number"]) == "turnout"
    assert json.loads(fields["indicator_name"]) == 'Turnout of the "Integrationsrat" election'
    assert json.loads(fields["reporting_status"]) == "complete"
    assert json.loads(fields["graph_type"]) == "line"
    assert json.loads(fields["computation_units"]) == "%"
    assert fields["data_non_statistical"] == "false"
    assert json.loads(fields["source_organisation_1"]) == "Stadt Münster, Wahlamt"
    assert 'graph_target_lines:\n  - value: 25\n    label: "Ziel 2025"\n---\n' in text
    assert text.endswith("---\n\nShare of the eligible voters who voted.\n\nSource: Wahlamt.\n")


def test_write_opensdg_meta_without_data_or_target_and_hostile_strings():
    name = 'a: b # c\\d\n"e"\x01\x7f\ufeff'
    text = write_opensdg_meta(
        {"id": "x", "name": name, "unit": "", "definition": "", "target": None, "has_data": False}
    )
    fields = front_matter(text)
    assert json.loads(fields["reporting_status"]) == "notstarted"
    assert "graph_target_lines" not in text
    assert text.endswith('computation_units: ""\n---\n')
    # a YAML double-quoted scalar that is also a JSON string; line breaks collapse in names
    assert json.loads(fields["indicator_name"]) == 'a: b # c\\d "e"\x01\x7f\ufeff'
    assert "\x01" not in text and "\ufeff" not in text
    assert check_opensdg_meta(text) == []


def test_check_opensdg_meta_problems():
    assert [str(p) for p in check_opensdg_meta("no front matter")] == [
        "row 1: the file does not start with YAML front matter ('---')"
    ]
    assert [str(p) for p in check_opensdg_meta("---\nreporting_status: complete\n")] == [
        "The front matter is not closed by a '---' line"
    ]
    text = '---\nreporting_status: complete\ngraph_type: ""\nindicator_number: 1\n---\nBody\n'
    assert [str(p) for p in check_opensdg_meta(text)] == [
        "row 3: 'graph_type' is empty",
        "The front matter has no 'graph_title'",
    ]


def test_opensdg_paths():
    assert opensdg_paths("mig-share") == ("data/indicator_mig-share.csv", "meta/mig-share.md")
    assert opensdg_paths("1.2.1") == ("data/indicator_1-2-1.csv", "meta/1-2-1.md")
    with pytest.raises(ValueError):
        opensdg_paths("../etc")


# --- areas ----------------------------------------------------------------------------


SMALL = [
    Area("05515000", "Münster", "city"),
    Area("8", "Münster-Südost", "borough"),
    Area("9", "Münster-Hiltrup", "borough"),
    Area("34", "Düesbergweg", "district"),
    Area("91", "Berg Fidel", "district"),
    Area("95", "Hiltrup-Ost", "district"),
    Area("97", "Hiltrup-West", "district"),
    Area("29", "Schloss", "district"),
]


@pytest.mark.parametrize(
    ("given", "code", "note"),
    [
        ("34", "34", None),
        ("034", "34", "'034' read as 'Düesbergweg' (34)"),
        ("düesbergweg", "34", None),
        ("Düesberg", "34", "'Düesberg' read as 'Düesbergweg' (34)"),
        ("Duesbergweg", "34", "'Duesbergweg' read as 'Düesbergweg' (34)"),
        ("Süd-Ost", "8", "'Süd-Ost' read as 'Münster-Südost' (8)"),
        ("Muenster-Hiltrup", "9", "'Muenster-Hiltrup' read as 'Münster-Hiltrup' (9)"),
        ("Hiltrup Ost", "95", "'Hiltrup Ost' read as 'Hiltrup-Ost' (95)"),
        ("Berg-Fidel", "91", "'Berg-Fidel' read as 'Berg Fidel' (91)"),
        ("Schloß", "29", None),
        ("Gesamtstadt", "05515000", "'Gesamtstadt' read as 'Münster' (05515000)"),
        ("Stadt Münster", "05515000", "'Stadt Münster' read as 'Münster' (05515000)"),
    ],
)
def test_area_matcher_forgiving(given, code, note):
    area, message, got_note = AreaMatcher(SMALL).resolve_with_note(given)
    assert (area.code if area else None, message, got_note) == (code, None, note)


def test_area_matcher_never_guesses():
    matcher = AreaMatcher(SMALL)
    assert matcher.resolve("Hiltrup-") == (SMALL[2], None)  # the borough, by its short name
    assert matcher.resolve("Hiltr") == (
        None,
        "the area 'Hiltr' is ambiguous: it could be 'Münster-Hiltrup' (9), 'Hiltrup-Ost' (95) "
        "or 'Hiltrup-West' (97); give the full name or the code",
    )
    assert matcher.resolve("Hilt") == (
        None,
        "there is no area 'Hilt'; did you mean 'Münster-Hiltrup' (9)?",
    )
    assert matcher.resolve("Zoo") == (
        None,
        "there is no area 'Zoo' and no area with a similar name",
    )
    assert matcher.resolve("  ") == (None, "the area is blank")


def test_area_matcher_same_name_on_two_levels_is_ambiguous():
    matcher = AreaMatcher([Area("1", "Mitte", "borough"), Area("11", "Mitte", "district")])
    area, message = matcher.resolve("Mitte")
    assert area is None
    assert message == (
        "the area 'Mitte' is ambiguous: it could be 'Mitte' (1) or 'Mitte' (11); "
        "give the full name or the code"
    )
    assert matcher.resolve("11")[0] == Area("11", "Mitte", "district")


def test_area_matcher_city_prefixes_come_from_the_city_area():
    matcher = AreaMatcher(
        [Area("0", "Köln", "city"), Area("1", "Köln-Innenstadt", "borough")],
        city_prefixes=(),
    )
    assert matcher.resolve("Innenstadt")[0].code == "1"
    assert matcher.resolve("Koeln Innenstadt")[0].code == "1"
    assert (
        AreaMatcher([Area("1", "Köln-Innenstadt", "borough")], city_prefixes=()).resolve(
            "Innenstadt"
        )[0]
        is None
    )


def load_geojson(name: str, level: str) -> list[Area]:
    path = MUENSTER / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return [
        Area(
            f"{f['properties']['Nr']:02d}" if level == "district" else str(f["properties"]["Nr"]),
            f["properties"]["Name"],
            level,
        )
        for f in features
    ]


@pytest.fixture(scope="module")
def muenster() -> list[Area]:
    boroughs = load_geojson("Ebene_1_Stadtbezirke.geojson", "borough")
    districts = load_geojson("Ebene_2_Stadtteil.geojson", "district")
    assert (len(boroughs), len(districts)) == (9, 45)
    return boroughs + districts


def test_muenster_every_name_and_code_resolves_to_itself(muenster):
    matcher = AreaMatcher(muenster)
    for area in muenster:
        assert matcher.resolve_with_note(area.name) == (area, None, None), area
        assert matcher.resolve_with_note(area.code) == (area, None, None), area
        assert matcher.resolve(area.name.upper())[0] == area


def test_muenster_forgiving_names(muenster):
    matcher = AreaMatcher(muenster)
    names = {a.name: a for a in muenster}
    assert "Düesbergweg" in names  # the file spells the full name
    assert matcher.resolve("Düesberg")[0] == names["Düesbergweg"]
    southeast = {matcher.resolve(g)[0] for g in ("Süd-Ost", "Südost", "Münster-Südost")}
    assert southeast == {names["Münster-Südost"]}
    assert matcher.resolve("Muenster-Hiltrup")[0] == names["Münster-Hiltrup"]
    assert matcher.resolve("Hiltrup")[0] == names["Münster-Hiltrup"]
    assert matcher.resolve("Ueberwasser")[0] == names["Überwasser"]
    assert matcher.resolve("Amelsbueren")[0] == names["Amelsbüren"]
    assert matcher.resolve("Gremmendorf West")[0] == names["Gremmendorf-West"]
    assert matcher.resolve("Ost")[0] == names["Münster-Ost"]


def test_muenster_unknown_and_ambiguous(muenster):
    matcher = AreaMatcher(muenster)
    area, message = matcher.resolve("Hiltorp")
    assert area is None
    assert message.startswith("there is no area 'Hiltorp'; did you mean 'Münster-Hiltrup' (9)")
    assert message.count("(") == 3  # three suggestions
    for prefix in ("Mauritz", "Kinderhaus", "Gremmendorf", "Mitte"):
        area, message = matcher.resolve(prefix)
        assert area is None
        assert message.startswith(f"the area '{prefix}' is ambiguous: it could be ")


# --- validation -------------------------------------------------------------------------


INDICATORS = {
    "mig-share": {"unit": "%", "disaggregations": ["sex", "age_group"]},
    "turnout": {"unit": "%", "disaggregations": []},
}


def test_validate_resolves_areas_and_normalises_rows():
    rows = [
        ObservationRow(2, "mig-share", 2014, "", {}, 31.2),
        ObservationRow(3, "mig-share", 2014, "Düesberg", {"Sex": "female"}, 30.0, "%"),
        ObservationRow(4, "mig-share", 2015, "Düesberg", {}, 29.0),
        ObservationRow(5, "turnout", 2014, "Gesamtstadt", {}, 19.8),
        ObservationRow(6, "turnout", 2014, "95", {}, 17.0),
    ]
    valid, problems, notes = validate(rows, indicators=INDICATORS, areas=AreaMatcher(SMALL))
    assert problems == []
    assert [(r.row, r.area, r.unit, r.disaggregation) for r in valid] == [
        (2, "", "%", {}),
        (3, "34", "%", {"sex": "female"}),
        (4, "34", "%", {}),
        (5, "", "%", {}),
        (6, "95", "%", {}),
    ]
    assert notes == [
        "rows 3, 4: 'Düesberg' read as 'Düesbergweg' (34)",
        "row 5: 'Gesamtstadt' read as 'Münster' (05515000)",
    ]
    assert rows[1].area == "Düesberg"  # the input is not changed


def test_validate_collects_problems():
    rows = [
        ObservationRow(2, "mig-shares", 2014, "", {}, 1.0),
        ObservationRow(3, "mig-share", 2014, "Hiltr", {}, 1.0),
        ObservationRow(4, "mig-share", 2014, "", {}, 1.0, "Prozent"),
        ObservationRow(5, "turnout", 2014, "", {"sex": "female"}, 1.0),
        ObservationRow(6, "mig-share", 2016, "Südost", {}, 1.0),
        ObservationRow(7, "mig-share", 2016, "Süd-Ost", {}, 2.0),
    ]
    _valid, problems, _notes = validate(rows, indicators=INDICATORS, areas=AreaMatcher(SMALL))
    assert [str(p) for p in problems] == [
        "row 2, column 'indicator': there is no indicator 'mig-shares'; did you mean 'mig-share'?",
        "row 3, column 'area': the area 'Hiltr' is ambiguous: it could be "
        "'Münster-Hiltrup' (9), 'Hiltrup-Ost' (95) or 'Hiltrup-West' (97); "
        "give the full name or the code",
        "row 4, column 'unit': 'Prozent' is not the unit of indicator 'mig-share' (expected '%')",
        "row 5, column 'sex': indicator 'turnout' is not broken down by 'sex' "
        "(its disaggregations: none); value 'female'",
        "row 7: duplicates row 6: same indicator 'mig-share', period 2016, area '8'; "
        "'Süd-Ost' here and 'Südost' there are the same area",
    ]


# --- progress -------------------------------------------------------------------------


def test_progress_turnout_2010_2014_towards_25_by_2025():
    result = progress([(2010, 9.4), (2014, 19.8)], direction="increase", target=25, deadline=2025)
    assert result.status == "on_track"
    assert result.method == "cagr"
    assert result.trend == "up"
    assert result.baseline == (2010, 9.4)
    assert result.latest == (2014, 19.8)
    assert result.rate == pytest.approx((19.8 / 9.4) ** (1 / 4) - 1)
    assert result.required_rate == pytest.approx((25 / 9.4) ** (1 / 15) - 1)
    assert result.ratio == pytest.approx(3.038, abs=1e-3)
    assert result.explanation == (
        "From 9.4 in 2010 to 19.8 in 2014 the value rose by 20.5 % a year; reaching the "
        "target of at least 25 by 2025 needs a rise of 6.7 % a year. At 3.04 times the "
        "required pace it is on track."
    )


def ratio_for(latest: float) -> float:
    # baseline 100 (2010) → latest (2015); target 200 by 2020: required CAGR 2**0.1 - 1
    return ((latest / 100) ** (1 / 5) - 1) / (2 ** (1 / 10) - 1)


@pytest.mark.parametrize(
    ("latest", "status"),
    [
        (200, "achieved"),
        (141.5, "on_track"),  # ratio ≈ 1.0
        (139.5, "on_track"),  # ratio ≈ 0.96
        (138.0, "at_risk"),  # ratio ≈ 0.93
        (125, "at_risk"),  # ratio ≈ 0.64
        (117, "off_track"),  # ratio ≈ 0.44
        (110, "off_track"),
        (100, "off_track"),
        (90, "off_track"),
    ],
)
def test_progress_thresholds(latest, status):
    result = progress(
        [(2010, 100), (2015, latest)], direction="increase", target=200, deadline=2020
    )
    assert result.status == status
    if status != "achieved":
        assert result.ratio == pytest.approx(ratio_for(latest))


def test_progress_threshold_edges():
    # linear (baseline 0): 0 in 2010, target 10 by 2020 needs 1 a year; ratio = latest / 5
    def at(ratio: float) -> str:
        series = [(2010, 0.0), (2015, 5 * ratio)]
        return progress(series, direction="increase", target=10, deadline=2020).status

    assert at(0.95) == "on_track"
    assert at(0.9499) == "at_risk"
    assert at(0.5) == "at_risk"
    assert at(0.4999) == "off_track"


def test_progress_wrong_direction_and_flat():
    down = progress([(2010, 10), (2014, 8)], direction="increase", target=20, deadline=2030)
    assert (down.status, down.trend) == ("off_track", "down")
    assert down.ratio < 0
    assert down.explanation.endswith("It is moving away from the target: off track.")
    flat = progress([(2010, 10), (2014, 10)], direction="increase", target=20, deadline=2030)
    assert (flat.status, flat.trend, flat.ratio) == ("off_track", "flat", 0.0)
    assert "the value stayed;" in flat.explanation


def test_progress_decrease():
    result = progress([(2015, 12.0), (2019, 9.0)], direction="decrease", target=6, deadline=2025)
    assert result.status == "on_track"
    assert result.ratio == pytest.approx(((9 / 12) ** 0.25 - 1) / ((6 / 12) ** 0.1 - 1))
    assert "needs a fall of" in result.explanation
    done = progress([(2015, 12.0), (2019, 5.0)], direction="decrease", target=6, deadline=2025)
    assert done.status == "achieved"
    assert done.explanation == "The latest value, 5 in 2019, meets the target of at most 6."


def test_progress_zero_and_negative_values_use_linear_rates():
    to_zero = progress([(2010, 8), (2014, 4)], direction="decrease", target=0, deadline=2020)
    assert to_zero.method == "linear"
    assert to_zero.rate == pytest.approx(-1.0)
    assert to_zero.required_rate == pytest.approx(-0.8)
    assert to_zero.status == "on_track"
    from_zero = progress([(2010, 0), (2012, 3)], direction="increase", target=10, deadline=2020)
    assert (from_zero.method, from_zero.status) == ("linear", "on_track")
    negative = progress([(2010, -5), (2015, -3)], direction="increase", target=0, deadline=2020)
    assert negative.ratio == pytest.approx(0.4 / 0.5)
    assert negative.status == "at_risk"


def test_progress_deadline_passed_and_fallen_back():
    late = progress([(2010, 10), (2021, 19)], direction="increase", target=20, deadline=2020)
    assert late.status == "off_track"
    assert "the deadline 2020 has passed" in late.explanation
    fallen = progress([(2010, 30), (2014, 20)], direction="increase", target=25, deadline=2025)
    assert fallen.status == "off_track"
    assert fallen.ratio is None
    assert fallen.explanation.endswith(
        "it met the target of at least 25 in 2010 but no longer does."
    )


def test_progress_no_data():
    kw = {"direction": "increase", "target": 25.0, "deadline": 2025}
    assert progress([], **kw).status == "no_data"
    one = progress([(2014, 19.8)], **kw)
    assert (one.status, one.trend, one.latest) == ("no_data", "", (2014, 19.8))
    assert one.explanation == (
        "There is only one observation (2014); two are needed to measure progress."
    )
    no_target = progress(
        [(2010, 9.4), (2014, 19.8)], direction="increase", target=None, deadline=None
    )
    assert (no_target.status, no_target.trend) == ("no_data", "up")
    no_deadline = progress(
        [(2010, 9.4), (2014, 19.8)], direction="increase", target=25, deadline=None
    )
    assert no_deadline.status == "no_data"
    # a single observation that already meets the target is achieved
    assert progress([(2014, 30.0)], **kw).status == "achieved"


def test_progress_baseline_and_cleaning():
    series = [(2014, 19.8), (2010, 9.4), (2012, None), (2013, float("nan"))]
    result = progress(series, direction="increase", target=25, deadline=2025)
    assert (result.baseline, result.latest) == ((2010, 9.4), (2014, 19.8))
    given = progress(
        [(2014, 19.8)], direction="increase", target=25, deadline=2025, baseline=(2010, 9.4)
    )
    assert given.ratio == pytest.approx(result.ratio)
    with pytest.raises(ValueError, match="two values for 2014"):
        progress([(2014, 1.0), (2014, 2.0)], direction="increase", target=3, deadline=2020)
    with pytest.raises(ValueError, match="direction"):
        progress([], direction="up", target=3, deadline=2020)
