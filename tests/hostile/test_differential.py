"""python-jsonschema, jsonschema-rs and ajv (in Node) give the same schema verdict on every
document pipespec's reader hands to the schema check: generated, edge-case and hostile ones;
and the Node checks report the same error codes at the same JSON Pointers as Python."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
from hypothesis import given, settings
from hypothesis import strategies as st
from node_producer import ajv_verdicts, node_findings
from strategies import documents

from pipespec.digest import seal_data
from pipespec.read import read_text
from pipespec.result import Err, Ok
from pipespec.schemas import (
    SCHEMA_FILES,
    fast_validator,
    inline_refs,
    load_schema,
    python_validator,
)
from pipespec.validate import validate_document

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE: dict[str, Any] = json.loads((ROOT / "examples" / "rag.json").read_text(encoding="utf-8"))
# Hypothesis examples drawn; each gives the document, its sealed form and MUTATIONS variants.
GENERATED = 40
MUTATIONS = 3

# Strings on which regex engines, Unicode handling or length counting could disagree.
EDGE_STRINGS = [
    "rag.clean", "rag.clean\n", "rag.clean\r", "rag.clean\r\n", "\nrag.clean", "rag\n.clean",
    "rag.clean\u2028", "rag.clean\u2029", "rag.clean\x85", "rag.clean\x00", "rag.clean\x0b",
    "rag\u0663", "Document\u0663", "\u0663", "\uff11.0.0", "1\u06f0.0", "rag.\uff43lean",
    "rag.cle\u0430n", "\u212aelvin", "\u017f", "\u0130d", "\u00e9", "e\u0301", "\U0001f600",
    "a\U0001f600", "list[\U0001f600]", "a" * 128, "a" * 129, "A" * 64, "A" * 65, "a b", "a.b",
    "a..b", ".a", "a.", "a\tb", "", " ", "1.0.0", "1.0.0\n", "1.0.0 ", "v1.0.0+build_7:x-y",
    "list[float]", "list[float]\n", "dict[str, list[int]]", "x[\u00e9]", "sha256:" + "0" * 64,
    "sha256:" + "0" * 64 + "\n", "sha256:" + "A" * 64, "sha256:" + "0" * 63, "\U0001f600" * 2048,
    "\U0001f600" * 2049, "a" * 2048, "a" * 2049, "\ud7ff\ue000\ufffd", "skip", "skip\n", "Map",
    "Map\n", "local\n", "1", "1\n",
]  # fmt: skip
OP_FIELDS = [
    "name",
    "type",
    "error_policy",
    "in_type",
    "out_type",
    "func_id",
    "func_version",
    "version",
]
ROOT_FIELDS = ["$schema", "version", "spec_version", "backend"]
NOT_STRINGS = [0, 1, 1.0, -1, 2.5, 1e300, True, False, None, [], {}, ["a"], {"a": 1}]
INTEGERS = [0, 1, -1, 2.0, 1e2, 64.0, 64.5, 4096, 4096.0, 4097.0, 1e300, -0.0, 1000000, 1000001, 9007199254740991]  # fmt: skip


def _set(doc: dict[str, Any], path: list[str | int], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    node: Any = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return doc


def _edge_cases() -> Iterator[Any]:
    """The example with one member replaced, for every edge value and field it could break."""
    for text in EDGE_STRINGS:
        for field in ROOT_FIELDS:
            yield _set(EXAMPLE, [field], text)
        for field in OP_FIELDS:
            yield _set(EXAMPLE, ["ops", 0, field], text)
        yield _set(EXAMPLE, ["materialization_points", 0], text)
        yield {**EXAMPLE, "monoids": {text: {"type": "built_in", "name": "sum"}}}
        yield {**EXAMPLE, "monoids": {"sum": {"type": "built_in", "name": text}}}
        yield {**EXAMPLE, "ops": [*EXAMPLE["ops"], {**EXAMPLE["ops"][0], text: 1}]}
    for value in NOT_STRINGS:
        for field in ["name", "func_id", "in_type", "version"]:
            yield _set(EXAMPLE, ["ops", 1, field], value)
        yield _set(EXAMPLE, ["spec_version"], value)
        yield _set(EXAMPLE, ["ops", 3, "sink_contract", "idempotent"], value)
        yield _set(EXAMPLE, ["ops", 0, "params"], value)
        yield _set(EXAMPLE, ["ops"], value)
    for value in INTEGERS:
        yield _set(EXAMPLE, ["ops", 2, "max_batch_size"], value)
        yield {**EXAMPLE, "resources": {"workers": value, "threads_per_worker": 1}}
        yield {**EXAMPLE, "resources": {"memory_limit_mb": value}}


def _mutated(doc: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """A generated document with one member changed, added or dropped."""
    doc = copy.deepcopy(doc)
    op = data.draw(st.sampled_from(doc["ops"]))
    kind = data.draw(st.sampled_from(["string", "other", "drop", "add", "integer"]))
    if kind == "string":
        target = data.draw(st.sampled_from([op, doc]))
        key = data.draw(st.sampled_from(sorted(target)))
        target[key] = data.draw(st.sampled_from(EDGE_STRINGS))
    elif kind == "other":
        key = data.draw(st.sampled_from(sorted(op)))
        op[key] = data.draw(st.sampled_from(NOT_STRINGS))
    elif kind == "drop":
        del op[data.draw(st.sampled_from(sorted(op)))]
    elif kind == "add":
        op[
            data.draw(st.sampled_from(["extra", "Version", "max_batch_size", "params", "func_id"]))
        ] = 1
    else:
        field = data.draw(st.sampled_from(["workers", "threads_per_worker", "memory_limit_mb"]))
        doc["resources"] = {field: data.draw(st.sampled_from(INTEGERS))}
    return doc


def _sealed(doc: dict[str, Any]) -> dict[str, Any]:
    sealed = seal_data(doc)
    assert isinstance(sealed, Ok)
    return sealed.value


def _generated() -> list[Any]:
    """A bounded, reproducible batch from Hypothesis: valid documents, sealed or not, and
    mutated ones."""
    collected: list[Any] = []

    @settings(max_examples=GENERATED, database=None)
    @given(documents(), st.data())
    def collect(doc: dict[str, Any], data: st.DataObject) -> None:
        # Generating a document costs far more than changing it, so each is used often.
        sealed = _sealed(doc)
        collected.extend([doc, sealed])
        collected.extend(_mutated(sealed, data) for _ in range(MUTATIONS))

    collect()
    return collected


def _hostile_texts() -> list[str]:
    """Every hostile-corpus document that is UTF-8 JSON text."""
    path = ROOT / "tests" / "hostile" / "test_hostile_corpus.py"
    spec = importlib.util.spec_from_file_location("hostile_corpus_cases", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclasses look their module up while being defined.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    found = []
    for case in module.CASES:
        try:
            found.append(case.content.decode("utf-8"))
        except UnicodeDecodeError:
            continue
    return found


def _vector_texts() -> list[str]:
    found = []
    for name in ("valid.json", "invalid.json"):
        body = json.loads((ROOT / "conformance" / name).read_text(encoding="utf-8"))
        for vector in body["vectors"]:
            found.append(vector["text"] if "text" in vector else json.dumps(vector["document"]))
    return found


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parsed(text: str) -> Any:
    """The value of a strict JSON text (no NaN or Infinity literals), as Python reads it."""
    return json.loads(text, parse_constant=_refuse_constant)


def _is_json(text: str) -> bool:
    try:
        _parsed(text)
    except (ValueError, RecursionError):
        return False
    return True


@cache
def _texts() -> tuple[str, ...]:
    """Every document of the comparison as JSON text: edge cases, generated ones, the hostile
    corpus and the conformance vectors, all that are strict JSON."""
    generated = [json.dumps(doc) for doc in [*_edge_cases(), *_generated()]]
    return tuple(t for t in [*generated, *_hostile_texts(), *_vector_texts()] if _is_json(t))


def test_three_validators_give_the_same_verdict_on_every_document(tmp_path: Path) -> None:
    texts = _texts()
    ajv = ajv_verdicts(list(texts), tmp_path)
    reference, compiled = python_validator(), fast_validator()
    disagreements = []
    for index, (text, node) in enumerate(zip(texts, ajv, strict=True)):
        doc = _parsed(text)
        verdicts = (reference.is_valid(doc), compiled.is_valid(doc), node)
        if len(set(verdicts)) > 1:
            disagreements.append(
                f"#{index} python-jsonschema, jsonschema-rs, ajv = {verdicts}: {text[:300]!a}"
            )
    assert disagreements == [], "\n".join(disagreements[:20])
    # The batch must be worth comparing: plenty of both verdicts.
    accepted = sum(ajv)
    assert accepted >= 100 and len(texts) - accepted >= 500, (accepted, len(texts))


# The one refusal the Node reader leaves out: the Python reader's size limits (the
# conformance vectors call that check `limits`). Everything else, duplicate keys included,
# is compared.
_READER_ONLY = {"LIMIT_EXCEEDED"}


def _python_pairs(text: str) -> set[tuple[str, str]]:
    match read_text(text, format="json"):
        case Err(error):
            return {(error.code, error.path)}
        case Ok(document):
            return {(error.code, error.path) for error in validate_document(document)}
    raise AssertionError("unreachable")


def test_node_reports_the_codes_and_pointers_python_reports(tmp_path: Path) -> None:
    # Beyond the verdict: reading, schema, names and digests give the same errors at the
    # same JSON Pointers, end to end from the text.
    texts = _texts()
    disagreements, reader_only = [], 0
    for index, (text, node) in enumerate(
        zip(texts, node_findings(list(texts), tmp_path), strict=True)
    ):
        python = _python_pairs(text)
        if any(code in _READER_ONLY for code, _ in python):
            reader_only += 1
        elif python != node:
            disagreements.append(
                f"#{index} python {sorted(python)}, node {sorted(node)}: {text[:300]!a}"
            )
    assert disagreements == [], "\n".join(disagreements[:20])
    assert reader_only <= 5, reader_only  # documents over a size limit, not a blind spot


# A divergence the schema closes: Python's `$` also matches before a final line feed.


def _without_guards(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            key: _without_guards(value)
            for key, value in schema.items()
            if not (key == "not" and value == {"type": "string", "pattern": "\\n"})
        }
    if isinstance(schema, list):
        return [_without_guards(item) for item in schema]
    return schema


def test_the_line_feed_guard_is_what_makes_python_and_rust_agree() -> None:
    doc = _set(EXAMPLE, ["ops", 0, "func_id"], "rag.clean\n")
    unguarded = _without_guards(inline_refs())
    assert jsonschema.Draft202012Validator(unguarded).is_valid(doc)  # Python's `$` matches
    assert not jsonschema_rs.validator_for(unguarded).is_valid(doc)  # Rust's does not
    assert not python_validator().is_valid(doc)
    assert not fast_validator().is_valid(doc)


# Regex features whose meaning differs between Python `re`, Rust `regex` and ECMAScript
# (with the `u` flag ajv sets): Unicode-aware classes (Python and Rust match non-ASCII digits
# with \d, ECMAScript does not), `.` (line terminators differ), anchors and inline flags
# only some engines have, and lookaround.
_NON_PORTABLE = re.compile(r"\\[dDwWsSbBAZzhHvVpPkK]|\(\?|(?<!\\)\.")


def _patterns() -> Iterator[tuple[str, str, str]]:
    def walk(node: Any, at: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    yield at, value
                elif key not in ("examples", "const", "enum", "default"):
                    yield from walk(value, f"{at}/{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                yield from walk(item, f"{at}/{index}")

    for name in SCHEMA_FILES:
        for at, pattern in walk(load_schema(name), "#"):
            yield name, at, pattern


def _outside_classes(pattern: str) -> str:
    """The pattern without its bracketed character classes (where `.` is a plain dot)."""
    return re.sub(r"\[(?:\\.|[^\]\\])*\]", "", pattern)


def test_every_pattern_uses_only_what_every_engine_reads_alike() -> None:
    found = [
        (name, at, pattern)
        for name, at, pattern in _patterns()
        if _NON_PORTABLE.search(_outside_classes(pattern)) or re.search(r"\\[dDwWsS]", pattern)
    ]
    assert found == []
    assert len(list(_patterns())) >= 10


def test_the_portability_check_would_catch_each_feature() -> None:
    for pattern in [r"^\d+$", r"^\w$", "^a.b$", r"(?i)^a$", r"^a(?=b)", r"^[\d]$", r"\Aa\Z"]:
        assert _NON_PORTABLE.search(_outside_classes(pattern)) or re.search(
            r"\\[dDwWsS]", pattern
        ), pattern
    for pattern in [r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$", r"^[0-9A-Za-z.+_:-]*$", "\\n"]:
        assert not (
            _NON_PORTABLE.search(_outside_classes(pattern)) or re.search(r"\\[dDwWsS]", pattern)
        ), pattern
