"""The tokenizer table: how many tokens each tokenizer makes of the same text, relative to o200k."""

from decimal import Decimal
from typing import Literal, Self

from pydantic import Field, model_validator

from tco.models.base import Positive, Sourced, Strict

REFERENCE = "o200k"
ContentType = Literal["prose", "code", "cjk"]


class TokenRatio(Strict):
    prose: Positive
    """English prose; also used for a content type that was not measured."""
    code: Positive | None = None
    cjk: Positive | None = None
    """Chinese, Japanese and Korean text."""


class Tokenizer(Sourced):
    name: str = ""
    relative_to: str = REFERENCE
    """The tokenizer the ratio is measured against; chains are multiplied out."""
    ratio: TokenRatio
    """Tokens this tokenizer makes of a text per token `relative_to` makes of it."""


class TokenizerTable(Strict):
    tokenizers: dict[str, Tokenizer] = Field(min_length=1)

    @model_validator(mode="after")
    def _chains_end_at_reference(self) -> Self:
        if REFERENCE not in self.tokenizers:
            raise ValueError(f"the table must define the reference tokenizer {REFERENCE!r}")
        for name in self.tokenizers:
            seen = [name]
            while seen[-1] != REFERENCE:
                parent = self.tokenizers[seen[-1]].relative_to
                if parent not in self.tokenizers:
                    raise ValueError(f"tokenizer {seen[-1]!r} is relative_to unknown tokenizer {parent!r}")
                if parent in seen:
                    raise ValueError(f"tokenizers {' → '.join(seen + [parent])} form a loop")
                seen.append(parent)
        return self

    def ratio(self, name: str, content: ContentType) -> tuple[Decimal, bool]:
        """Tokens of `name` per o200k token for `content`, and whether every step was measured for it."""
        value, measured = Decimal(1), True
        while name != REFERENCE:
            entry = self.tokenizers[name]
            step = getattr(entry.ratio, content)
            if step is None:
                step, measured = entry.ratio.prose, False
            value *= step
            name = entry.relative_to
        return value, measured


class TokenizerLayer(Strict):
    """A `tokenizers.yaml` laid over another table (a private price-book directory): tokenizers added or replaced by
    name; the reference may be left to the table below."""

    tokenizers: dict[str, Tokenizer] = Field(min_length=1)
