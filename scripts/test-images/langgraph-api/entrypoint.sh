#!/bin/sh
# The Agent Server, as the official langgraph-api image runs it: uvicorn serving
# langgraph_api.server:app on $PORT (8000), graphs from LANGSERVE_GRAPHS, the runtime chosen by
# LANGGRAPH_RUNTIME_EDITION (pg here: DATABASE_URI and REDIS_URI). HOST (0.0.0.0) is the address
# to bind: with host networking, 127.0.0.1 keeps it on loopback.
set -eu
exec uvicorn langgraph_api.server:app --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" \
  --no-access-log --log-config /api/logging.json "$@"
