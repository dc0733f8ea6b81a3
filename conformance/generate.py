"""Write the conformance vectors in this folder from the cases below and pipespec's Python
behaviour, or check (`--check`) that the committed files are what it would write.

The cases are hand-written: inputs, what each vector covers and which checks it needs. The
expected outputs (canonical bytes, digests, sealed documents, error codes and pointers) are
what the Python implementation produces: it is the contract other implementations follow.
Where a case states its expected output by hand (the RFC 8785 examples), generation fails
unless Python agrees.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipespec.digest import canonical_bytes, digest, seal_data
from pipespec.read import read_text
from pipespec.result import Err, Ok
from pipespec.validate import validate_document

HERE = Path(__file__).resolve().parent
EXAMPLE_TEXT = (HERE.parent / "examples" / "rag.json").read_text(encoding="utf-8")
EXAMPLE: dict[str, Any] = json.loads(EXAMPLE_TEXT)
FORMAT = "pipespec-conformance/1"
HINT = "run: .venv/bin/python conformance/generate.py"

# What a runner must implement to run a vector (see README.md).
ALL_CHECKS = ("json", "values", "limits", "schema", "names", "digest")
SCHEMA = ("json", "values", "schema")
FULL = ("json", "values", "schema", "names", "digest")


# --- canonical JSON ---------------------------------------------------------------------

# RFC 8785 section 3.2.3: members sorted by their names as arrays of UTF-16 code units.
RFC_SORTING_INPUT = (
    '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With '
    'Dagesh", "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", '
    '"\\u00f6": "Latin Small Letter O With Diaeresis"}'
)
RFC_SORTING_OUTPUT = (
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With '
    'Diaeresis","\u20ac":"Euro Sign","\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter '
    'Dalet With Dagesh"}'
)
# RFC 8785 section 3.2.2.3 and appendix B: numbers as ECMAScript's Number.prototype.toString.
RFC_NUMBERS_INPUT = "[333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001]"
RFC_NUMBERS_OUTPUT = "[333333333.3333333,1e+30,4.5,0.002,1e-27]"

CANONICAL: list[dict[str, Any]] = [
    {"name": "literals", "description": "true, false and null as themselves; whitespace between tokens dropped", "input": "[ true , false , null ]"},
    {"name": "empty-containers", "description": "empty object and array", "input": '{"a": {}, "b": []}'},
    {"name": "key-order-ascii", "description": "members sorted by name, at every depth", "input": '{"b": 1, "a": 2, "c": {"z": true, "y": null, "x": [{"d": 0, "c": 1}]}}'},
    {"name": "key-order-prefix", "description": "a name sorts before every longer name it starts", "input": '{"ab": 1, "a": 2, "": 3, "aa": 4}'},
    {"name": "key-order-non-ascii", "description": "names with Latin-1 and other BMP characters sort by UTF-16 code unit", "input": '{"\u00e9": 1, "e": 2, "z": 3, "\u00e4": 4, "\u0394": 5}'},
    {"name": "key-order-surrogate-pairs", "description": "an astral character (a surrogate pair, 0xD83D...) sorts before U+E000-U+FFFF, unlike code point order", "input": '{"\ue000": 1, "\U0001f600": 2, "\uffff": 3, "\U00010000": 4}'},
    {"name": "key-order-rfc8785-example", "description": "the sorting example of RFC 8785 section 3.2.3", "input": RFC_SORTING_INPUT, "expect": RFC_SORTING_OUTPUT},
    {"name": "integers", "description": "integers up to the safe range, negative zero as 0", "input": "[0, -0, 1, -1, 42, 9007199254740991, -9007199254740991]"},
    {"name": "integral-floats", "description": "floats with no fraction are written as integers", "input": "[1.0, -0.0, 100.0, 1e2, 1E3, 2.0e0]"},
    {"name": "large-floats-1e21-boundary", "description": "below 1e21 a number is written in full, from 1e21 on with an exponent; 1e16 is a float literal and representable", "input": "[1e16, 1e20, 9.999999999999999e20, 1e21, 1.5e21, 123456789012345680000.0, 1.7976931348623157e308]"},
    {"name": "small-floats-1e-7-boundary", "description": "down to 1e-6 a number is written in full, below with an exponent", "input": "[0.1, 0.000001, 0.000001234, 1e-7, 1.5e-7, 2.5e-5, 5e-324, -5e-324]"},
    {"name": "shortest-round-trip", "description": "the shortest digits that read back as the same double", "input": "[0.30000000000000004, 1.1, 100.5, 0.3, 3.141592653589793, 4.35, 9007199254740993.0]"},
    {"name": "numbers-rfc8785-example", "description": "the number examples of RFC 8785 section 3.2.2.3", "input": RFC_NUMBERS_INPUT, "expect": RFC_NUMBERS_OUTPUT},
    {"name": "string-controls", "description": "control characters: \\b \\t \\n \\f \\r short escapes, the rest as lowercase \\u00XX; U+007F raw", "input": '"\\u0000\\u0001\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u001f\\u007f"'},
    {"name": "string-quotes-and-slashes", "description": "quote and backslash escaped, the solidus not", "input": '"say \\"hi\\" \\\\ \\/ /"'},
    {"name": "string-line-separators", "description": "U+2028, U+2029 and U+0085 written raw, not escaped", "input": '"a\\u2028b\\u2029c\\u0085d"'},
    {"name": "string-non-ascii", "description": "non-ASCII written raw as UTF-8, escaped or not in the input; no Unicode normalization", "input": '["\\u00e9", "e\\u0301", "\u00e9", "\\ud83d\\ude00", "\U0001f600", "\\uffff", "\\ufeff"]'},
    {"name": "nested", "description": "objects in arrays in objects, sorted at every level, array order kept", "input": '{"z": [{"b": [3, 2, 1], "a": {"y": "\\n", "x": -0.5}}, [], [[{}]]], "a": {"list": [true, {"k": null}]}}'},
    {"name": "example-document", "description": "examples/rag.json without `$schema` and `version`: its digest is the document's `version`", "input": json.dumps({k: v for k, v in EXAMPLE.items() if k not in ("$schema", "version")}, indent=2)},
]  # fmt: skip


def _canonical_vector(case: dict[str, Any]) -> dict[str, Any]:
    read = read_text(case["input"], format="json")
    if not isinstance(read, Ok):
        raise SystemExit(f"canonical case {case['name']}: Python refuses the input: {read}")
    data = canonical_bytes(read.value.data)
    if not isinstance(data, Ok):
        raise SystemExit(f"canonical case {case['name']}: {data}")
    text = data.value.decode("utf-8")
    if "expect" in case and text != case["expect"]:
        raise SystemExit(
            f"canonical case {case['name']}: Python wrote {text!r}, RFC 8785 says {case['expect']!r}"
        )
    found = digest(read.value.data)
    assert isinstance(found, Ok)
    return {
        "name": case["name"],
        "description": case["description"],
        "input": case["input"],
        "canonical": text,
        "canonical_utf8_hex": data.value.hex(),
        "sha256": found.value,
    }


# --- sealing ------------------------------------------------------------------------------


def _unsealed(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc.pop("version", None)
    for op in doc["ops"]:
        op.pop("version", None)
    for monoid in doc.get("monoids", {}).values():
        monoid.pop("version", None)
    return doc


COMBINE_DOC: dict[str, Any] = {
    "spec_version": "1",
    "ops": [
        {"type": "Combine", "name": "stats", "lift_id": "rag.stats.lift", "lift_version": "1.0.0", "monoid_id": "stats", "error_policy": "collect", "in_type": "Chunk", "out_type": "ChunkStats"},
        {"type": "Combine", "name": "total", "lift_id": "demo.count", "monoid_id": "sum", "error_policy": "skip", "in_type": "ChunkStats", "out_type": "int", "params": {"version": "not a digest", "weights": [0.5, 1e-7, 1e21, -0.0]}},
    ],
    "monoids": {
        "stats": {"type": "custom", "name": "rag.stats", "factory_version": "1.0.0", "params": {"label": "caf\u00e9 \U0001f600", "\ue000": 1, "\U0001f600": 2}},
        "sum": {"type": "built_in", "name": "sum"},
    },
    "backend": "dask",
    "resources": {"workers": 2, "threads_per_worker": 1, "memory_limit_mb": 2048},
}  # fmt: skip

SEAL: list[dict[str, Any]] = [
    {"name": "rag-example", "description": "examples/rag.json unsealed, then sealed: the example's digests; `$schema` is kept and not hashed", "document": _unsealed(EXAMPLE)},
    {"name": "combine-and-monoids", "description": "Combine ops, a built-in and a custom monoid, floats, non-ASCII and astral keys in params, a `version` key inside params (plain data, never filled)", "document": COMBINE_DOC},
    {"name": "partly-sealed", "description": "an existing but wrong `version` keeps its place and is replaced", "document": {**_unsealed(EXAMPLE), "version": "sha256:" + "0" * 64}},
]  # fmt: skip


def _seal_vector(case: dict[str, Any]) -> dict[str, Any]:
    sealed = seal_data(case["document"])
    if not isinstance(sealed, Ok):
        raise SystemExit(f"seal case {case['name']}: {sealed}")
    return {**case, "sealed": sealed.value}


# --- documents: valid and invalid --------------------------------------------------------


def _sealed(doc: dict[str, Any]) -> dict[str, Any]:
    # seal_data copies shallowly; a deep copy keeps later changes off the shared cases.
    sealed = seal_data(copy.deepcopy(doc))
    assert isinstance(sealed, Ok), sealed
    return copy.deepcopy(sealed.value)


def _changed(change: Callable[[dict[str, Any]], object], *, reseal: bool = True) -> dict[str, Any]:
    """The example with ``change`` applied, resealed unless told not to."""
    doc = copy.deepcopy(EXAMPLE)
    change(doc)
    return _sealed(_unsealed(doc)) if reseal else doc


def _text(change: Callable[[str], str]) -> str:
    return change(json.dumps(EXAMPLE, indent=2, ensure_ascii=False))


def _set(path: list[str | int], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        node: Any = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


def _drop(path: list[str | int]) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        node: Any = doc
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return change


def _flip(digest_text: str) -> str:
    return digest_text[:-1] + ("0" if digest_text[-1] != "0" else "1")


VALID: list[dict[str, Any]] = [
    {"name": "rag-example", "description": "examples/rag.json as committed", "checks": FULL, "text": EXAMPLE_TEXT},
    {"name": "combine-and-monoids", "description": "the sealed Combine document of seal.json", "checks": FULL, "document": _sealed(COMBINE_DOC)},
    {"name": "schema-hint-changed", "description": "`$schema` is not covered by the root digest", "checks": FULL, "document": _changed(_set(["$schema"], "https://example.invalid/pipeline.schema.json"), reseal=False)},
    {"name": "schema-hint-astral-max-length", "description": "`$schema` of 2048 astral characters: maxLength counts code points, not UTF-16 units", "checks": FULL, "document": _changed(_set(["$schema"], "\U0001f600" * 2048), reseal=False)},
    {"name": "float-1e16-literal", "description": "1e16 written as a float literal is representable (its canonical form is 10000000000000000)", "checks": FULL, "text": json.dumps(_changed(_set(["ops", 2, "params", "dim"], 1e16)), indent=2)},
    {"name": "max-safe-integer", "description": "±(2^53-1) are representable integers", "checks": FULL, "document": _changed(_set(["ops", 2, "params", "seed"], [9007199254740991, -9007199254740991]))},
    {"name": "params-version-key", "description": "a `version` key inside params is plain data, covered by the op digest", "checks": FULL, "document": _changed(_set(["ops", 0, "params", "version"], "anything"))},
]  # fmt: skip


def _monoid_tampered() -> dict[str, Any]:
    doc = _sealed(COMBINE_DOC)
    doc["monoids"]["stats"]["params"]["label"] = "cafe"
    return doc


def _float_tampered() -> dict[str, Any]:
    doc = _sealed(COMBINE_DOC)
    doc["ops"][1]["params"]["weights"][0] = 0.5000000000000001
    return doc


INVALID: list[dict[str, Any]] = [
    # schema: missing required
    {"name": "missing-spec-version", "description": "a required root member missing: reported at its object", "checks": SCHEMA, "document": _changed(_drop(["spec_version"]), reseal=False)},
    {"name": "missing-func-id", "description": "a required op member missing: reported at the op", "checks": SCHEMA, "document": _changed(_drop(["ops", 0, "func_id"]), reseal=False)},
    {"name": "missing-sink-contract-member", "description": "a required member missing in a nested object", "checks": SCHEMA, "document": _changed(_drop(["ops", 3, "sink_contract", "idempotent"]), reseal=False)},
    {"name": "missing-op-type", "description": "an op without `type`: reported at the op, whatever else it lacks", "checks": SCHEMA, "document": _changed(_drop(["ops", 1, "type"]), reseal=False)},
    # schema: unknown members
    {"name": "unknown-root-member", "description": "an unknown root member: reported at the member", "checks": SCHEMA, "document": _changed(_set(["extra"], 1), reseal=False)},
    {"name": "unknown-op-members", "description": "two unknown op members: one finding, at the first by code point", "checks": SCHEMA, "document": _changed(lambda d: d["ops"][0].update({"zeta": 1, "Version": 2}), reseal=False)},
    {"name": "unknown-op-members-astral", "description": "unknown members U+E000 and U+1F600: the first by code point is U+E000, though UTF-16 order puts U+1F600 first", "checks": SCHEMA, "document": _changed(lambda d: d["ops"][0].update({"\U0001f600": 1, "\ue000": 2}), reseal=False)},
    {"name": "unknown-resources-member", "description": "an unknown member of a nested closed object", "checks": SCHEMA, "document": _changed(_set(["resources"], {"workers": 2, "gpus": 1}), reseal=False)},
    {"name": "member-of-other-variant", "description": "a Map op with BatchMap's `max_batch_size`: reported through the variant `type` names", "checks": SCHEMA, "document": _changed(_set(["ops", 0, "max_batch_size"], 8), reseal=False)},
    {"name": "unknown-member-with-slash", "description": "an unknown member whose name needs JSON Pointer escaping", "checks": SCHEMA, "document": _changed(_set(["ops", 0, "a/b~c"], 1), reseal=False)},
    # schema: wrong types
    {"name": "top-level-array", "description": "a document that is not an object", "checks": SCHEMA, "document": [EXAMPLE]},
    {"name": "ops-not-array", "description": "`ops` of the wrong type", "checks": SCHEMA, "document": _changed(_set(["ops"], {"0": EXAMPLE["ops"][0]}), reseal=False)},
    {"name": "op-not-object", "description": "an op that is not an object: reported at the op", "checks": SCHEMA, "document": _changed(_set(["ops", 1], "chunk"), reseal=False)},
    {"name": "name-not-string", "description": "an integer where a name belongs", "checks": SCHEMA, "document": _changed(_set(["ops", 0, "name"], 7), reseal=False)},
    {"name": "idempotent-not-boolean", "description": "a string where a boolean belongs", "checks": SCHEMA, "document": _changed(_set(["ops", 3, "sink_contract", "idempotent"], "true"), reseal=False)},
    {"name": "batch-size-float", "description": "a fractional number where an integer belongs", "checks": SCHEMA, "document": _changed(_set(["ops", 2, "max_batch_size"], 64.5), reseal=False)},
    {"name": "batch-size-boolean", "description": "a boolean is not an integer", "checks": SCHEMA, "document": _changed(_set(["ops", 2, "max_batch_size"], True), reseal=False)},
    {"name": "params-not-object", "description": "params must be an object", "checks": SCHEMA, "document": _changed(_set(["ops", 1, "params"], [800, 80]), reseal=False)},
    # schema: patterns and lengths
    {"name": "id-uppercase", "description": "an identifier outside its pattern", "checks": SCHEMA, "document": _changed(_set(["ops", 0, "func_id"], "Rag.Clean"), reseal=False)},
    {"name": "id-trailing-newline", "description": "an identifier with a trailing line feed: Python's `$` matches before it, ECMAScript's does not; the schema's guard refuses it in both", "checks": SCHEMA, "document": _changed(_set(["ops", 0, "func_id"], "rag.clean\n"), reseal=False)},
    {"name": "name-trailing-newline", "description": "a name with a trailing line feed", "checks": SCHEMA, "document": _changed(_set(["ops", 3, "name"], "index\n"), reseal=False)},
    {"name": "digest-trailing-newline", "description": "a well-formed digest followed by a line feed", "checks": SCHEMA, "document": _changed(_set(["version"], EXAMPLE["version"] + "\n"), reseal=False)},
    {"name": "id-look-alike", "description": "a Cyrillic letter that looks like a Latin one", "checks": SCHEMA, "document": _changed(_set(["ops", 0, "func_id"], "rag.cle\u0430n"), reseal=False)},
    {"name": "type-name-arabic-digit", "description": "an Arabic-Indic digit where [0-9] is allowed: \\d would differ between engines, the schema uses [0-9]", "checks": SCHEMA, "document": _changed(_set(["ops", 0, "in_type"], "Document\u0663"), reseal=False)},
    {"name": "version-pin-astral", "description": "an astral character in a registry version", "checks": SCHEMA, "document": _changed(_set(["ops", 0, "func_version"], "1.0.0\U0001f600"), reseal=False)},
    {"name": "digest-uppercase", "description": "a digest in uppercase hex", "checks": SCHEMA, "document": _changed(_set(["ops", 1, "version"], EXAMPLE["ops"][1]["version"].upper().replace("SHA256", "sha256")), reseal=False)},
    {"name": "name-too-long", "description": "a name of 65 characters (at most 64)", "checks": SCHEMA, "document": _changed(_set(["ops", 0, "name"], "n" * 65), reseal=False)},
    {"name": "schema-hint-too-long", "description": "`$schema` of 2049 astral characters: one code point over maxLength", "checks": SCHEMA, "document": _changed(_set(["$schema"], "\U0001f600" * 2049), reseal=False)},
    {"name": "monoid-key-bad", "description": "a `monoids` key outside the identifier pattern: reported at the key", "checks": SCHEMA, "document": _sealed({**_unsealed(COMBINE_DOC), "monoids": {**COMBINE_DOC["monoids"], "Bad Key": {"type": "built_in", "name": "max"}}})},
    # schema: enums, consts, bounds, counts
    {"name": "error-policy-unknown", "description": "a value outside an enum", "checks": SCHEMA, "document": _changed(_set(["ops", 0, "error_policy"], "retry"), reseal=False)},
    {"name": "backend-unknown", "description": "a backend outside the enum", "checks": SCHEMA, "document": _changed(_set(["backend"], "spark"), reseal=False)},
    {"name": "spec-version-2", "description": "a spec_version other than the const", "checks": SCHEMA, "document": _changed(_set(["spec_version"], "2"), reseal=False)},
    {"name": "spec-version-integer", "description": "the integer 1 is not the string \"1\"", "checks": SCHEMA, "document": _changed(_set(["spec_version"], 1), reseal=False)},
    {"name": "op-type-unknown", "description": "an op type no variant has: reported at `type`", "checks": SCHEMA, "document": _changed(_set(["ops", 1, "type"], "Filter"), reseal=False)},
    {"name": "ops-empty", "description": "no ops at all", "checks": SCHEMA, "document": _changed(_set(["ops"], []), reseal=False)},
    {"name": "workers-zero", "description": "below a minimum", "checks": SCHEMA, "document": _changed(_set(["resources"], {"workers": 0}), reseal=False)},
    {"name": "workers-too-many", "description": "above a maximum", "checks": SCHEMA, "document": _changed(_set(["resources"], {"workers": 4097}), reseal=False)},
    {"name": "materialization-points-repeated", "description": "a repeated item where items must be unique", "checks": SCHEMA, "document": _changed(_set(["materialization_points"], ["chunk", "chunk"]), reseal=False)},
    {"name": "several-errors", "description": "every schema error of a document is reported, in any op", "checks": SCHEMA, "document": _changed(lambda d: (d["ops"][0].update(func_id="x y", error_policy="never"), d["ops"][3].pop("sink_contract"), d.update(backend=None)), reseal=False)},
    # names and references
    {"name": "duplicate-name", "description": "two ops share a name: reported at the second", "checks": FULL, "document": _changed(_set(["ops", 2, "name"], "clean"))},
    {"name": "unknown-monoid", "description": "a Combine op names a monoid `monoids` lacks", "checks": FULL, "document": _sealed({**_unsealed(COMBINE_DOC), "monoids": {"stats": COMBINE_DOC["monoids"]["stats"]}})},
    {"name": "unknown-materialization-point", "description": "a materialization point names no op", "checks": FULL, "document": _changed(_set(["materialization_points"], ["chunks"]))},
    # digests
    {"name": "unsealed", "description": "no digests at all: the root and every op are reported", "checks": FULL, "document": _unsealed(EXAMPLE)},
    {"name": "op-digest-missing", "description": "one op without its digest (and so a root digest over other content)", "checks": FULL, "document": _changed(_drop(["ops", 1, "version"]), reseal=False)},
    {"name": "op-digest-flipped", "description": "one hex digit of an op digest changed: that op and the root, which covers it", "checks": FULL, "document": _changed(_set(["ops", 0, "version"], _flip(EXAMPLE["ops"][0]["version"])), reseal=False)},
    {"name": "root-digest-flipped", "description": "one hex digit of the root digest changed", "checks": FULL, "document": _changed(_set(["version"], _flip(EXAMPLE["version"])), reseal=False)},
    {"name": "content-tampered", "description": "an op's params changed after sealing", "checks": FULL, "document": _changed(_set(["ops", 2, "params", "dim"], 257), reseal=False)},
    {"name": "monoid-tampered", "description": "a monoid's params changed after sealing", "checks": FULL, "document": _monoid_tampered()},
    {"name": "float-digest-tampered", "description": "a float changed in its last bit after sealing", "checks": FULL, "document": _float_tampered()},
    # reading: values canonical JSON cannot carry
    {"name": "integer-beyond-safe", "description": "2^53 as an integer literal", "checks": ("json", "values"), "text": _text(lambda t: t.replace('"dim": 256', '"dim": 9007199254740992'))},
    {"name": "negative-integer-beyond-safe", "description": "-(2^53+1) as an integer literal", "checks": ("json", "values"), "text": _text(lambda t: t.replace('"dim": 256', '"dim": -9007199254740993'))},
    {"name": "integer-1e16-literal", "description": "10000000000000000 as an integer literal (1e16 as a float literal is valid)", "checks": ("json", "values"), "text": _text(lambda t: t.replace('"dim": 256', '"dim": 10000000000000000'))},
    {"name": "float-overflow", "description": "a number beyond the largest double", "checks": ("json", "values"), "text": _text(lambda t: t.replace('"dim": 256', '"dim": 1e400'))},
    {"name": "lone-surrogate-value", "description": "a string holding a lone surrogate escape", "checks": ("json", "values"), "text": _text(lambda t: t.replace('"NFC"', '"\\ud800"'))},
    {"name": "lone-surrogate-key", "description": "a key holding a lone surrogate escape: reported at its object", "checks": ("json", "values"), "text": _text(lambda t: t.replace('"normalize"', '"\\udc00"'))},
    # reading: what a bare JSON.parse would not refuse, or not where pipespec does
    {"name": "duplicate-key", "description": "a key twice in one object (JSON.parse keeps the last): reported at the repeated key", "checks": ("json",), "text": _text(lambda t: t.replace('"dim": 256', '"dim": 256, "dim": 257'))},
    {"name": "duplicate-key-escaped", "description": "a key repeated as an escape (`\\u0064im` is `dim`): keys are compared as read, not as written", "checks": ("json",), "text": _text(lambda t: t.replace('"dim": 256', '"dim": 256, "\\u0064im": 257'))},
    {"name": "nan-literal", "description": "a NaN literal (JSON.parse refuses it as syntax): reported at the value", "checks": ("json", "values"), "text": _text(lambda t: t.replace('"dim": 256', '"dim": NaN'))},
    {"name": "infinity-literals", "description": "Infinity and -Infinity literals in an array: the first is reported", "checks": ("json", "values"), "text": _text(lambda t: t.replace('"dim": 256', '"dim": [1, -Infinity, Infinity]'))},
    {"name": "syntax-error-nested", "description": "a syntax error inside an object (a trailing comma): reported at the object being read", "checks": ("json",), "text": _text(lambda t: t.replace('"ngram": 3', '"ngram": 3,'))},
    {"name": "not-json", "description": "not JSON at all", "checks": ("json",), "text": "{\"spec_version\": \"1\", "},
]  # fmt: skip


def python_errors(vector: dict[str, Any]) -> list[dict[str, str]]:
    """What pipespec's Python reader and `validate` report for a vector's input, as sorted,
    distinct (code, JSON Pointer) pairs."""
    text = (
        vector["text"] if "text" in vector else json.dumps(vector["document"], ensure_ascii=False)
    )
    match read_text(text, format="json"):
        case Err(error):
            pairs = {(error.code, error.path)}
        case Ok(document):
            pairs = {(error.code, error.path) for error in validate_document(document)}
    return [
        {"code": code, "path": path} for code, path in sorted(pairs, key=lambda p: (p[1], p[0]))
    ]


def _document_vector(case: dict[str, Any], *, valid: bool) -> dict[str, Any]:
    assert set(case["checks"]) <= set(ALL_CHECKS), case["name"]
    vector = {**case, "checks": list(case["checks"])}
    vector["errors"] = python_errors(vector)
    if valid != (vector["errors"] == []):
        raise SystemExit(
            f"case {case['name']}: expected {'valid' if valid else 'invalid'}, Python says {vector['errors']}"
        )
    return vector


def _file(description: str, vectors: list[dict[str, Any]]) -> str:
    names = [v["name"] for v in vectors]
    assert len(names) == len(set(names)), "vector names repeat"
    body = {"format": FORMAT, "description": description, "vectors": vectors}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def build() -> dict[str, str]:
    """Every vector file's text, by file name."""
    return {
        "canonical.json": _file(
            "RFC 8785 canonical JSON: each input (a JSON text) read as JSON, then written canonically; `canonical` is the text, `canonical_utf8_hex` its UTF-8 bytes, `sha256` the digest of those bytes.",
            [_canonical_vector(case) for case in CANONICAL],
        ),
        "seal.json": _file(
            "Sealing: `document` with every op, monoid and root `version` filled is `sealed`.",
            [_seal_vector(case) for case in SEAL],
        ),
        "valid.json": _file(
            "Documents every check accepts: `errors` is empty.",
            [_document_vector(case, valid=True) for case in VALID],
        ),
        "invalid.json": _file(
            "Documents refused: `errors` lists every (code, JSON Pointer) pair pipespec reports.",
            [_document_vector(case, valid=False) for case in INVALID],
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="report drift, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for name, text in build().items():
        path = HERE / name
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == text:
            continue
        if args.check:
            diff = difflib.unified_diff(
                current.splitlines(), text.splitlines(), name, name, lineterm="", n=1
            )
            print("\n".join(list(diff)[:40]), file=sys.stderr)
            stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote conformance/{name}")
    if stale:
        print(f"conformance vectors out of date: {', '.join(stale)}; {HINT}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
