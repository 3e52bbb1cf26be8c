from myapprentice_app.domain.whole_numbers import whole_number


def test_only_the_digits_0_to_9_spell_a_whole_number() -> None:
    assert [whole_number(text) for text in ("42", " 7 ", "0", "²", "٣", "-1", "1.5", "", "1e3")] == [
        42, 7, 0, None, None, None, None, None, None]
