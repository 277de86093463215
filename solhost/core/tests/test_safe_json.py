import pytest

from solhost.core.problems import InputProblems
from solhost.core.safe_json import MAX_DEPTH, load_json, text_problem, whole_number


def problems_of(data, **options) -> list[tuple[str, str]]:
    with pytest.raises(InputProblems) as caught:
        load_json(data, **options)
    return caught.value.problems


def test_a_plain_document_is_read_as_json_reads_it():
    assert load_json(b'\xef\xbb\xbf{"a": [1, "x", null]}') == {"a": [1, "x", None]}


def test_text_problems_name_nul_and_lone_surrogates():
    assert text_problem("fine é 😀") is None
    assert text_problem("a\x00b") == "contains a NUL character (U+0000)"
    assert "lone surrogate (U+D800)" in (text_problem("a\ud800") or "")


def test_bad_strings_and_keys_are_refused_with_their_json_paths():
    found = problems_of(r'{"name": "a\u0000", "list": ["ok", "\ud800"], "k\u0000": 1}')
    assert [where for where, _ in found] == ["$.name", '$["k\\u0000"]', "$.list[1]"]


def test_only_the_first_few_bad_strings_are_named():
    found = problems_of("[" + ", ".join([r'"\u0000"'] * 8) + "]")
    assert [where for where, _ in found][:5] == [f"$[{i}]" for i in range(5)]
    assert found[5] == ("$", "and 3 more strings like these")


def test_nesting_deeper_than_the_limit_is_refused_not_a_recursion_error():
    load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    deeper = MAX_DEPTH + 1
    assert problems_of("[" * deeper + "]" * deeper) == [
        ("$" + "[0]" * MAX_DEPTH, f"nests deeper than {MAX_DEPTH} levels")
    ]
    assert problems_of("[" * 100_000) == [("$", f"nests deeper than {MAX_DEPTH} levels")]


def test_syntax_encoding_and_constants_are_refused_where_they_are():
    assert problems_of("{not json", where="body")[0][1].startswith("is not JSON: ")
    assert problems_of(b"\xff") == [("$", "is not UTF-8 text (byte 1 is not)")]
    assert problems_of("[NaN]") == [("$", "NaN is not a JSON value: use a number or null")]
    assert problems_of("[-1e309]") == [("$", "-1e309 is too large for a number")]
    assert load_json("[1e308, 1.5e-400]") == [1e308, 0.0]
    assert problems_of("1" * 5000)[0][1].startswith("is not usable JSON")


def test_text_may_be_left_to_the_reader_while_depth_still_holds():
    assert load_json(r'["\u0000"]', check_text=False) == ["\x00"]
    assert problems_of("[" * 40 + "]" * 40, check_text=False)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("42", 42),
        ("9" * 30, int("9" * 30)),
        ("", None),
        ("-1", None),
        (" 1", None),
        ("²", None),
        ("٣", None),
        ("1.0", None),
        ("9" * 5000, None),  # more digits than int() reads
    ],
)
def test_a_whole_number_is_ascii_digits_alone(text, number):
    assert whole_number(text) == number
