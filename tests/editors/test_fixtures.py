"""The fixture manifest holds for python-jsonschema, jsonschema-rs and `pipespec check`.

editors/fixtures/cases.json records each document's verdict under the canonical and the
specialised schema and what `check` reports; the npm tests hold ajv and the editor engines to
the same manifest, so every engine agrees on every fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import jsonschema_rs

from pipespec.read import read_path
from pipespec.reconstruction import check_document
from pipespec.registry import Registry
from pipespec.result import Ok
from pipespec.schemas import fast_validator, python_validator


def _pointers(errors: Any) -> Iterator[str]:
    """Every JSON Pointer an error (or an error inside a oneOf / anyOf) names."""
    for error in errors:
        at = "".join(f"/{part}" for part in error.absolute_path)
        yield at
        if error.validator == "additionalProperties":
            known = error.schema.get("properties", {})
            yield from (f"{at}/{name}" for name in error.instance if name not in known)
        yield from _pointers(error.context or [])


def test_canonical_verdict(case: Any) -> None:
    data = case.data()
    assert python_validator().is_valid(data) is case.canonical
    assert fast_validator().is_valid(data) is case.canonical
    if not case.canonical:
        assert case.check[0]["pointer"] in set(_pointers(python_validator().iter_errors(data)))


def test_specialized_verdict(case: Any, rag_specialized: dict[str, Any]) -> None:
    data = case.data()
    reference = jsonschema.Draft202012Validator(
        rag_specialized, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    compiled = jsonschema_rs.validator_for(rag_specialized, validate_formats=True)
    assert reference.is_valid(data) is case.specialized
    assert compiled.is_valid(data) is case.specialized
    if not case.specialized:
        # Reported at the member `check` names (the param, the id), not just at the op.
        assert case.check[0]["pointer"] in set(_pointers(reference.iter_errors(data)))


def test_check_reports_the_line_editors_flag(case: Any, rag: Registry) -> None:
    read = read_path(case.path)
    assert isinstance(read, Ok)
    reported = [
        {"code": e.code, "pointer": e.path, "line": e.line} for e in check_document(read.value, rag)
    ]
    assert reported == case.check
