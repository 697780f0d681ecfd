"""agentcheck's own probe graph, served next to the user's graphs during live checks.

The SSE and restart checks run this graph instead of the user's, so their verdicts depend on
the server and the proxy only. Its behaviour is driven entirely by the run input (see
:mod:`agentcheck.live.probe.graph`). This package does not import the graph: it is a file the
deployment makes available to the servers (:data:`FILES`) and names in the derived config
(:data:`GRAPHS`); importing it here would pull langgraph into every process that only needs
the path.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["FILES", "GRAPHS", "GRAPH_FILE", "GRAPH_ID", "GRAPH_SPEC", "RELEASE_ENV", "REPLICA_ENV"]

#: The graph id (assistant id) the probe is served under.
GRAPH_ID = "agentcheck_probe"
#: The module the server loads.
GRAPH_FILE = Path(__file__).resolve().with_name("graph.py")
#: The value for langgraph.json's ``graphs`` table when the server shares this filesystem.
GRAPH_SPEC = f"{GRAPH_FILE}:graph"
#: ``DeploymentSpec.files``: the probe, made available to the servers wherever they run.
FILES = {"agentcheck_probe/graph.py": GRAPH_FILE}
#: ``DeploymentSpec.extra_graphs``: the probe's graph id -> its file among :data:`FILES`.
GRAPHS = {GRAPH_ID: "agentcheck_probe/graph.py:graph"}
#: The environment variable naming a replica's index (0-based) in each server agentcheck starts;
#: the probe reports it, so a check knows which replica executes a run.
REPLICA_ENV = "AGENTCHECK_REPLICA"
#: The environment variable naming the version a server runs when agentcheck started another
#: version of the project beside the deployment (``v1.0.0``); unset for the working tree.
RELEASE_ENV = "AGENTCHECK_RELEASE"
