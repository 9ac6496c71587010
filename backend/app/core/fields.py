"""Request fields that may be left out but not sent as null (a PATCH's fields, mostly).

`Omittable[T]` documents the field as a plain T (no null in its schema, no default) and
answers an explicit null with a 422 naming the field; a field that can really be cleared
is declared `T | None` instead.
"""

from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Field

T = TypeVar("T")


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may be left out, but may not be null")
    return value


def _without_null(schema: dict[str, Any]) -> None:
    options = [option for option in schema.pop("anyOf", []) if option != {"type": "null"}]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options
    schema.pop("default", None)


Omittable = Annotated[T | None, AfterValidator(_not_null), Field(json_schema_extra=_without_null)]
