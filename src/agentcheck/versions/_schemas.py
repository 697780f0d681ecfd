"""A graph's state (and input, output, config, context) schema as its fields, from the AST.

A schema is a ``TypedDict``, a dataclass, a pydantic model, LangGraph's ``MessagesState`` or
prebuilt ``AgentState``, or a subclass of any of them in the project's code. Each field keeps
its annotation (``Annotated[...]`` unwrapped), its reducer (the first ``Annotated`` metadata
that can be called), whether it has a default, and where it is declared. Names are followed
with the graph reader's resolver (:func:`agentcheck.deployment._graphs.resolve_expr`), so a
schema imported from another module of the project is read where it is defined.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentcheck._astwalk import walk
from agentcheck.deployment._graphs import resolve_expr
from agentcheck.deployment._pynames import call_name, qualified_name
from agentcheck.deployment.model import Where

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["Schema", "SchemaField", "read_schema", "type_members"]

_MAX_DEPTH = 8
#: LangGraph's own schemas: name -> {field: (annotation, reducer)}.
_LIBRARY_SCHEMAS: dict[str, dict[str, tuple[str, str | None]]] = {
    "MessagesState": {"messages": ("list[AnyMessage]", "add_messages")},
    "AgentState": {"messages": ("Sequence[BaseMessage]", "add_messages")},
}
#: Bases that say what kind of schema a class is and add no field.
_KIND_BASES = {
    "TypedDict": "typeddict",
    "BaseModel": "pydantic",
    "RootModel": "pydantic",
    "BaseSettings": "pydantic",
    "Generic": "",
    "Protocol": "",
    "object": "",
}
_TYPING = ("typing.", "typing_extensions.", "t.")
_ALIASES = {
    "List": "list",
    "Dict": "dict",
    "Set": "set",
    "FrozenSet": "frozenset",
    "Tuple": "tuple",
    "Type": "type",
    "NoneType": "None",
}
_WRAPPERS = {"NotRequired", "Required", "ReadOnly", "Final"}
#: Managed values: computed for each step, never saved in a checkpoint.
_MANAGED = {"IsLastStep", "RemainingSteps", "IsLastStepManager", "RemainingStepsManager"}


@dataclass(frozen=True)
class SchemaField:
    """One field of a schema."""

    name: str
    #: The annotation as written, ``Annotated`` unwrapped (``list[str]``).
    annotation: str
    #: Its union members, normalized (``{"str", "None"}`` for ``Optional[str]``).
    members: frozenset[str]
    #: The reducer's name (``add_messages``, ``add`` for ``operator.add``), or None.
    reducer: str | None
    #: A default (or, for a TypedDict, not required): input and checkpoints may omit it.
    has_default: bool
    where: Where


@dataclass(frozen=True)
class Schema:
    """A schema class and its fields, inherited ones included."""

    name: str
    #: ``"typeddict"``, ``"pydantic"``, ``"dataclass"`` or ``"class"``.
    kind: str
    fields: Mapping[str, SchemaField]
    where: Where
    #: Every base was read: a field missing here is really missing.
    complete: bool

    @property
    def validates(self) -> bool:
        """Whether LangGraph builds the state through the class (a pydantic model or a
        dataclass): a value or field it does not accept is an error, not a silent change."""
        return self.kind in ("pydantic", "dataclass")


def _strip_typing(name: str) -> str:
    for prefix in _TYPING:
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return _ALIASES.get(name, name)


def _normal(node: ast.expr) -> str:
    """An annotation as text with typing spellings normalized (``List[str]`` -> ``list[str]``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return _normal(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return node.value
    if isinstance(node, ast.Name | ast.Attribute):
        return _strip_typing(ast.unparse(node))
    if isinstance(node, ast.Subscript):
        head = _normal(node.value)
        if head in _WRAPPERS or head == "Annotated":
            inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            return _normal(inner)
        if head in ("Optional", "Union"):
            return _union(type_members(node))
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return f"{head}[{', '.join(_normal(a) for a in args)}]"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union(type_members(node))
    return ast.unparse(node)


def _union(members: frozenset[str]) -> str:
    """Union members as one annotation, ``None`` last: ``int | str | None``."""
    return " | ".join(sorted(members, key=lambda m: (m == "None", m)))


def type_members(node: ast.expr) -> frozenset[str]:
    """The members of a union annotation, each normalized; one member for a plain type."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return type_members(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return frozenset({node.value})
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return type_members(node.left) | type_members(node.right)
    if isinstance(node, ast.Subscript):
        head = _normal(node.value)
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head in _WRAPPERS or head == "Annotated":
            return type_members(args[0])
        if head == "Optional":
            return type_members(args[0]) | {"None"}
        if head == "Union":
            return frozenset().union(*(type_members(a) for a in args))
    if isinstance(node, ast.Constant) and node.value is None:
        return frozenset({"None"})
    return frozenset({_normal(node)})


def _unwrap(annotation: ast.expr) -> tuple[ast.expr, list[ast.expr], bool]:
    """``(type, Annotated metadata, not required)`` of an annotation."""
    metadata: list[ast.expr] = []
    not_required = False
    node = annotation
    while isinstance(node, ast.Subscript):
        head = _normal(node.value)
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Annotated":
            metadata.extend(args[1:])
            node = args[0]
        elif head in _WRAPPERS:
            not_required = not_required or head == "NotRequired"
            node = args[0]
        else:
            break
    return node, metadata, not_required


def _reducer(project: Project, rel: str, metadata: list[ast.expr]) -> str | None:
    for meta in metadata:
        if isinstance(meta, ast.Name | ast.Attribute):
            return qualified_name(project, rel, call_name(meta)).rsplit(".", 1)[-1]
        if isinstance(meta, ast.Lambda):
            return ast.unparse(meta)
    return None


def _has_default(value: ast.expr | None) -> bool:
    """Whether a class attribute's value gives the field a default (``Field(...)`` and a bare
    ``field()`` do not)."""
    if value is None:
        return False
    if isinstance(value, ast.Call) and call_name(value.func).rsplit(".", 1)[-1] in (
        "Field",
        "field",
    ):
        keywords = {k.arg for k in value.keywords}
        if keywords & {"default", "default_factory"}:
            return True
        first = value.args[0] if value.args else None
        return first is not None and not (
            isinstance(first, ast.Constant) and first.value is Ellipsis
        )
    return True


def _decorator_kind(project: Project, rel: str, cls: ast.ClassDef) -> str | None:
    for deco in cls.decorator_list:
        func = deco.func if isinstance(deco, ast.Call) else deco
        qualified = qualified_name(project, rel, call_name(func))
        if qualified.endswith("dataclass"):
            return "pydantic" if qualified.startswith("pydantic") else "dataclass"
    return None


class _Reader:
    def __init__(self, project: Project) -> None:
        self.project = project

    def resolve_class(
        self, rel: str, expr: ast.expr, fn: ast.FunctionDef | ast.AsyncFunctionDef | None
    ) -> tuple[str, ast.ClassDef] | str | None:
        """A project class ``(file, ClassDef)``, a library name (``MessagesState``), or None."""
        if fn is not None and isinstance(expr, ast.Name):
            for node in walk(fn):
                if isinstance(node, ast.ClassDef) and node.name == expr.id:
                    return rel, node
        found = resolve_expr(self.project, rel, expr, fn)
        if found is not None and isinstance(found[1], ast.ClassDef):
            return found[0], found[1]
        if found is not None and isinstance(found[1], ast.Name | ast.Attribute):
            rel, expr = found[0], found[1]
        if isinstance(expr, ast.Name | ast.Attribute):
            qualified = qualified_name(self.project, rel, call_name(expr))
            return _strip_typing(qualified.rsplit(".", 1)[-1]) if qualified else None
        return None

    def read(
        self,
        rel: str,
        expr: ast.expr,
        fn: ast.FunctionDef | ast.AsyncFunctionDef | None,
        depth: int = 0,
    ) -> Schema | None:
        target = self.resolve_class(rel, expr, fn)
        where = Where(rel, getattr(expr, "lineno", 1), getattr(expr, "col_offset", 0) + 1)
        if isinstance(target, str):
            library = _LIBRARY_SCHEMAS.get(target)
            if library is None:
                return None
            known = {
                name: SchemaField(name, annotation, frozenset({annotation}), reducer, True, where)
                for name, (annotation, reducer) in library.items()
            }
            return Schema(target, "typeddict", known, where, complete=True)
        if target is None or depth > _MAX_DEPTH:
            return None
        cls_rel, cls = target
        fields: dict[str, SchemaField] = {}
        kind = _decorator_kind(self.project, cls_rel, cls)
        complete = True
        total = next(
            (
                not (isinstance(k.value, ast.Constant) and k.value.value is False)
                for k in cls.keywords
                if k.arg == "total"
            ),
            True,
        )
        for base in cls.bases:
            base_kind = self._base_kind(cls_rel, base)
            if base_kind is not None:
                kind = kind or base_kind or None
                continue
            inherited = self.read(cls_rel, base, None, depth + 1)
            if inherited is None:
                complete = False
                continue
            kind = kind or inherited.kind
            complete = complete and inherited.complete
            fields.update(inherited.fields)
        kind = kind or "class"
        for stmt in cls.body:
            if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
                continue
            name = stmt.target.id
            type_node, metadata, not_required = _unwrap(stmt.annotation)
            written = _normal(type_node)
            if name.startswith("_") or written.startswith("ClassVar") or written in _MANAGED:
                continue
            has_default = (
                not total or not_required or kind == "typeddict" or _has_default(stmt.value)
            )
            fields[name] = SchemaField(
                name=name,
                annotation=_normal(type_node),
                members=type_members(type_node),
                reducer=_reducer(self.project, cls_rel, metadata),
                has_default=has_default,
                where=Where(cls_rel, stmt.lineno, stmt.col_offset + 1),
            )
        return Schema(
            cls.name, kind, fields, Where(cls_rel, cls.lineno, cls.col_offset + 1), complete
        )

    def _base_kind(self, rel: str, base: ast.expr) -> str | None:
        """What a base that adds no fields makes the class (``""`` for neutral bases such as
        ``Generic[T]``); None for a base that has fields of its own."""
        if isinstance(base, ast.Subscript):
            base = base.value
        if not isinstance(base, ast.Name | ast.Attribute):
            return None
        name = qualified_name(self.project, rel, call_name(base)).rsplit(".", 1)[-1]
        found = resolve_expr(self.project, rel, base)
        if found is not None and isinstance(found[1], ast.ClassDef):
            return None  # a project class: read its fields
        return _KIND_BASES.get(name)


def read_schema(
    project: Project,
    rel: str,
    expr: ast.expr,
    fn: ast.FunctionDef | ast.AsyncFunctionDef | None = None,
) -> Schema | None:
    """The schema ``expr`` (used in ``rel``, inside ``fn``) names, or None when it is not a
    class agentcheck can read."""
    return _Reader(project).read(rel, expr, fn)
