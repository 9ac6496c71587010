#!/usr/bin/env bash
# Regenerate the typed API client from the backend's OpenAPI document.
#   1. dump the backend's OpenAPI JSON into frontend/openapi.json
#   2. run openapi-typescript to write frontend/src/api/schema.ts: the types of every path and
#      component, plus one array of values per enum (--enum-values), so the SPA's selects and
#      filters list exactly the values the backend accepts. Fields with a default are optional
#      (--default-non-nullable false): a request may leave them out.
# Usage: scripts/gen-client.sh [OUT_DIR]   (OUT_DIR defaults to the frontend folder itself)
set -euo pipefail
FRONTEND="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$FRONTEND/.." && pwd)"
OUT="${1:-$FRONTEND}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
if [ ! -x "$PYTHON" ]; then
  echo "gen-client: no Python at $PYTHON (run 'make install' first, or set PYTHON)" >&2
  exit 1
fi
mkdir -p "$OUT/src/api"
# A signing secret is only needed so create_app() can start; nothing is signed here.
( cd "$ROOT/backend" && SECRET_KEY="${SECRET_KEY:-openapi-dump-only-0123456789abcdef0123456789}" \
  "$PYTHON" -c "import json; from app.main import create_app; print(json.dumps(create_app().openapi(), indent=1, sort_keys=True, ensure_ascii=False))" ) \
  > "$OUT/openapi.json.tmp"
mv "$OUT/openapi.json.tmp" "$OUT/openapi.json"
"$FRONTEND/node_modules/.bin/openapi-typescript" "$OUT/openapi.json" --enum-values --default-non-nullable false \
  -o "$OUT/src/api/schema.ts" >/dev/null
echo "gen-client: wrote $OUT/openapi.json and $OUT/src/api/schema.ts"
