from solhost.core.csv_text import CsvRecord, csv_records


def test_records_keep_the_line_they_start_on():
    text = 'date,note\n2026-10-03,"two\nlines"\n2026-10-04,one\n'
    assert list(csv_records(text)) == [
        CsvRecord(1, ["date", "note"]),
        CsvRecord(2, ["2026-10-03", "two\nlines"]),
        CsvRecord(4, ["2026-10-04", "one"]),
    ]


def test_every_way_of_ending_a_line_is_read_alike():
    for ending in ("\n", "\r\n", "\r"):
        text = ending.join(["date,amount", "2026-10-03,5", ""])
        assert [record.cells for record in csv_records(text)] == [
            ["date", "amount"],
            ["2026-10-03", "5"],
        ]


def test_a_file_read_no_further_ends_with_a_record_saying_why():
    text = "date,note\n2026-10-03," + "a" * 200_000 + "\n2026-10-04,one\n"
    *read, last = csv_records(text)
    assert read == [CsvRecord(1, ["date", "note"])]
    assert last.line == 2 and not last.cells
    assert last.problem.startswith("cannot be read as CSV (field larger than field limit")


def test_strict_reading_ends_at_a_quote_never_closed_on_the_line_it_opens():
    text = 'date,note\n2026-10-03,one\n2026-10-04,"never\nclosed\n'
    assert list(csv_records(text))[-1] == CsvRecord(3, ["2026-10-04", "never\nclosed\n"])
    assert list(csv_records(text, strict=True))[-1] == CsvRecord(
        3, problem='a quote (") opened on this line is never closed'
    )
