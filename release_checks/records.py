"""JSON round-trips for fact records, so one xdist worker computes a fact and all read it."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any, Self

__all__ = ["Record"]


class Record:
    """Mixin for frozen, keyword-only dataclasses made of JSON-friendly fields.

    Fields may be str, int, float, bool, None, nested records, and lists, tuples or
    str-keyed dicts of those.
    """

    def to_json(self) -> str:
        """Serialise the record; `from_json` gives back an equal record."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)  # type: ignore[call-overload]

    @classmethod
    def from_json(cls, text: str) -> Self:
        """Rebuild a record written by `to_json`."""
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a record from `dataclasses.asdict` output.

        A field missing from `data` (output older than the field) takes its default.
        """
        hints = typing.get_type_hints(cls)
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        return cls(
            **{
                f.name: _revive(hints[f.name], data[f.name])
                for f in fields
                if f.init and f.name in data
            }
        )


def _revive(hint: Any, value: Any) -> Any:  # noqa: ANN401, PLR0911 - mirrors any field type
    """Turn a JSON value back into the type a field annotation names."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        return _revive(next(arg for arg in args if arg is not type(None)), value)
    if origin is tuple:
        return tuple(_revive(args[0], item) for item in value)
    if origin is list:
        return [_revive(args[0], item) for item in value]
    if origin is dict:
        return {key: _revive(args[1], item) for key, item in value.items()}
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.from_dict(value)
    return value
