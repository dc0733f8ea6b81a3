"""The committed examples: sealed, valid, and JSON / YAML twins with one digest."""

from __future__ import annotations

from pathlib import Path

from pipespec.read import read_path
from pipespec.result import Ok
from pipespec.validate import validate_document

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_rag_json_and_yaml_are_sealed_twins() -> None:
    documents = [read_path(EXAMPLES / name) for name in ("rag.json", "rag.yaml")]
    assert all(isinstance(result, Ok) for result in documents)
    as_json, as_yaml = (result.value for result in documents if isinstance(result, Ok))
    assert validate_document(as_json) == []
    assert validate_document(as_yaml) == []
    assert as_json.data["version"] == as_yaml.data["version"]
    without_hint = {k: v for k, v in as_json.data.items() if k != "$schema"}
    assert without_hint == as_yaml.data
    assert as_json.data["$schema"] == "../schema/pipeline.schema.json"
    assert as_yaml.text.startswith(
        "# yaml-language-server: $schema=../schema/pipeline.schema.json\n"
    )
