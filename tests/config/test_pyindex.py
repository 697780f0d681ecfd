from __future__ import annotations

import ast

from agentcheck import pyindex
from tests.config.conftest import MakeProject

SRC_LAYOUT = {
    "langgraph.json": '{"dependencies": ["."], "graphs": {"a": "./src/app/graph.py:graph"}}',
    "src/app/__init__.py": "from .graph import graph as exported\n",
    "src/app/graph.py": """\
        from typing import TYPE_CHECKING
        import os, json
        from langgraph.graph import StateGraph
        from . import tools
        from .tools.search import search_tool
        from app.util import helper
        import ns.inner.thing as thing
        try:
            import ujson
        except ImportError:
            ujson = None
        if TYPE_CHECKING:
            from mypy_extensions import X

        builder = StateGraph(dict)
        app = builder.compile()
        graph = app

        def lazy():
            import requests
        """,
    "src/app/tools/__init__.py": "X = 1\n",
    "src/app/tools/search.py": "import httpx\nsearch_tool = 1\n",
    "src/app/util.py": "helper = 2\n",
    "ns/inner/thing.py": "from langchain_openai import ChatOpenAI\n",
    "unrelated.py": "import numpy\n",
}


def test_search_roots_put_src_and_config_dirs_before_the_root(make_project: MakeProject) -> None:
    project = make_project(
        {
            "services/agent/langgraph.json": '{"dependencies": [".", "./lib"], "graphs": {}}',
            "services/agent/lib/x.py": "",
            "services/agent/g.py": "",
            "src/pkg/m.py": "",
        }
    )
    roots = pyindex.search_roots(project)
    assert roots[-1] == ""
    assert roots.index("services/agent/lib") < roots.index("services/agent") < roots.index("")
    assert "src" in roots


def test_module_path_and_module_name_round_trip(make_project: MakeProject) -> None:
    project = make_project(SRC_LAYOUT)
    assert pyindex.module_path(project, "app.tools.search") == "src/app/tools/search.py"
    assert pyindex.module_path(project, "app.tools") == "src/app/tools/__init__.py"
    assert pyindex.module_path(project, "app.nope") is None
    assert pyindex.module_path(project, "not a module") is None
    assert pyindex.module_name(project, "src/app/tools/search.py") == "app.tools.search"
    assert pyindex.module_name(project, "src/app/__init__.py") == "app"
    # a namespace package (no __init__.py) below the root
    assert pyindex.module_name(project, "ns/inner/thing.py") == "ns.inner.thing"
    assert pyindex.is_local_module(project, "ns.inner")
    assert not pyindex.is_local_module(project, "langgraph")


def test_module_path_with_explicit_roots(make_project: MakeProject) -> None:
    project = make_project({"lib/pkg/mod.py": "", "pkg/mod.py": ""})
    assert pyindex.module_path(project, "pkg.mod", search_roots=["lib"]) == "lib/pkg/mod.py"
    assert pyindex.module_path(project, "pkg.mod", search_roots=[""]) == "pkg/mod.py"


def test_imports_record_context_and_resolve_relative_names(make_project: MakeProject) -> None:
    project = make_project(SRC_LAYOUT)
    refs = {(r.module, r.level): r for r in pyindex.imports(project, "src/app/graph.py")}
    assert refs[("json", 0)].line == 2
    assert refs[("os", 0)].bound == ("os",)
    assert refs[("", 1)].absolute == "app"
    assert refs[("", 1)].names == ("tools",)
    assert refs[("tools.search", 1)].absolute == "app.tools.search"
    assert refs[("ujson", 0)].optional
    assert refs[("ujson", 0)].guarded
    assert refs[("mypy_extensions", 0)].type_checking
    assert refs[("requests", 0)].in_function
    assert not refs[("requests", 0)].guarded
    thing = refs[("ns.inner.thing", 0)]
    assert (thing.bound, thing.top, thing.is_from) == (("thing",), "ns", False)
    langgraph = refs[("langgraph.graph", 0)]
    assert (langgraph.line, langgraph.col, langgraph.names) == (3, 1, ("StateGraph",))


def test_relative_import_above_the_top_package_has_no_absolute_name(
    make_project: MakeProject,
) -> None:
    project = make_project({"top.py": "from .. import x\nfrom . import y\n"})
    refs = pyindex.imports(project, "top.py")
    assert [r.absolute for r in refs] == [None, None]


def test_imports_of_a_file_that_does_not_parse_are_empty(make_project: MakeProject) -> None:
    project = make_project({"bad.py": "def (:\n"})
    assert pyindex.imports(project, "bad.py") == []
    assert [f.code for f in project.problems] == ["AC100"]


def test_local_closure_follows_project_imports_transitively(make_project: MakeProject) -> None:
    project = make_project(SRC_LAYOUT)
    closure = pyindex.local_closure(project, ["src/app/graph.py"])
    assert closure[0] == "src/app/graph.py"
    assert set(closure) == {
        "src/app/graph.py",
        "src/app/__init__.py",
        "src/app/tools/__init__.py",
        "src/app/tools/search.py",
        "src/app/util.py",
        "ns/inner/thing.py",
    }


def test_local_closure_survives_import_cycles_and_skips_type_checking(
    make_project: MakeProject,
) -> None:
    project = make_project(
        {
            "a.py": "import b\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import c\n",
            "b.py": "import a\n",
            "c.py": "",
        }
    )
    assert pyindex.local_closure(project, ["a.py"]) == ["a.py", "b.py"]
    assert pyindex.local_closure(project, ["a.py"], include_type_checking=True) == [
        "a.py",
        "b.py",
        "c.py",
    ]


