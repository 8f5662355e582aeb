from __future__ import annotations

import pytest

from app.organisations.credit_code import check_character, normalise, problem_with

# A published sample code (GB 32100-2015 examples circulate with this one) and our own computed ones.
VALID = ["91350100M000100Y43", "52310105MJ00000011"]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code: str) -> None:
    assert problem_with(normalise(code)) is None


def test_check_character_is_computed_from_weights() -> None:
    # Recomputed from the standard's definition (weights are 3^i mod 31), independent of the module's table.
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [pow(3, i, 31) for i in range(17)]
    body = "91350100M000100Y4"
    total = sum(alphabet.index(c) * w for c, w in zip(body, weights, strict=True))
    assert check_character(body) == alphabet[(31 - total % 31) % 31] == "3"


def test_bad_check_character() -> None:
    problem = problem_with("91350100M000100Y44")
    assert problem is not None and problem.code == "credit_code_check"


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", ""])
def test_wrong_length(code: str) -> None:
    problem = problem_with(normalise(code))
    assert problem is not None and problem.code == "credit_code_length"


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_letters_outside_the_alphabet(letter: str) -> None:
    problem = problem_with("91350100M000100" + letter + "43")
    assert problem is not None and problem.code == "credit_code_charset"
    assert letter in problem.message


def test_lowercase_is_normalised_to_the_canonical_form() -> None:
    assert normalise("91350100m000100y43") == "91350100M000100Y43"
    assert problem_with(normalise("91350100m000100y43")) is None
    # Unnormalised lowercase is not silently accepted by the checker itself.
    problem = problem_with("91350100m000100y43")
    assert problem is not None and problem.code == "credit_code_charset"


def test_full_width_characters_are_folded() -> None:
    full_width = "９１３５０１００Ｍ０００１００Ｙ４３"
    assert normalise(full_width) == "91350100M000100Y43"
    assert problem_with(normalise(full_width)) is None
    assert problem_with(full_width) is not None


def test_surrounding_spaces_are_dropped_but_inner_spaces_are_not() -> None:
    assert problem_with(normalise("  91350100M000100Y43 ")) is None
    assert problem_with(normalise("91350100M 000100Y43")) is not None
