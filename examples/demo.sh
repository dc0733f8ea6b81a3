#!/bin/sh
# `make demo`: seal the example pipeline, then validate and hash its JSON and YAML forms.
set -eu
BIN=$1
mkdir -p build
echo "== seal examples/rag.yaml -> build/rag.sealed.yaml"
"$BIN/pipespec" seal --content-only examples/rag.yaml -o build/rag.sealed.yaml
echo "== validate the committed sealed twins and the fresh seal"
"$BIN/pipespec" validate examples/rag.json examples/rag.yaml build/rag.sealed.yaml
echo "== root digests (JSON and YAML twins agree)"
for f in examples/rag.json examples/rag.yaml build/rag.sealed.yaml; do
  printf '%-26s %s\n' "$f" "$("$BIN/pipespec" hash "$f")"
done
echo "== a tampered copy (chunk size 800 -> 801) is refused at the digests it breaks"
sed 's/size: 800/size: 801/' examples/rag.yaml > build/rag.tampered.yaml
if "$BIN/pipespec" validate build/rag.tampered.yaml; then
  echo "tampering went unnoticed" >&2
  exit 1
fi
