from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from myapprentice_app.domain.money import AmountsAre, document_totals, line_totals

D = Decimal


def test_exclusive_lines_are_rounded_to_cents_before_they_are_added() -> None:
    lines = [line_totals(D("3"), D("0.3333"), D("10"), AmountsAre.EXCLUSIVE) for _ in range(3)]
    assert lines[0].line_amount == D("1.00")
    assert lines[0].tax_amount == D("0.10")
    assert document_totals(lines, AmountsAre.EXCLUSIVE).total == D("3.30")


def test_inclusive_amounts_carry_their_gst_inside_the_total() -> None:
    line = line_totals(D("1"), D("110.00"), D("10"), AmountsAre.INCLUSIVE)
    totals = document_totals([line], AmountsAre.INCLUSIVE)
    assert (totals.subtotal, totals.total_tax, totals.total) == (D("100.00"), D("10.00"), D("110.00"))


def test_no_tax_invoices_add_no_tax_whatever_the_rate() -> None:
    line = line_totals(D("2"), D("49.995"), D("10"), AmountsAre.NO_TAX)
    assert line == line_totals(D("2"), D("49.995"), D("0"), AmountsAre.NO_TAX)
    assert document_totals([line], AmountsAre.NO_TAX).total == D("99.99")


amounts = st.decimals(min_value=D("-10000"), max_value=D("10000"), places=4)
quantities = st.decimals(min_value=D("0.0001"), max_value=D("1000"), places=4)


@given(st.lists(st.tuples(quantities, amounts, st.sampled_from([D("0"), D("10"), D("15")])), min_size=1,
                max_size=20), st.sampled_from(list(AmountsAre)))
def test_totals_always_equal_subtotal_plus_tax_in_whole_cents(lines, amounts_are) -> None:
    computed = [line_totals(q, u, r, amounts_are) for q, u, r in lines]
    totals = document_totals(computed, amounts_are)
    assert totals.total == totals.subtotal + totals.total_tax
    for value in (totals.total, totals.subtotal, totals.total_tax):
        assert value == value.quantize(D("0.01"))
