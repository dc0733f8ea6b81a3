"""Reconstruction: every refusal with its code and pointer, in the documented order, and no side effects."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from core_registry import INT, core_registry, op

from pipespec.digest import seal_data
from pipespec.errors import (
    CONTRACT_MISMATCH,
    HASH_MISMATCH,
    PARAMS_INVALID,
    PARSE_ERROR,
    RECONSTRUCT_FAIL,
    SCHEMA_INVALID,
    TYPE_MISMATCH,
    UNALLOWED_OP,
    UNALLOWED_SINK,
    UNKNOWN_MONOID,
    UNKNOWN_OP,
    UNKNOWN_SINK,
    UNSEALED,
    VERSION_MISMATCH,
    ErrInfo,
)
from pipespec.model import thaw
from pipespec.reconstruction import check_document, reconstruct, seal, serialize
from pipespec.registry import Registry, map_fn
from pipespec.result import Err, Ok

REGISTRY = core_registry()


def pipeline_doc() -> dict[str, Any]:
    return {
        "spec_version": "1",
        "ops": [
            op("Map", "add", "core.add", params={"n": 2}),
            op("FlatMap", "twice", "core.repeat", params={"times": 2}),
            op("BatchMap", "shift", "core.batch_add", max_batch_size=4, params={"n": -1}),
            op("Combine", "join", "core.singleton", monoid_id="list", out_type="tuple[int]"),
        ],
        "monoids": {"list": {"type": "custom", "name": "core.concat"}},
    }


def sealed(doc: dict[str, Any]) -> dict[str, Any]:
    result = seal(doc, REGISTRY)
    assert isinstance(result, Ok), result
    return result.value


def content_sealed(doc: dict[str, Any]) -> dict[str, Any]:
    """Digests refreshed without touching pins: how a document drifts from a registry."""
    result = seal_data(doc)
    assert isinstance(result, Ok)
    return result.value


def refused(source: Any, registry: Registry = REGISTRY, **kwargs: Any) -> ErrInfo:
    result = reconstruct(source, registry, **kwargs)
    assert isinstance(result, Err), result
    return result.error


def test_a_sealed_document_reconstructs_and_serializes_back() -> None:
    doc = sealed(pipeline_doc())
    result = reconstruct(doc, REGISTRY)
    assert isinstance(result, Ok)
    pipeline = result.value
    assert pipeline.digest == doc["version"]
    assert json.loads(serialize(pipeline)) == doc
    assert [plan.entry.id for plan in pipeline.ops] == [
        "core.add",
        "core.repeat",
        "core.batch_add",
        "core.singleton",
    ]
    assert pipeline.ops[3].monoid is not None
    assert pipeline.ops[3].monoid.entry is REGISTRY.get("core.concat")
    assert thaw(pipeline.ops[0].params) == {"n": 2}


def test_seal_pins_every_registry_version_next_to_its_id() -> None:
    doc = sealed(pipeline_doc())
    assert list(doc["ops"][0])[:4] == ["type", "name", "func_id", "func_version"]
    assert [o.get("func_version", o.get("lift_version")) for o in doc["ops"]] == ["1.0.0"] * 4
    assert list(doc["monoids"]["list"])[:3] == ["type", "name", "factory_version"]


@pytest.mark.parametrize("source_kind", ["text", "bytes", "mapping"])
def test_sources_of_every_kind(source_kind: str) -> None:
    doc = sealed(pipeline_doc())
    text = json.dumps(doc)
    source = {"text": text, "bytes": text.encode(), "mapping": doc}[source_kind]
    assert isinstance(reconstruct(source, REGISTRY), Ok)


def test_unsealed_and_tampered_documents_are_refused_before_the_registry_is_consulted() -> None:
    assert refused(pipeline_doc()).code == UNSEALED
    doc = sealed(pipeline_doc())
    doc["ops"][0]["params"]["n"] = 3
    error = refused(doc)
    assert (error.code, error.path) == (HASH_MISMATCH, "/ops/0/version")


def test_positions_come_from_the_text() -> None:
    doc = sealed(pipeline_doc())
    doc["ops"][1]["func_id"] = "core.repeats"
    text = json.dumps(content_sealed(doc), indent=2)
    error = refused(text)
    assert (error.code, error.path) == (UNKNOWN_OP, "/ops/1/func_id")
    assert error.message == (
        "no function 'core.repeats' is registered; did you mean 'core.repeat'? at /ops/1/func_id"
    )
    assert text.splitlines()[error.line - 1].strip().startswith('"func_id": "core.repeats"')  # type: ignore[operator]


def test_parse_and_schema_errors() -> None:
    assert refused("{").code == PARSE_ERROR
    assert refused(b"[]").code == SCHEMA_INVALID
    assert refused(12).code == RECONSTRUCT_FAIL  # type: ignore[arg-type]


def _drifted(change: Any) -> dict[str, Any]:
    doc = sealed(pipeline_doc())
    change(doc)
    return content_sealed(doc)


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        (lambda d: d["ops"][0].update(func_id="core.nope"), UNKNOWN_OP, "/ops/0/func_id"),
        (lambda d: d["ops"][0].update(func_id="core.repeat"), TYPE_MISMATCH, "/ops/0/func_id"),
        (lambda d: d["ops"][0].update(func_version="2.0.0"), VERSION_MISMATCH, "/ops/0/func_version"),
        (lambda d: d["ops"][0].pop("func_version"), UNSEALED, "/ops/0"),
        (lambda d: d["ops"][0].update(params={"n": "2"}), PARAMS_INVALID, "/ops/0/params/n"),
        (lambda d: d["ops"][0].update(params={"n": 2, "m": 1}), PARAMS_INVALID, "/ops/0/params/m"),
        (lambda d: d["ops"][0].pop("params"), PARAMS_INVALID, "/ops/0/params"),
        (lambda d: d["ops"][1].update(params={"times": 9}), PARAMS_INVALID, "/ops/1/params/times"),
        (lambda d: d["ops"][0].update(out_type="str"), TYPE_MISMATCH, "/ops/0/out_type"),
        (lambda d: d["ops"][3].update(out_type="int"), TYPE_MISMATCH, "/ops/3/out_type"),
        (lambda d: d["monoids"]["list"].update(name="core.concatenate"), UNKNOWN_MONOID, "/monoids/list/name"),
        (lambda d: d["monoids"]["list"].update(factory_version="0.9"), VERSION_MISMATCH, "/monoids/list/factory_version"),
        (lambda d: d["monoids"]["list"].update(type="built_in", name="avg"), UNKNOWN_MONOID, "/monoids/list/name"),
        (lambda d: d["monoids"]["list"].update(params={"x": 1}), PARAMS_INVALID, "/monoids/list/params/x"),
    ],
)  # fmt: skip
def test_registry_refusals(change: Any, code: str, path: str) -> None:
    error = refused(_drifted(change))
    assert (error.code, error.path) == (code, path)
    assert error.message.endswith(f" at {path}")


def test_type_chain_between_ops() -> None:
    registry = REGISTRY.with_entries(
        map_fn("core.show", str, version="1.0.0", in_type=INT, out_type="str")
    )
    doc = pipeline_doc()
    doc["ops"].insert(1, op("Map", "show", "core.show", out_type="str"))
    result = seal(doc, registry)
    assert isinstance(result, Ok)
    error = refused(result.value, registry)
    assert (error.code, error.path) == (TYPE_MISMATCH, "/ops/2/in_type")
    assert error.message == (
        "expected in_type 'str', the out_type of the previous op 'show', found 'int' at /ops/2/in_type"
    )


def test_lift_and_custom_monoid_types_must_agree() -> None:
    doc = pipeline_doc()
    doc["ops"][3] = op("Combine", "join", "core.identity", monoid_id="list")
    error = refused(sealed(doc))
    assert (error.code, error.path) == (TYPE_MISMATCH, "/ops/3/monoid_id")
    assert (
        "lift 'core.identity' produces 'int' but monoid 'list' folds 'tuple[int]'" in error.message
    )


def test_sink_contract_must_match_the_registry() -> None:
    doc = pipeline_doc()
    doc["ops"][3] = op("Sink", "store", "core.distinct", out_type="Distinct",
                       sink_contract={"idempotent": False})  # fmt: skip
    del doc["monoids"]
    error = refused(sealed(doc))
    assert (error.code, error.path) == (CONTRACT_MISMATCH, "/ops/3/sink_contract/idempotent")


def test_allow_list_comes_from_code_and_is_checked_first() -> None:
    doc = sealed(pipeline_doc())
    everything = {"core.add", "core.repeat", "core.batch_add", "core.singleton", "core.concat"}
    assert isinstance(reconstruct(doc, REGISTRY, allow=everything), Ok)
    error = refused(doc, allow=everything - {"core.batch_add"})
    assert (error.code, error.path) == (UNALLOWED_OP, "/ops/2/func_id")
    error = refused(doc, allow=everything - {"core.concat"})
    assert (error.code, error.path) == (UNALLOWED_OP, "/monoids/list/name")
    # The allow-list outranks a later problem elsewhere.
    drifted = _drifted(lambda d: d["ops"][0].update(func_version="9"))
    assert refused(drifted, allow=everything - {"core.singleton"}).code == UNALLOWED_OP
    sink_doc = pipeline_doc()
    sink_doc["ops"][3] = op("Sink", "store", "core.distinct", out_type="Distinct",
                            sink_contract={"idempotent": True})  # fmt: skip
    del sink_doc["monoids"]
    error = refused(sealed(sink_doc), allow=everything)
    assert (error.code, error.path) == (UNALLOWED_SINK, "/ops/3/sink_id")


def test_unknown_sink() -> None:
    doc = pipeline_doc()
    doc["ops"][3] = op("Sink", "store", "core.distinct", out_type="Distinct",
                       sink_contract={"idempotent": True})  # fmt: skip
    del doc["monoids"]
    drifted = sealed(doc)
    drifted["ops"][3]["sink_id"] = "core.distinctly"
    error = refused(content_sealed(drifted))
    assert (error.code, error.path) == (UNKNOWN_SINK, "/ops/3/sink_id")


def test_look_alike_ids_never_resolve() -> None:
    for look_alike in ("Core.add", "core.add ", "core\u2024add", "\uff43ore.add", "core.add\n"):
        doc = sealed(pipeline_doc())
        doc["ops"][0]["func_id"] = look_alike
        assert refused(content_sealed(doc)).code == SCHEMA_INVALID


def test_check_document_reports_everything_in_source_order() -> None:
    doc = sealed(pipeline_doc())
    doc["ops"][0]["func_version"] = "2.0.0"
    doc["ops"][1]["params"] = {"times": 7}
    doc["ops"][2]["out_type"] = "str"
    text = json.dumps(content_sealed(doc), indent=2)
    errors = check_document(text, REGISTRY)
    assert [(e.code, e.path) for e in errors] == [
        (VERSION_MISMATCH, "/ops/0/func_version"),
        (PARAMS_INVALID, "/ops/1/params/times"),
        (TYPE_MISMATCH, "/ops/2/out_type"),
        (TYPE_MISMATCH, "/ops/3/in_type"),
    ]
    assert all(e.line is not None for e in errors)
    assert check_document(json.dumps(sealed(pipeline_doc())), REGISTRY) == []


def test_reconstruction_calls_nothing_registered_and_opens_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def tripwire(*args: Any, **kwargs: Any) -> Any:
        calls.append("called")
        raise AssertionError("a registered function ran during reconstruction")

    registry = Registry().with_entries(
        *(
            type(entry)(
                **{**{f: getattr(entry, f) for f in entry.__dataclass_fields__}, "build": tripwire}
            )
            for entry in REGISTRY
        )
    )
    text = json.dumps(sealed(pipeline_doc()))

    def no_files(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("reconstruction opened a file")

    monkeypatch.setattr("builtins.open", no_files)
    monkeypatch.setattr("io.open", no_files)
    result = reconstruct(text, registry)
    monkeypatch.undo()
    assert isinstance(result, Ok)
    assert calls == []


def test_reconstruct_never_raises_even_when_a_check_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("pipespec.reconstruction.registry_findings", broken)
    error = refused(sealed(pipeline_doc()))
    assert error.code == RECONSTRUCT_FAIL
    assert "RuntimeError: boom" in error.message
    assert check_document(sealed(pipeline_doc()), REGISTRY)[0].code == RECONSTRUCT_FAIL


def test_reconstructed_spec_is_immutable() -> None:
    doc = sealed(pipeline_doc())
    result = reconstruct(copy.deepcopy(doc), REGISTRY)
    assert isinstance(result, Ok)
    with pytest.raises(TypeError):
        result.value.spec["ops"][0]["params"]["n"] = 5  # type: ignore[index]
