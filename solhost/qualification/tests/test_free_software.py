import pytest

from solhost.partners.licences import LicenceExpressionError
from solhost.qualification.free_software import judge_licence, licence_standing


@pytest.mark.parametrize(
    ("key", "standing"),
    [
        ("MIT", "OSI-approved, FSF-libre"),
        ("gpl-3.0-or-later", "OSI-approved, FSF-libre"),
        ("WTFPL", "FSF-libre"),
        ("Hippocratic-2.1", None),
        ("BUSL-1.1", None),
    ],
)
def test_standing_comes_from_spdx_osi_and_fsf_flags(key, standing):
    assert licence_standing(key, []) == standing


def test_the_liberatory_list_is_matched_without_regard_to_case():
    assert licence_standing("licenseref-reticulum", ["LicenseRef-Reticulum"]) == (
        "on the liberatory list"
    )


def test_and_needs_every_part_and_or_needs_one_alternative():
    assert judge_licence("MIT AND Apache-2.0", []).free
    assert judge_licence("BUSL-1.1 OR GPL-3.0-only", []).used == (
        "GPL-3.0-only (OSI-approved, FSF-libre)",
    )
    verdict = judge_licence("MIT AND (BUSL-1.1 OR SSPL-1.0)", [])
    assert not verdict.free
    assert [b.split(" ")[0] for b in verdict.blockers] == ["BUSL-1.1", "SSPL-1.0"]


def test_unreadable_expressions_cannot_be_judged():
    with pytest.raises(LicenceExpressionError, match="cannot read the licence expression"):
        judge_licence("MIT AND (", [])
