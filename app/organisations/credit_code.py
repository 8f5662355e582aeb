"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters from a 31-character alphabet (no I, O, S, V, Z); the last is a check character computed with
weights 3^(i) mod 31 over the first 17. Input is normalised first: surrounding spaces dropped, full-width
characters folded to ASCII (NFKC) and letters upper-cased, because that is how people paste codes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {char: index for index, char in enumerate(ALPHABET)}


# The messages as templates: the registration page's live check (app/portal/static/register.js) shows the same words.
MESSAGES = {
    "credit_code_length": "统一社会信用代码应为 18 位",
    "credit_code_charset": "统一社会信用代码含有不允许的字符：{chars}（不使用 I、O、S、V、Z）",
    "credit_code_check": "统一社会信用代码校验位不正确，请核对后重新输入",
    "credit_code_authority_mismatch": "统一社会信用代码第 1 位应为 5（民政部门登记），该代码不属于社会组织",
    "credit_code_type_mismatch": "统一社会信用代码第 2 位应为 {wanted}（{wanted_name}），该代码属于{held}",
}


def _problem(code: str, **values: str) -> CreditCodeProblem:
    return CreditCodeProblem(code, MESSAGES[code].format(**values))


@dataclass(frozen=True)
class CreditCodeProblem:
    code: str
    message: str


def normalise(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip().upper()


def check_character(first17: str) -> str:
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem_with(code: str) -> CreditCodeProblem | None:
    """None when ``code`` (already normalised) is valid, else what is wrong with it."""
    if len(code) != 18:
        return _problem("credit_code_length")
    bad = sorted({char for char in code if char not in _VALUE})
    if bad:
        return _problem("credit_code_charset", chars="".join(bad))
    if check_character(code[:17]) != code[17]:
        return _problem("credit_code_check")
    return None


# GB 32100 character 1 is the registration authority (5 = 民政, civil affairs: every 社会组织 registers there) and
# character 2 the organisation type within that authority. A valid code of another authority or type belongs to
# another kind of entity (a company's code starts with 9), so it cannot be this organisation's.
CIVIL_AFFAIRS = "5"
TYPE_CHARACTER = {
    "social_association": "1",  # 社会团体
    "social_service_institution": "2",  # 民办非企业单位 / 社会服务机构
    "foundation": "3",  # 基金会
}
TYPE_NAMES_ZH = {"1": "社会团体", "2": "民办非企业单位（社会服务机构）", "3": "基金会"}
OTHER_TYPE_ZH = "其他类型"


def type_problem(code: str, org_type: str) -> CreditCodeProblem | None:
    """None when the (valid, normalised) ``code`` fits an organisation of ``org_type``, else the mismatch."""
    wanted = TYPE_CHARACTER.get(str(org_type))
    if wanted is None:
        return None
    if code[:1] != CIVIL_AFFAIRS:
        return _problem("credit_code_authority_mismatch")
    if code[1:2] != wanted:
        held = TYPE_NAMES_ZH.get(code[1:2], OTHER_TYPE_ZH)
        return _problem("credit_code_type_mismatch", wanted=wanted, wanted_name=TYPE_NAMES_ZH[wanted], held=held)
    return None


def example(org_type: str, serial: str = "310000MJ0000000") -> str:
    """A valid code for ``org_type`` (documentation and examples)."""
    body = CIVIL_AFFAIRS + TYPE_CHARACTER[org_type] + serial
    return body + check_character(body)
