import pytest

from paperless.dashboard.exports import neutralize, neutralize_row


@pytest.mark.parametrize("text", ["=1+1", "+81", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("value", [-12, -0.5, 0, 3, None, "市民課", "a=b"])
def test_numbers_and_plain_text_are_kept(value):
    assert neutralize(value) == value


def test_rows_are_neutralized_cell_by_cell():
    assert neutralize_row(["=cmd", -3, "課"]) == ["'=cmd", -3, "課"]
