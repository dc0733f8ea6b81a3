"""Writing documents out: JSON, and YAML that YAML 1.2 and 1.1 readers read as the same data."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

__all__ = ["dump", "dump_json", "dump_yaml", "leading_comments"]


class _Yaml12SafeDumper(yaml.SafeDumper):
    """PyYAML's safe dumper, taught which plain scalars a YAML 1.2 reader would not read as strings.

    PyYAML quotes a string only when its own (YAML 1.1) rules would read it back as
    something else; `1e3` and `0o17` are strings to it but numbers in YAML 1.2, so they
    must be quoted too.
    """

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent sequence items under their key, as people write YAML by hand.
        super().increase_indent(flow, False)


_Yaml12SafeDumper.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?[0-9]+)$"),
    list("0123456789+-"),
)
_Yaml12SafeDumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("0123456789+-."),
)
_Yaml12SafeDumper.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Yaml12SafeDumper.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


# Characters PyYAML would write raw but reads back differently (NEL, LS and PS are line
# breaks to it) or that are not printable: strings holding any are written double-quoted,
# where they are escaped.
_NEEDS_ESCAPES = re.compile(
    "[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]"
)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if _NEEDS_ESCAPES.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Yaml12SafeDumper.add_representer(str, _represent_str)


def dump_json(data: Any) -> str:
    """Indented JSON text, members in document order, non-ASCII kept as is."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def dump_yaml(data: Any, *, header: str = "") -> str:
    """Block-style YAML text, members in document order, after ``header`` (comment lines)."""
    body = yaml.dump(
        data,
        Dumper=_Yaml12SafeDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=10_000,
    )
    return header + body


def leading_comments(text: str) -> str:
    """The comment and blank lines that open a YAML text, such as an editor's schema modeline."""
    lines = []
    for line in text.splitlines(keepends=True):
        if line.strip() and not line.lstrip().startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


def dump(data: Any, fmt: str, *, header: str = "") -> str:
    """``data`` written as ``fmt`` ("json" or "yaml")."""
    return dump_yaml(data, header=header) if fmt == "yaml" else dump_json(data)
