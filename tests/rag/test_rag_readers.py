"""rag.read: folder walks, Python docstrings parsed and never run, JSONL, and what gets skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from funcpipe_rag import Corpus, Skipped, content_id, read
from pipespec import RunContext


def sources(corpus: Corpus) -> list[str]:
    return [document["source"] for document in corpus]


def test_a_folder_is_walked_in_name_order_skipping_hidden_cache_and_package_folders(
    tmp_path: Path,
) -> None:
    for name in ["b.txt", "a.md", "sub/c.rst", "sub/a.txt", "z.txt", ".hidden/x.txt",
                 "__pycache__/y.txt", ".dotfile.txt", "notes.bin", "data.jsonl", "sub/deeper/d.md",
                 "lib/site-packages/pkg/m.txt", "dist-packages/n.md"]:  # fmt: skip
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"text of {name}", encoding="utf-8")
    corpus = read(tmp_path)
    assert sources(corpus) == [
        "a.md",
        "b.txt",
        "sub/a.txt",
        "sub/c.rst",
        "sub/deeper/d.md",
        "z.txt",
    ]
    assert sources(corpus) == sources(read(tmp_path))  # the same order every time
    assert corpus.skipped == []


def test_a_text_document_is_the_file_with_a_content_id(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("\ufeffhello\r\nworld\n".encode())
    [document] = read(tmp_path)
    # The byte order mark goes; line endings are rag.clean's business.
    assert document == {
        "id": content_id("a.txt", "hello\r\nworld\n"),
        "source": "a.txt",
        "text": "hello\r\nworld\n",
    }


def test_ids_do_not_depend_on_where_the_corpus_lies(tmp_path: Path) -> None:
    for root in (tmp_path / "one", tmp_path / "two" / "deeper"):
        (root / "sub").mkdir(parents=True)
        (root / "sub" / "a.txt").write_text("same", encoding="utf-8")
    first, second = list(read(tmp_path / "one")), list(read(tmp_path / "two" / "deeper"))
    assert first == second


def test_non_utf8_and_unreadable_files_are_skipped_and_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "good.txt").write_text("fine", encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "locked.md").write_text("secret", encoding="utf-8")
    original = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        # Root reads any file whatever its mode; refuse this one the way the OS would.
        if self.name == "locked.md":
            raise PermissionError(13, "Permission denied", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    corpus = read(tmp_path)
    assert sources(corpus) == ["good.txt"]
    assert corpus.skipped == [
        Skipped("latin.txt", "not UTF-8 text (byte 3)"),
        Skipped("locked.md", "cannot read: Permission denied"),
    ]
    assert "skipped latin.txt" in caplog.text


def test_symbolic_links_out_of_the_tree_are_skipped_and_links_to_folders_not_followed(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("outside the corpus", encoding="utf-8")
    root = tmp_path / "corpus"
    (root / "real").mkdir(parents=True)
    (root / "real" / "a.txt").write_text("inside", encoding="utf-8")
    (root / "escape.txt").symlink_to(outside / "secret.txt")
    (root / "escape_dir").symlink_to(outside, target_is_directory=True)
    (root / "alias.txt").symlink_to(root / "real" / "a.txt")
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    corpus = read(root)
    assert sources(corpus) == ["alias.txt", "real/a.txt"]
    assert [s.path for s in corpus.skipped] == ["dangling.txt", "escape.txt", "escape_dir"]


def test_python_files_give_their_docstrings_parsed_with_ast(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text(
        '"""The module."""\n'
        "import sys\n"
        "class Klass:\n"
        '    """The class."""\n'
        "    def method(self):\n"
        '        """The method.\n\n        Indented detail.\n        """\n'
        "        def inner():\n"
        '            """The inner function."""\n'
        "    def bare(self):\n"
        "        return 1\n"
        "if sys.version_info >= (3,):\n"
        "    async def fetch():\n"
        '        """Fetches."""\n',
        encoding="utf-8",
    )
    documents = list(read(tmp_path))
    assert [(d["source"], d["text"]) for d in documents] == [
        ("pkg/mod.py", "The module."),
        ("pkg/mod.py::Klass", "The class."),
        ("pkg/mod.py::Klass.method", "The method.\n\nIndented detail."),
        ("pkg/mod.py::Klass.method.inner", "The inner function."),
        ("pkg/mod.py::fetch", "Fetches."),
    ]
    assert all(d["id"] == content_id(d["source"], d["text"]) for d in documents)


def test_a_python_file_is_never_run_and_a_broken_one_is_skipped(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    (corpus_dir / "evil.py").write_text(
        '"""Looks harmless."""\n'
        f"open({str(marker)!r}, 'w').write('ran')\n"
        f"__import__('os').system('touch {marker}')\n"
        "def f():\n"
        '    """A function."""\n',
        encoding="utf-8",
    )
    (corpus_dir / "broken.py").write_text('"""Doc."""\ndef f(:\n', encoding="utf-8")
    (corpus_dir / "nul.py").write_bytes(b'"""Doc."""\n\x00\n')
    corpus = read(corpus_dir)
    assert sources(corpus) == ["evil.py", "evil.py::f"]
    assert not marker.exists()
    assert [s.path for s in corpus.skipped] == ["broken.py", "nul.py"]
    assert corpus.skipped[0].reason.startswith("not valid Python: SyntaxError")


def test_a_coding_line_is_honoured_as_python_would(tmp_path: Path) -> None:
    (tmp_path / "old.py").write_bytes(b'# -*- coding: latin-1 -*-\n"""Caf\xe9."""\n')
    [document] = read(tmp_path)
    assert document["text"] == "Café."


def test_jsonl_gives_a_document_per_line(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    lines = [
        json.dumps({"text": "first", "source": "a", "id": "given"}),
        "",
        json.dumps({"text": "second", "extra": [1, 2]}),
        json.dumps({"text": "third", "source": "c"}),
    ]
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    assert list(read(path)) == [
        {"id": "given", "source": "a", "text": "first"},
        {"id": content_id("docs.jsonl:3", "second"), "source": "docs.jsonl:3", "text": "second"},
        {"id": content_id("c", "third"), "source": "c", "text": "third"},
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "broken"', "not valid JSON: Expecting ',' delimiter at column 18"),
        ('["text"]', 'expected an object {"text", "source"?, "id"?}, found list'),
        ('{"source": "s"}', '"text" must be a string, found NoneType'),
        ('{"text": 1}', '"text" must be a string, found int'),
        ('{"text": "t", "source": 2}', '"source" must be a string, found int'),
        ('{"text": "t", "id": 3}', '"id" must be a string, found int'),
        ('{"text": "\\ud800"}', "has no content digest"),
    ],
)
def test_a_bad_jsonl_line_raises_naming_the_file_and_line(
    tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text(f'{{"text": "ok 1"}}\n{{"text": "ok 2"}}\n{line}\n', encoding="utf-8")
    documents = iter(read(path))
    # Lazy: the lines before the bad one arrive before it is read.
    assert [next(documents)["text"], next(documents)["text"]] == ["ok 1", "ok 2"]
    with pytest.raises(ValueError) as raised:
        next(documents)
    assert str(raised.value).startswith(f"{path}, line 3: ")
    assert message in str(raised.value)


def test_jsonl_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n')
    with pytest.raises(ValueError, match=r"docs.jsonl, line 2: not UTF-8"):
        list(read(path))


def test_a_single_file_is_read_and_its_failures_raise(tmp_path: Path) -> None:
    (tmp_path / "one.md").write_text("# one", encoding="utf-8")
    assert sources(read(tmp_path / "one.md")) == ["one.md"]
    (tmp_path / "bad.py").write_text("def (:", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.py: not valid Python"):
        list(read(tmp_path / "bad.py"))
    (tmp_path / "bad.txt").write_bytes(b"\xff")
    with pytest.raises(ValueError, match=r"bad.txt: not UTF-8"):
        list(read(tmp_path / "bad.txt"))
    (tmp_path / "data.csv").write_text("a,b", encoding="utf-8")
    with pytest.raises(ValueError, match="not a folder or a file of a known kind"):
        read(tmp_path / "data.csv")
    with pytest.raises(FileNotFoundError):
        read(tmp_path / "missing")


def test_reading_streams_one_file_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(5):
        (tmp_path / f"{i}.txt").write_text(f"document {i}", encoding="utf-8")
    opened: list[str] = []
    original = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        opened.append(self.name)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    documents = iter(read(tmp_path))
    next(documents)
    assert opened == ["0.txt"]


def test_the_registry_reader_reads_a_path(kit: Any, corpus: Path) -> None:
    entry = kit.registry.get("rag.read")
    assert (entry.kind, entry.in_type, entry.out_type) == ("reader", "Path", "Document")
    documents = list(entry.build({}, RunContext())(corpus))
    assert [d["source"] for d in documents] == [
        "guide.md", "notes/birds.txt", "notes/more.rst", "tool.py", "tool.py::light",
    ]  # fmt: skip


@pytest.mark.skipif(os.name != "posix", reason="needs a FIFO")
def test_special_files_are_ignored(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    assert sources(read(tmp_path)) == ["a.txt"]


def test_suffixes_match_whatever_their_case(tmp_path: Path) -> None:
    (tmp_path / "LOUD.TXT").write_text("loud", encoding="utf-8")
    (tmp_path / "Mod.PY").write_text('"""Doc."""', encoding="utf-8")
    assert sources(read(tmp_path)) == ["LOUD.TXT", "Mod.PY"]
