"""The address bar's route parameters, read in the browser: they change the moment a link is followed, before
the page's on_load has reached the server, so a page can hide what it loaded for the previous address."""

from __future__ import annotations

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars.base import VarData

_PARAMS = VarData(imports={"react-router": [ImportVar(tag="useParams")]},
                  hooks={"const routeParams = useParams();": None})


def route_param(name: str) -> rx.Var[str]:
    """The route's [name] segment as the browser has it now ('' when the route has none)."""
    return rx.Var(_js_expr=f"(routeParams[{name!r}] ?? '')", _var_type=str, _var_data=_PARAMS)