def test_top_level_bindings(make_project: MakeProject) -> None:
    project = make_project(
        {
            "m.py": """\
                from typing import TYPE_CHECKING
                import os.path
                a, b = 1, 2
                c: int = 3
                if os.environ.get("X"):
                    graph = "x"
                else:
                    graph = "y"
                try:
                    fast = 1
                except ImportError:
                    fast = None
                if TYPE_CHECKING:
                    only_for_types = 1
                def f(): ...
                class K: ...
                with open("f") as fh:
                    pass
                """
        }
    )
    bindings = pyindex.top_level_bindings(project, "m.py")
    assert isinstance(bindings["os"], ast.Import)
    assert isinstance(bindings["a"], ast.Constant)
    assert bindings["a"].value == 1
    assert isinstance(bindings["b"], ast.Constant)
    assert bindings["b"].value == 2
    assert isinstance(bindings["graph"], ast.Constant)
    assert bindings["graph"].value == "y"
    assert isinstance(bindings["fast"], ast.Constant)
    assert bindings["fast"].value is None
    assert isinstance(bindings["f"], ast.FunctionDef)
    assert isinstance(bindings["K"], ast.ClassDef)
    assert "fh" in bindings
    assert "c" in bindings
    assert "only_for_types" not in bindings


def test_resolve_name_follows_aliases_and_imports_across_modules(
    make_project: MakeProject,
) -> None:
    project = make_project(SRC_LAYOUT)
    where, node = pyindex.resolve_name(project, "src/app/graph.py", "graph") or ("", None)
    assert where == "src/app/graph.py"
    assert isinstance(node, ast.Call)
    assert isinstance(node.func, ast.Attribute)
    assert node.func.attr == "compile"
    # a package re-exporting a name from a submodule
    found = pyindex.resolve_name(project, "src/app/__init__.py", "exported")
    assert found is not None
    assert found[0] == "src/app/graph.py"
    # `from . import tools` binds a module
    found = pyindex.resolve_name(project, "src/app/graph.py", "tools")
    assert found is not None
    assert found[0] == "src/app/tools/__init__.py"
    assert isinstance(found[1], ast.Module)
    # `import ns.inner.thing as thing` binds the module itself
    found = pyindex.resolve_name(project, "src/app/graph.py", "thing")
    assert found is not None
    assert found[0] == "ns/inner/thing.py"
    # across modules to the definition
    found = pyindex.resolve_name(project, "src/app/graph.py", "search_tool")
    assert found is not None
    assert found[0] == "src/app/tools/search.py"
    # an external import stays where it is bound
    found = pyindex.resolve_name(project, "src/app/graph.py", "StateGraph")
    assert found is not None
    assert isinstance(found[1], ast.ImportFrom)
    assert pyindex.resolve_name(project, "src/app/graph.py", "nowhere") is None


def test_resolve_name_through_module_attribute_and_star_import(make_project: MakeProject) -> None:
    project = make_project(
        {
            "graphs/__init__.py": "",
            "graphs/impl.py": "graph = make()\n",
            "serve.py": "from graphs import impl\ngraph = impl.graph\n",
            "star.py": "from graphs.impl import *\n",
        }
    )
    found = pyindex.resolve_name(project, "serve.py", "graph")
    assert found is not None
    assert found[0] == "graphs/impl.py"
    found = pyindex.resolve_name(project, "star.py", "graph")
    assert found is not None
    assert found[0] == "graphs/impl.py"


def test_resolve_name_terminates_on_cycles(make_project: MakeProject) -> None:
    project = make_project(
        {"a.py": "from b import x\n", "b.py": "from a import x\n", "c.py": "x = y\ny = x\n"}
    )
    # The chain stops at the last binding before it would loop.
    found = pyindex.resolve_name(project, "a.py", "x")
    assert found is not None
    assert found[0] == "b.py"
    assert isinstance(found[1], ast.ImportFrom)
    found = pyindex.resolve_name(project, "c.py", "x")
    assert found is not None
    assert isinstance(found[1], ast.Name)
    assert found[1].id == "x"


def test_results_are_memoized_per_project(make_project: MakeProject) -> None:
    project = make_project(SRC_LAYOUT)
    assert pyindex.imports(project, "src/app/graph.py") is pyindex.imports(
        project, "src/app/graph.py"
    )
    first = pyindex.top_level_bindings(project, "src/app/util.py")
    assert pyindex.top_level_bindings(project, "src/app/util.py") is first


def test_top_level_names(make_project: MakeProject) -> None:
    project = make_project(SRC_LAYOUT)
    assert pyindex.top_level_names(project, "src") == {"app"}
    assert {"ns", "unrelated"} <= pyindex.top_level_names(project, "")


def test_files_that_are_not_python_are_never_parsed(make_project: MakeProject) -> None:
    project = make_project({"src/agent.ts": "export const graph = 1;\n"})
    assert pyindex.imports(project, "src/agent.ts") == []
    assert pyindex.top_level_bindings(project, "src/agent.ts") == {}
    assert pyindex.resolve_name(project, "src/agent.ts", "graph") is None
    assert project.problems == []


def test_uv_source_root_is_a_search_root(make_project: MakeProject) -> None:
    project = make_project(
        {
            "agent/langgraph.json": '{"source": {"kind": "uv", "root": ".."}, "graphs": {}}',
            "src/pkg/graph.py": "graph = 1\n",
            "agent/x.py": "",
        }
    )
    assert {"", "src", "agent"} <= set(pyindex.search_roots(project))
    assert pyindex.module_path(project, "pkg.graph") == "src/pkg/graph.py"
