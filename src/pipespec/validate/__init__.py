"""Validation of a read document: schema, cross-references and content digests, as error values."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, cast

from ..digest import verify_data
from ..errors import SCHEMA_INVALID, ErrInfo
from ..read import Document, locate
from ..schemas import fast_validator
from ._render import Finding, schema_findings
from ._semantic import semantic_errors

__all__ = ["Finding", "check_data", "place", "validate_document"]


def _schema_findings(data: Any) -> list[Finding]:
    if fast_validator().is_valid(data):
        return []
    findings = schema_findings(data)
    if findings:
        return findings
    # The compiled validator refused what the reference accepts: never let that pass silently.
    detail = next(iter(fast_validator().iter_errors(data)), None)
    message = detail.message if detail is not None else "refused by the compiled validator"
    return [Finding(ErrInfo(code=SCHEMA_INVALID, message=message))]


def check_data(data: Any, *, sealed: bool = True, float_free: bool = False) -> list[Finding]:
    """Every error in parsed document data: schema first; then, if it passed, the rest.

    With ``sealed`` the `version` digests must be present and match; without it they are
    not checked (what `seal` needs). ``float_free`` is only for data a pipespec reader
    produced from a document without floats (it selects the proven-identical fast path).
    """
    findings = _schema_findings(data)
    if findings:
        return findings
    document = cast(Mapping[str, Any], data)  # the schema has just required an object
    findings = [Finding(error) for error in semantic_errors(document)]
    if sealed:
        findings += [Finding(error) for error in verify_data(document, float_free=float_free)]
    return findings


def place(document: Document, findings: Iterable[Finding]) -> list[ErrInfo]:
    """The findings as errors carrying the document's file name and their line and column,
    in source order."""
    errors = []
    for finding in findings:
        error = finding.error
        position = locate(document, error.path, key=finding.at_key)
        line, column = position if position is not None else (None, None)
        errors.append(dataclasses.replace(error, line=line, column=column, file=document.source))
    return sorted(errors, key=lambda e: (e.line or 0, e.column or 0))


def validate_document(document: Document, *, sealed: bool = True) -> list[ErrInfo]:
    """Every error in a read document, each with its line and column in the source text."""
    return place(
        document, check_data(document.data, sealed=sealed, float_free=not document.has_floats)
    )
