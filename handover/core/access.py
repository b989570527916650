"""Route access declarations. Every page and API route declares who may call it: `@public`, or a
named permission with `accounts.permissions.requires`; a route that declares nothing is refused
(see accounts.access.enforce_access)."""
from collections.abc import Callable

PUBLIC = frozenset({"__public__"})


def public(view: Callable) -> Callable:
    """Declare a view open to anyone, signed in or not."""
    view._access = PUBLIC
    return view


def declared_access(view: Callable, method: str = "GET") -> frozenset[str] | None:
    """The access a view declares (PUBLIC, or the roles of its permission), looking through
    MethodView classes and decorator wrappers."""
    return _declared(view, method, "_access")


def declared_permission(view: Callable, method: str = "GET") -> str | None:
    """The permission name a view declares with `requires`, or None (public or undeclared)."""
    return _declared(view, method, "_permission")


def _declared(view: Callable, method: str, attribute: str):
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        return _walk(handler, attribute) if handler else None
    return _walk(view, attribute)


def _walk(func: Callable, attribute: str):
    while func is not None:
        found = getattr(func, attribute, None)
        if found is not None:
            return found
        func = getattr(func, "__wrapped__", None)
    return None
