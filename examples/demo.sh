#!/bin/sh
# `make demo`: the main job on the embedded local backend. Check the sealed RAG spec against
# the installed registry (sealing a copy if the registry moved on), ingest the docstrings of
# this Python's standard library into an SQLite index, and answer a query from the index.
set -eu
BIN=$1
mkdir -p build
SPEC=examples/rag.yaml
echo "== check $SPEC against the installed registry"
if ! "$BIN/pipespec" check "$SPEC"; then
  echo "== the registry moved on: sealing a copy"
  "$BIN/pipespec" seal "$SPEC" -o build/rag.sealed.yaml
  SPEC=build/rag.sealed.yaml
fi
echo "== the JSON and YAML twins carry one digest"
for f in examples/rag.json examples/rag.yaml; do
  printf '%-20s %s\n' "$f" "$("$BIN/pipespec" hash "$f")"
done
STDLIB=$("$BIN/python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
echo "== ingest the standard library's docstrings from $STDLIB"
"$BIN/pipespec" run "$SPEC" --input "$STDLIB" --output build/rag
echo "== query: parse command line options and arguments"
"$BIN/python" -m funcpipe_rag.query build/rag/index.sqlite "parse command line options and arguments" -k 3
