"""The hostile corpus: every document is refused with its documented code by validate, check and
run, in bounded resources, with nothing written and nothing run."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipespec.cli import main
from pipespec.digest import seal_data
from pipespec.result import Ok

EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "examples" / "rag.json").read_text())


def _resealed(change: Callable[[dict[str, Any]], None]) -> bytes:
    """The example, changed, with its content digests made right again: only the registry can
    notice what changed."""
    doc = copy.deepcopy(EXAMPLE)
    change(doc)
    sealed = seal_data(doc)
    assert isinstance(sealed, Ok)
    return json.dumps(sealed.value).encode()


def _replaced(old: str, new: str) -> bytes:
    text = json.dumps(EXAMPLE)
    assert old in text
    return text.replace(old, new, 1).encode()


FIRST_DIGEST = EXAMPLE["ops"][0]["version"]


def _flipped(digest: str) -> str:
    """The digest with one hex character changed: still well-formed, no longer right."""
    last = digest[-1]
    return digest[:-1] + ("0" if last != "0" else "1")


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes
    suffix: str
    validate: str | None
    check: str | None
    flags: tuple[str, ...] = ()


BOMB = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n".encode()
    for i in range(9)
)
SCHEMA_INVALID, PARSE, LIMIT, UNREP = (
    "SCHEMA_INVALID",
    "PARSE_ERROR",
    "LIMIT_EXCEEDED",
    "VALUE_UNREPRESENTABLE",
)

CASES = [
    Case("yaml-python-object-tag", b"spec_version: !!python/object/apply:os.system ['touch /tmp/pwned']\nops: []\n", ".yaml", PARSE, PARSE),
    Case("yaml-custom-tag", b"spec_version: !include secrets.yaml\n", ".yaml", PARSE, PARSE),
    Case("yaml-alias-bomb", BOMB, ".yaml", LIMIT, LIMIT),
    Case("yaml-merge-key", b"base: &b {x: 1}\nspec_version: '1'\nops:\n  - <<: *b\n", ".yaml", PARSE, PARSE),
    Case("yaml-recursive-alias", b"a: &a [*a]\n", ".yaml", PARSE, PARSE),
    Case("json-deep-nesting", b"[" * 100_000 + b"]" * 100_000, ".json", LIMIT, LIMIT),
    Case("yaml-deep-nesting", b"[" * 100_000 + b"]" * 100_000, ".yaml", LIMIT, LIMIT),
    Case("huge-document", json.dumps(EXAMPLE).encode() + b" " * 4096, ".json", LIMIT, LIMIT, ("--max-bytes", "4096")),
    Case("oversized-string", _replaced('"NFC"', '"' + "N" * 5000 + '"'), ".json", LIMIT, LIMIT, ("--max-string-length", "4096")),
    Case("too-many-values", b"[" + b"0," * 5000 + b"0]", ".json", LIMIT, LIMIT, ("--max-nodes", "1000")),
    Case("huge-integer", _replaced('"dim": 256', '"dim": 9007199254740993'), ".json", UNREP, UNREP),
    Case("huge-float", _replaced('"dim": 256', '"dim": 1e400'), ".json", UNREP, UNREP),
    Case("nan", _replaced('"dim": 256', '"dim": NaN'), ".json", UNREP, UNREP),
    Case("infinity-yaml", b"spec_version: '1'\nops: [{x: .inf}]\n", ".yaml", UNREP, UNREP),
    Case("lone-surrogate", _replaced('"NFC"', '"\\ud800"'), ".json", UNREP, UNREP),
    Case("duplicate-keys", _replaced('"dim": 256', '"dim": 256, "dim": 4096'), ".json", PARSE, PARSE),
    Case("not-utf8", json.dumps(EXAMPLE).replace("rag.clean", "rag.cl\u00e9an").encode("latin-1"), ".json", PARSE, PARSE),
    Case("utf8-bom", b"\xef\xbb\xbf" + json.dumps(EXAMPLE).encode(), ".json", PARSE, PARSE),
    Case("utf16", json.dumps(EXAMPLE).encode("utf-16"), ".json", PARSE, PARSE),
    Case("nul-byte", b'{"spec_version": "1\x00"}', ".json", PARSE, PARSE),
    Case("empty-file", b"", ".json", PARSE, PARSE),
    Case("top-level-array", b"[1, 2]", ".json", SCHEMA_INVALID, SCHEMA_INVALID),
    Case("top-level-string", b'"ops"', ".yaml", SCHEMA_INVALID, SCHEMA_INVALID),
    Case("look-alike-id", _resealed(lambda d: d["ops"][0].update(func_id="rag.cle\u0430n")), ".json", SCHEMA_INVALID, SCHEMA_INVALID),
    Case("fullwidth-id", _resealed(lambda d: d["ops"][0].update(func_id="rag.\uff43lean")), ".json", SCHEMA_INVALID, SCHEMA_INVALID),
    Case("path-like-id", _resealed(lambda d: d["ops"][0].update(func_id="../../etc/passwd")), ".json", SCHEMA_INVALID, SCHEMA_INVALID),
    Case("dunder-id", _resealed(lambda d: d["ops"][0].update(func_id="__import__")), ".json", SCHEMA_INVALID, SCHEMA_INVALID),
    Case("import-path-id", _resealed(lambda d: d["ops"][0].update(func_id="os.system")), ".json", None, "UNKNOWN_OP"),
    Case("trailing-newline-id", _resealed(lambda d: d["ops"][0].update(func_id="rag.clean\n")), ".json", SCHEMA_INVALID, SCHEMA_INVALID),
    Case("spec-shaped-params", _resealed(lambda d: d["ops"][0]["params"].update(
        {"type": "Map", "func_id": "os.system", "params": {"cmd": "rm -rf /"}, "version": "sha256:" + "0" * 64})), ".json", None, "PARAMS_INVALID"),
    Case("tampered-digest", _replaced(FIRST_DIGEST, _flipped(FIRST_DIGEST)), ".json", "HASH_MISMATCH", "HASH_MISMATCH"),
    Case("tampered-content", _replaced('"dim": 256', '"dim": 257'), ".json", "HASH_MISMATCH", "HASH_MISMATCH"),
    Case("version-drift", _resealed(lambda d: d["ops"][2].update(func_version="9.9.9")), ".json", None, "VERSION_MISMATCH"),
    Case("sink-path-escape", _resealed(lambda d: d["ops"][3]["params"].update(path="../../escape.sqlite")), ".json", None, "PARAMS_INVALID"),
    Case("sink-absolute-path", _resealed(lambda d: d["ops"][3]["params"].update(path="/tmp/abs.sqlite")), ".json", None, "PARAMS_INVALID"),
    Case("unsealed", json.dumps({k: v for k, v in EXAMPLE.items() if k != "version"}).encode(), ".json", "UNSEALED", "UNSEALED"),
]  # fmt: skip


def _cli(*argv: str) -> tuple[int, list[dict[str, Any]]]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    text = out.getvalue()
    return code, (json.loads(text) if text.startswith("[") else [])


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_command_refuses_with_the_documented_code(case: Case, tmp_path: Path) -> None:
    spec = tmp_path / f"spec{case.suffix}"
    spec.write_bytes(case.content)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("a document", encoding="utf-8")
    output = tmp_path / "out"
    before = sorted(p.name for p in tmp_path.iterdir())

    code, reports = _cli("validate", "--format", "json", *case.flags, str(spec))
    assert (code, [r["code"] for r in reports][:1]) == (
        (1, [case.validate]) if case.validate else (0, [])
    )
    code, reports = _cli("check", "--format", "json", *case.flags, str(spec))
    assert (code, [r["code"] for r in reports][:1]) == (1, [case.check])
    code, reports = _cli(
        "run",
        "--format",
        "json",
        *case.flags,
        str(spec),
        "--input",
        str(corpus),
        "--output",
        str(output),
    )
    assert (code, [r["code"] for r in reports]) == (1, [case.check])
    # Nothing written: no output folder, no stray file, and nothing a tag could have run.
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not Path("/tmp/pwned").exists()


def test_the_unchanged_example_passes_every_command(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("a document about herons", encoding="utf-8")
    assert _cli("validate", str(spec))[0] == 0
    assert _cli("check", str(spec))[0] == 0
    assert _cli("run", str(spec), "--input", str(corpus), "--output", str(tmp_path / "out"))[0] == 0
