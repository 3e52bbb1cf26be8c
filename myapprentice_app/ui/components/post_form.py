"""A form the browser itself posts to one of our HTTP routes (sign-in, sign-out, accepting an invitation).

Reflex's own form always prevents the browser's submit to hand the fields to an event handler; these routes
must answer the browser directly, because only an HTTP response can set or clear the HttpOnly session cookie.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.vars.base import Var
from reflex_components_core.el.elements.base import BaseHTML


class PostForm(BaseHTML):
    tag = "form"
    action: Var[str]
    method: Var[str]


def post_form(*children: rx.Component, action: Any, **props: Any) -> rx.Component:
    return PostForm.create(*children, action=action, method="post", **props)
