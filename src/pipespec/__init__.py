"""pipespec: pipelines shipped as pure-data specifications, never live objects."""

from .digest import canonical_bytes, digest, seal_data, verify_data
from .errors import ErrInfo
from .limits import DEFAULT_LIMITS, Limits
from .monoids import Monoid
from .pipeline import Pipeline
from .read import Document, locate, read_bytes, read_path, read_text
from .reconstruction import check_document, reconstruct, seal, serialize
from .registry import Entry, Registry, RunContext, default_registry
from .result import Err, Ok, Result
from .runtime import Collected, OpStats, Run, RunReport
from .validate import check_data, validate_document

__all__ = [
    "DEFAULT_LIMITS",
    "Collected",
    "Document",
    "Entry",
    "Err",
    "ErrInfo",
    "Limits",
    "Monoid",
    "Ok",
    "OpStats",
    "Pipeline",
    "Registry",
    "Result",
    "Run",
    "RunContext",
    "RunReport",
    "canonical_bytes",
    "check_data",
    "check_document",
    "default_registry",
    "digest",
    "locate",
    "read_bytes",
    "read_path",
    "read_text",
    "reconstruct",
    "seal",
    "seal_data",
    "serialize",
    "validate_document",
    "verify_data",
]
