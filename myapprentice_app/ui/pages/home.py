import reflex as rx

from myapprentice_app.ui.components.layout import loading


def home_page() -> rx.Component:
    return loading()
