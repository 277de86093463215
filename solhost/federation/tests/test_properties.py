import pytest

from solhost.federation.properties import properties_text
from solhost.federation.tests.java_properties import load


@pytest.mark.parametrize(
    "value",
    [
        "plain words",
        "a = b : c",
        "#not a comment",
        "!nor this",
        "  leading spaces kept",
        "Wurundjeri Woi-wurrung Country — naïve café, 100 %",
        "sun 🌞 on the roof",
        "two\nlines\tand a tab",
        "back\\slash",
        "",
    ],
)
def test_every_value_reads_back_as_written(value):
    assert load(properties_text([("service.description", value)])) == {"service.description": value}


def test_only_printable_ascii_is_written_so_any_reader_agrees():
    text = properties_text([("organization.name", "Café 🌞")], comment="ChatonsInfos: café")
    assert text.isascii()
    assert text.startswith("# ChatonsInfos: caf\\u00e9\n")
    assert "organization.name = Caf\\u00e9 \\ud83c\\udf1e\n" in text


def test_keys_with_separators_are_escaped():
    assert load(properties_text([("odd key=1", "v")])) == {"odd key=1": "v"}
