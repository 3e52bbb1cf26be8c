"""Choose a business: one button per business the signed-in person belongs to."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.services.auth import BusinessChoice
from myapprentice_app.ui.components.layout import card_page
from myapprentice_app.ui.state.business_picker import BusinessPickerState


def _choice(choice: rx.Var[BusinessChoice]) -> rx.Component:
    return rx.button(
        rx.hstack(rx.text(choice.name, weight="medium"), rx.spacer(), rx.badge(choice.role_label, variant="outline"),
                  width="100%"),
        on_click=BusinessPickerState.choose(choice.business_id),
        variant="surface",
        width="100%",
        data_testid="business-choice",
    )


def business_picker_page() -> rx.Component:
    return card_page(
        "Choose a business",
        rx.text("You're a member of more than one. You can switch later from the menu.", size="2"),
        rx.foreach(BusinessPickerState.businesses, _choice),
    )
