"""Route access declarations. Every page and API route declares who may call it;
a route that declares nothing is refused (see accounts.access.enforce_access)."""
from collections.abc import Callable, Iterable

PUBLIC = frozenset({"__public__"})


def allow(*roles: str | Iterable[str]) -> Callable:
    """Declare the roles allowed to call a view (strings or iterables of strings)."""
    allowed: set[str] = set()
    for role in roles:
        allowed.update([role] if isinstance(role, str) else role)

    def mark(view: Callable) -> Callable:
        view._access = frozenset(allowed)
        return view

    return mark


def public(view: Callable) -> Callable:
    """Declare a view open to anyone, signed in or not."""
    view._access = PUBLIC
    return view


def declared_access(view: Callable, method: str = "GET") -> frozenset[str] | None:
    """The access a view declares, looking through MethodView classes and decorator wrappers."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        return _walk(handler) if handler else None
    return _walk(view)


def _walk(func: Callable) -> frozenset[str] | None:
    while func is not None:
        access = getattr(func, "_access", None)
        if access is not None:
            return access
        func = getattr(func, "__wrapped__", None)
    return None
