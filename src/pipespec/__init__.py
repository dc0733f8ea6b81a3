"""pipespec: pipelines shipped as pure-data specifications, never live objects."""

from .digest import canonical_bytes, digest, seal_data, verify_data
from .errors import ErrInfo
from .limits import DEFAULT_LIMITS, Limits
from .read import Document, locate, read_bytes, read_path, read_text
from .result import Err, Ok, Result
from .validate import check_data, validate_document

__all__ = [
    "DEFAULT_LIMITS",
    "Document",
    "Err",
    "ErrInfo",
    "Limits",
    "Ok",
    "Result",
    "canonical_bytes",
    "check_data",
    "digest",
    "locate",
    "read_bytes",
    "read_path",
    "read_text",
    "seal_data",
    "validate_document",
    "verify_data",
]
