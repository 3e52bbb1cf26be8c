import reflex as rx

from myapprentice_app.ui.components.layout import loading
from myapprentice_app.ui.navigation import home_for
from myapprentice_app.ui.state.session import authorise


class HomeState(rx.State):
    @rx.event
    async def load(self):
        principal, refusal = await authorise(self, None)
        if principal is None:
            return refusal
        return rx.redirect(home_for(principal.role))


def home_page() -> rx.Component:
    return loading()
