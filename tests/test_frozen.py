"""The quicker ``__init__`` of the nouns a scan makes by the hundred per page: the objects
it makes are the ones the dataclass would make (equal, hashed alike, frozen, pickled and
replaced alike), and a class it cannot build faithfully is refused when it is declared."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError, dataclass, field, fields, replace
from typing import Any

import pytest

from linkguard._frozen import quick_init
from linkguard.model import (
    Boundary,
    ClassifiedReference,
    Finding,
    Kind,
    PageRecord,
    Party,
    Reference,
    Severity,
)
from linkguard.scan.analysis import (
    InterstitialLink,
    MissingLink,
    OutboundLink,
    PageAnalysis,
    SeenThirdParty,
)


def _declared() -> type[Any]:
    """The same three fields, declared afresh: one class stays the dataclass's own, the other
    gets the quick ``__init__``."""

    @dataclass(frozen=True, slots=True)
    class Fields:
        a: int
        b: str = "b"
        c: tuple[int, ...] = ()

    return Fields


_Plain = _declared()
_Quick = quick_init(_declared())


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class _Keywords:
    a: int
    b: str = "b"


def _fields(obj: object) -> tuple[object, ...]:
    return tuple(getattr(obj, name) for name in ("a", "b", "c"))


@pytest.mark.parametrize(
    ("args", "kwargs"), [((1,), {}), ((1, "x"), {}), ((1,), {"c": (2,)}), ((), {"a": 3, "b": "y"})]
)
def test_the_quick_init_takes_what_the_dataclass_takes(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    assert _fields(_Quick(*args, **kwargs)) == _fields(_Plain(*args, **kwargs))


def test_the_quick_init_refuses_what_the_dataclass_refuses() -> None:
    with pytest.raises(TypeError):
        _Quick()
    with pytest.raises(TypeError):
        _Quick(1, "b", (), 4)
    with pytest.raises(TypeError):
        _Keywords(1)  # type: ignore[call-arg]
    assert _Keywords(a=1).b == "b"


def test_objects_stay_frozen_equal_hashed_pickled_and_replaced_alike() -> None:
    ref = Reference(Kind.LINK, "a", "href", "/x", "https://www.example.com/x", 3, '<a href="/x">')
    classified = ClassifiedReference(
        ref, Boundary(ref.url, "www.example.com", "example.com", Party.FIRST, "origin")
    )
    twin = Reference(Kind.LINK, "a", "href", "/x", "https://www.example.com/x", 3, '<a href="/x">')
    assert ref == twin and hash(ref) == hash(twin)
    assert pickle.loads(pickle.dumps(classified)) == classified
    assert replace(ref, line=5).line == 5 and ref.line == 3
    with pytest.raises(FrozenInstanceError):
        ref.line = 4  # type: ignore[misc]
    finding = Finding(
        rule="r", severity=Severity.WARNING, page="p", line=1, target="t", host="h",
        element="e", message="m",
    )  # fmt: skip
    assert pickle.loads(pickle.dumps(finding)) == finding and finding.evidence == "html"


def test_a_class_it_cannot_build_faithfully_is_refused() -> None:
    @dataclass(slots=True)
    class Mutable:
        a: int

    @dataclass(frozen=True, slots=True)
    class Factory:
        a: list[int] = field(default_factory=list)

    @dataclass(frozen=True, slots=True)
    class PostInit:
        a: int

        def __post_init__(self) -> None:
            pass

    for cls in (Mutable, Factory, PostInit):
        with pytest.raises(TypeError):
            quick_init(cls)


def test_the_state_pickle_carries_is_the_fields_in_order() -> None:
    finding = Finding(
        rule="r", severity=Severity.WARNING, page="p", line=1, target="t", host="h",
        element="e", message="m",
    )  # fmt: skip
    names = list(Finding.__dataclass_fields__)
    assert finding.__getstate__() == tuple(getattr(finding, name) for name in names)
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(finding, protocol)) == finding


def test_a_page_analysis_travels_back_from_a_worker_whole() -> None:
    finding = Finding(
        rule="r", severity=Severity.WARNING, page="p", line=1, target="t", host="h",
        element="e", message="m",
    )  # fmt: skip
    analysis = PageAnalysis(
        record=PageRecord(url="https://www.example.com/", status=200, depth=0),
        findings=(finding,),
        third_party=(SeenThirdParty("cdn.example.net", "example.net", "script", "CDN"),),
        follow=("https://www.example.com/a",),
        references=12,
        exempt=1,
        mechanisms=(("icon", 2),),
        via_interstitial=(InterstitialLink("https://www.example.com/out?u=x", finding),),
        outbound_links=(OutboundLink("https://other.example.org/", 7, '<a href="...">'),),
        missing=(MissingLink("https://www.example.com/gone", 9, "<a>", "link", False),),
    )
    # Every field travels, in the order the rebuilding function takes them: a field added
    # to PageAnalysis and not to its __reduce__ fails here, not in a pooled scan.
    rebuild, state = analysis.__reduce__()
    names = [item.name for item in fields(PageAnalysis)]
    assert len(state) == len(names)
    assert list(rebuild.__code__.co_varnames[: len(names)]) == names
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(analysis, protocol))
        assert back == analysis
        assert type(back.third_party[0]) is SeenThirdParty
        assert type(back.via_interstitial[0]) is InterstitialLink
        assert type(back.outbound_links[0]) is OutboundLink
        assert type(back.missing[0]) is MissingLink


def test_quick_objects_are_the_classes_own_and_match_the_dataclass_in_every_way() -> None:
    import copy

    quick, plain = _Quick(1, "x", (2,)), _Plain(1, "x", (2,))
    assert type(quick) is _Quick and isinstance(quick, _Quick)
    assert repr(quick).split("(", 1)[1] == repr(plain).split("(", 1)[1]  # the same class name
    assert quick == _Quick(1, "x", (2,)) and quick != _Quick(1, "y", (2,))
    assert hash(quick) == hash(_Quick(1, "x", (2,)))
    assert copy.copy(quick) == quick and copy.deepcopy(quick) == quick
    with pytest.raises(FrozenInstanceError):
        quick.a = 2
    with pytest.raises(FrozenInstanceError):
        del quick.a
    for cls in (Reference, ClassifiedReference, Boundary, Finding, PageRecord, PageAnalysis):
        assert "__init__" not in vars(cls)  # object's: __new__ builds the object


def test_every_quick_class_pickles_through_its_builder_at_every_protocol() -> None:
    ref = Reference(Kind.LINK, "a", "href", "/x", None, 3, "<a>", rel=frozenset({"noopener"}))
    boundary = Boundary(None, "", "", Party.FIRST, "invalid")
    objects = [
        ref, boundary, ClassifiedReference(ref, boundary), _Keywords(a=2),
        PageRecord(url="https://www.example.com/", status=200, depth=0),
    ]  # fmt: skip
    for obj in objects:
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
            back = pickle.loads(pickle.dumps(obj, protocol))
            assert type(back) is type(obj) and back == obj
            assert _fields_of(back) == _fields_of(obj)


def _fields_of(obj: object) -> tuple[object, ...]:
    return tuple(getattr(obj, item.name) for item in fields(obj))  # type: ignore[arg-type]


def test_a_quick_class_cannot_be_subclassed() -> None:
    with pytest.raises(TypeError, match="cannot be subclassed"):

        class Special(Reference):
            pass
