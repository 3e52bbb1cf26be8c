"""The app shell: role-aware navigation, the signed-in person, and the access states every page shares."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from myapprentice_app.domain.navigation import NavItem
from myapprentice_app.ui.components.post_form import post_form
from myapprentice_app.ui.state.session import NO_ACCESS, SessionState


def _nav_link(item: rx.Var[NavItem]) -> rx.Component:
    return rx.link(
        rx.hstack(rx.text(item.label), align="center"),
        href=item.href,
        underline="none",
        padding="0.5em 0.75em",
        border_radius="6px",
        width="100%",
        _hover={"background": rx.color("accent", 3)},
        data_testid="nav-link",
    )


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.heading("MyApprentice", size="5", padding_bottom="0.25em"),
        rx.text(SessionState.business_name, size="2", color_scheme="gray"),
        rx.divider(),
        rx.vstack(rx.foreach(SessionState.nav, _nav_link), width="100%", spacing="1", data_testid="navigation"),
        rx.spacer(),
        _who_am_i(),
        padding="1em",
        height="100vh",
        width="15em",
        position="sticky",
        top="0",
        border_right=f"1px solid {rx.color('gray', 5)}",
        display=["none", "none", "flex"],
    )


def mobile_bar() -> rx.Component:
    return rx.hstack(
        rx.heading("MyApprentice", size="4"),
        rx.spacer(),
        rx.menu.root(
            rx.menu.trigger(rx.button(rx.icon("menu"), variant="ghost", aria_label="Menu")),
            rx.menu.content(
                rx.foreach(SessionState.nav, lambda item: rx.menu.item(rx.link(item.label, href=item.href))),
                rx.menu.separator(),
                rx.cond(SessionState.several_businesses,
                        rx.menu.item(rx.link("Switch business", href="/choose-business")), rx.fragment()),
                sign_out_button(),
            ),
        ),
        padding="0.75em 1em",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        display=["flex", "flex", "none"],
        width="100%",
    )


def _who_am_i() -> rx.Component:
    return rx.vstack(
        rx.text(SessionState.user_name, weight="medium", size="2"),
        rx.badge(SessionState.role_label, variant="outline", data_testid="role"),
        rx.cond(SessionState.several_businesses,
                rx.link("Switch business", href="/choose-business", size="2", data_testid="switch-business"),
                rx.fragment()),
        sign_out_button(),
        spacing="1",
        align="start",
    )


def card_page(heading: str, *children: rx.Component) -> rx.Component:
    """A page of its own, outside the app shell (sign-in, choosing a business, an invitation): one card."""
    return rx.center(
        rx.card(
            rx.vstack(rx.heading(heading, size="6"), *children, width="100%", spacing="3"),
            width="min(26em, 92vw)",
            size="3",
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
    )


def sign_out_button() -> rx.Component:
    """A plain form post: the sign-out route revokes the session and clears its HttpOnly cookie."""
    return post_form(rx.button("Sign out", type="submit", variant="ghost", size="1"), action="/api/session/sign-out")


def forbidden() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("shield-x", size=40, color=rx.color("red", 9)),
            rx.heading(NO_ACCESS, size="5", data_testid="no-access"),
            rx.text("Your role doesn't include this page. Ask your Business Owner or Office Admin if you need it."),
            rx.link("Go to your start page", href="/"),
            align="center",
        ),
        padding_top="4em",
    )


def loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding_top="4em")


def page(title: str, content: Callable[[], rx.Component]) -> rx.Component:
    """Wrap a signed-in page: nothing but a spinner shows until the server has checked access."""
    return rx.hstack(
        sidebar(),
        rx.vstack(
            mobile_bar(),
            rx.box(
                rx.match(
                    SessionState.access,
                    ("ok", rx.vstack(rx.heading(title, size="7"), content(), width="100%", spacing="4")),
                    ("forbidden", forbidden()),
                    loading(),
                ),
                padding=["1em", "1.5em", "2em"],
                width="100%",
                max_width="80em",
            ),
            width="100%",
            spacing="0",
        ),
        spacing="0",
        width="100%",
        align="start",
    )


def field_label(text: str, html_for: str) -> rx.Component:
    """A <label> tied to its control (`htmlFor` given as an attribute: Radix Text would read html_for as CSS)."""
    return rx.text(text, as_="label", size="2", weight="medium", custom_attrs={"htmlFor": html_for})


def field_error(message: rx.Var) -> rx.Component:
    return rx.cond(message != "", rx.text(message, color_scheme="red", size="2", role="alert"), rx.fragment())
