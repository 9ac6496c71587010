"""Query-string models for the list routes, validated in one pydantic call.

FastAPI's own handling of `Annotated[Model, Query()]` inspects every field's type on
every request, which on the busiest routes (the task and issue lists, a dozen filters
each) costs more than validating the whole model. `QueryModel(Model)` reads the query
string into the model directly and documents the same parameters in OpenAPI.
"""

from typing import Any, Generic, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

SCHEMA_REF = "#/components/schemas/{model}"
M = TypeVar("M", bound=BaseModel)


def _is_array(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [schema])
    return any(option.get("type") == "array" for option in options)


class QueryModel(Generic[M]):
    """`Depends(QueryModel(M))` gives an M; `.openapi` lists M's fields as parameters.

    Every field is optional (a filter); list fields take repeated keys (`?status=a&status=b`).
    Unknown keys are ignored, as FastAPI does. Errors are FastAPI's RequestValidationError,
    located at ("query", field), so they read like any other 422.
    """

    def __init__(self, model: type[M]) -> None:
        self.model = model
        properties: dict[str, dict[str, Any]] = model.model_json_schema(ref_template=SCHEMA_REF)[
            "properties"
        ]
        self.list_fields = frozenset(name for name, s in properties.items() if _is_array(s))
        self.openapi = {
            "parameters": [
                {"name": name, "in": "query", "required": False, "schema": schema}
                | ({"description": schema["description"]} if "description" in schema else {})
                for name, schema in properties.items()
            ],
        }
        self.dependency = Depends(self)

    async def __call__(self, request: Request) -> M:
        params = request.query_params
        data = {
            key: params.getlist(key) if key in self.list_fields else value
            for key, value in params.items()
        }
        try:
            return self.model.model_validate(data)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**error, "loc": ("query", *error["loc"])} for error in exc.errors()]
            ) from exc
