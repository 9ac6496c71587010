#!/usr/bin/env bash
# CI staleness check: regenerate the client into a temp dir and fail if the committed one differs.
set -euo pipefail
FRONTEND="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
bash "$FRONTEND/scripts/gen-client.sh" "$TMP" >/dev/null
status=0
for f in openapi.json src/api/schema.ts; do
  if ! diff -q "$FRONTEND/$f" "$TMP/$f" >/dev/null 2>&1; then
    echo "check-client: frontend/$f is stale; run 'npm run gen:client' (or 'make client') and commit it." >&2
    diff -u "$FRONTEND/$f" "$TMP/$f" | head -40 >&2 || true
    status=1
  fi
done
[ $status -eq 0 ] && echo "check-client: the committed API client matches the backend's OpenAPI document."
exit $status
