from app.money import yuan


def test_fen_are_shown_as_exact_yuan() -> None:
    assert yuan(0) == "0.00 元"
    assert yuan(5) == "0.05 元"
    assert yuan(123_456) == "1,234.56 元"
    assert yuan(-100_001) == "-1,000.01 元"
    assert yuan(10**15 + 1) == "10,000,000,000,000.01 元"  # beyond float precision, still exact
