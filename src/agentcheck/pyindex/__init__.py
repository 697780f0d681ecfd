"""An index of the project's own Python code, built from ASTs: modules, imports, bindings.

Lint never imports the user's code. This module answers the questions rules ask about it from
source alone:

- :func:`module_path` / :func:`module_name`: a dotted module name to the file that defines it,
  and back. The search roots are the project root, ``src/`` (src layout), each langgraph.json
  directory and the local paths its ``dependencies`` list (see :func:`search_roots`).
- :func:`imports`: every import statement of a file, with its position, its absolute (level
  resolved) module name, and whether it only runs for type checkers (``if TYPE_CHECKING``) or is
  allowed to fail (inside ``try: ... except ImportError``).
- :func:`local_closure`: served files plus the project's own modules they import, transitively.
- :func:`top_level_bindings` / :func:`resolve_name`: what a module-level name is bound to,
  following simple aliases (``graph = app``) and ``from x import y`` across project modules.

Everything is computed lazily and memoized on the :class:`~agentcheck.project.Project` (via
:meth:`~agentcheck.project.Project.memo`), so rules share one index per run. Files that do not
parse are reported as AC100 by :meth:`~agentcheck.project.Project.python` and treated as empty.
The package: ``_roots`` (files, search roots, module names), ``_imports`` (import statements,
their files, closures) and ``_bindings`` (what a name is bound to).
"""

from agentcheck.pyindex._bindings import resolve_name, top_level_bindings
from agentcheck.pyindex._imports import (
    ImportRef,
    imports,
    local_closure,
    python_naming,
    resolve_import,
)
from agentcheck.pyindex._roots import (
    is_local_module,
    module_name,
    module_path,
    search_roots,
    top_level_names,
)

__all__ = [
    "ImportRef",
    "imports",
    "is_local_module",
    "local_closure",
    "module_name",
    "module_path",
    "python_naming",
    "resolve_import",
    "resolve_name",
    "search_roots",
    "top_level_bindings",
    "top_level_names",
]
