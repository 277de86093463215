"""A table that may scroll sideways (in a ``.table-wrap``, on a phone) can be scrolled with
the keyboard and is named for a screen reader: the wrapper takes the focus, is a region,
and is labelled by its table's caption or heading (WCAG 2.1.1 and 4.1.2; axe-core's
scrollable-region-focusable). Checked in every template, since every one of them may be
read on a phone."""

import re
from pathlib import Path

import pytest

TEMPLATES = sorted(Path(__file__).resolve().parents[2].glob("**/templates/**/*.html"))
WRAPPER = re.compile(r"<div\s[^>]*class=\"table-wrap[\s\"][^>]*>", re.DOTALL)
LABELLED_BY = re.compile(r'aria-labelledby="([^"]+)"')


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 100


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_every_scrolling_table_takes_the_focus_and_has_a_name(template):
    html = template.read_text()
    for tag in WRAPPER.findall(html):
        assert 'tabindex="0"' in tag, f"{template}: {tag}"
        assert 'role="region"' in tag, f"{template}: {tag}"
        labelled_by = LABELLED_BY.search(tag)
        assert labelled_by or "aria-label=" in tag, f"{template}: {tag}"
        if labelled_by and "{{" not in labelled_by.group(1):
            # An id made in the template (a partial's comes from the page including it).
            assert f'id="{labelled_by.group(1)}"' in html, f"{template}: {tag}"
