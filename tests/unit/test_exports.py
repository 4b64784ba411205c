import pytest

from paperless.dashboard.exports import looks_like_formula, neutralize, neutralize_row


@pytest.mark.parametrize("text", ["=1+1", "+81", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    [
        " =1+1",
        "   @SUM(A1)",
        '\u00a0=HYPERLINK("http://x")',
        "\u3000+81",
        "\n-2",
        "\u200b=1",
        "＝1+1",
        "＋81",
        "－2",
        "＠SUM(A1)",
        " \u00a0\u3000＝cmd",
    ],
    ids=[
        "space",
        "spaces",
        "no-break space",
        "ideographic space",
        "line feed",
        "zero-width space",
        "full-width equals",
        "full-width plus",
        "full-width minus",
        "full-width at",
        "blanks then full width",
    ],
)
def test_a_formula_behind_blanks_or_in_full_width_gets_an_apostrophe(text):
    assert looks_like_formula(text)
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("value", [-12, -0.5, 0, 3, None, "市民課", "a=b"])
def test_numbers_and_plain_text_are_kept(value):
    assert neutralize(value) == value


@pytest.mark.parametrize("text", ["", " ", "\u3000市民課", " a=b", "課＝係", "50%"])
def test_blanks_or_full_width_signs_inside_text_are_kept(text):
    assert neutralize(text) == text


def test_rows_are_neutralized_cell_by_cell():
    assert neutralize_row(["=cmd", -3, "課"]) == ["'=cmd", -3, "課"]
