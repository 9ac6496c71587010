"""The router factory: every route of a kind of work item, made from its `WorkItemKind`.

List, create, read, edit, the timeline, feedback, and one POST per row of the rule table,
each declaring its permission (checked by the dependency at the item, see
app/access/deps.py), its body schema, summary and problem answers. Bodies are rendered by
the services and encoded with orjson; the response models document their shapes.
"""

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, status
from fastapi.responses import Response

from app.access.deps import requires
from app.access.roles import Perm
from app.access.scope import Principal
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.etags import IfMatch, json_response
from app.core.idempotency import IdempotencyDep
from app.core.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, Page
from app.core.query import QueryModel
from app.feedback.models import FeedbackKind
from app.feedback.schemas import FeedbackCreate, FeedbackRead
from app.workitems import service
from app.workitems.kinds import WorkItemKind
from app.workitems.rules import Action
from app.workitems.schemas import EventRead

KW = inspect.Parameter.KEYWORD_ONLY


def param(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(name, KW, annotation=annotation, default=default)


def endpoint(
    name: str, params: list[inspect.Parameter], run: Callable[..., Awaitable[Response]]
) -> Callable[..., Awaitable[Response]]:
    """An endpoint whose signature FastAPI reads from `params` (names the kind decides,
    such as `task_id`), calling `run(**arguments)`."""

    async def endpoint(**arguments: Any) -> Response:
        return await run(**arguments)

    endpoint.__name__ = name
    endpoint.__signature__ = inspect.Signature(params, return_annotation=Response)  # type: ignore[attr-defined]
    return endpoint


def _problems(kind: WorkItemKind, *codes: int) -> dict[int | str, dict[str, Any]]:
    described = {
        403: "In scope, but not your side or role",
        404: f"No such {kind.noun} in your scope",
        409: f"Not allowed in the {kind.noun}'s current state (or its parent's; named in `detail`)",
        412: "If-Match is stale",
    }
    return {code: {"description": described[code]} for code in codes}


def item_router(kind: WorkItemKind, router: APIRouter) -> APIRouter:
    """Add the kind's routes to `router`, after its own (a fixed path such as
    `/tasks/assignable-units` must come before `/tasks/{task_id}` to match)."""
    noun, id_param = kind.noun, kind.id_param
    item_path = f"/{{{id_param}}}"

    def caller(perm: Perm, *, at_item: bool = True) -> inspect.Parameter:
        target = kind.target if at_item else None
        return param("principal", Annotated[Principal, requires(perm, target=target)])

    item_id = param(id_param, uuid.UUID)
    session, idem = param("session", SessionDep), param("idem", IdempotencyDep)
    if_match = param("if_match", IfMatch, None)
    query_model: QueryModel[Any] = QueryModel(kind.query_model)

    def the_id(arguments: dict[str, Any]) -> uuid.UUID:
        found: uuid.UUID = arguments[id_param]
        return found

    async def list_items(**arguments: Any) -> Response:
        items, next_cursor = await kind.page(arguments["principal"], arguments["filters"])
        return json_response({"items": items, "next_cursor": next_cursor})

    router.get(
        "",
        response_model=kind.page_model,
        summary=f"{kind.plural.capitalize()} in my scope",
        openapi_extra=query_model.openapi,
    )(
        endpoint(
            f"list_{kind.plural}",
            [
                caller(kind.read_perm, at_item=False),
                param("filters", Annotated[kind.query_model, query_model.dependency]),
            ],
            list_items,
        )
    )

    async def create(**arguments: Any) -> Response:
        principal: Principal = arguments["principal"]
        response: Response = await arguments["idem"].created(
            principal.user_id,
            lambda: kind.create(arguments["session"], principal, arguments["body"]),
            location=lambda item: f"/api/v1/{kind.plural}/{item['id']}",
        )
        return response

    router.post(
        "",
        response_model=kind.read_model,
        status_code=status.HTTP_201_CREATED,
        responses=_problems(kind, 403, 404, *kind.create_conflicts),
        summary=kind.create_summary,
    )(
        endpoint(
            f"create_{noun}",
            [
                session,
                caller(kind.create_perm, at_item=False),
                param("body", kind.create_model),
                idem,
            ],
            create,
        )
    )

    async def get(**arguments: Any) -> Response:
        item = await kind.get(arguments["principal"], the_id(arguments))
        if item is None:
            raise NotFound(noun.capitalize())
        return json_response(item, version=item["version"])

    router.get(
        item_path,
        response_model=kind.read_model,
        responses=_problems(kind, 404),
        summary=f"A {noun}, with what you may do with it",
    )(endpoint(f"get_{noun}", [caller(kind.read_perm), item_id], get))

    async def update(**arguments: Any) -> Response:
        changes = arguments["body"].model_dump(exclude_unset=True)
        item = await service.edit(
            kind,
            arguments["session"],
            arguments["principal"],
            the_id(arguments),
            changes,
            arguments["if_match"],
        )
        return json_response(item, version=item["version"])

    router.patch(
        item_path,
        response_model=kind.read_model,
        responses=_problems(kind, 403, 404, 409, 412),
        summary=kind.update_summary,
    )(
        endpoint(
            f"update_{noun}",
            [
                session,
                caller(kind.edit_perm),
                item_id,
                param("body", kind.update_model),
                if_match,
            ],
            update,
        )
    )

    for action in kind.workflow.actions:
        _action_route(kind, router, action, caller(action.perm), item_id, session, idem, if_match)

    def paged(arguments: dict[str, Any]) -> dict[str, Any]:
        return {"limit": arguments["limit"], "cursor": arguments["cursor"]}

    async def events(**arguments: Any) -> Response:
        principal, item = arguments["principal"], the_id(arguments)
        page = await service.timeline(kind, principal, item, **paged(arguments))
        return json_response({"items": page.items, "next_cursor": page.next_cursor})

    paging = [param("limit", LimitParam, DEFAULT_LIMIT), param("cursor", CursorParam, None)]
    router.get(
        f"{item_path}/events",
        response_model=Page[EventRead],
        responses=_problems(kind, 404),
        summary=f"A {noun}'s timeline",
    )(endpoint(f"{noun}_events", [caller(kind.read_perm), item_id, *paging], events))

    async def feedback(**arguments: Any) -> Response:
        principal, item, of_kind = arguments["principal"], the_id(arguments), arguments["kind"]
        page = await service.feedback_page(
            kind, principal, item, feedback_kind=of_kind, **paged(arguments)
        )
        return json_response({"items": page.items, "next_cursor": page.next_cursor})

    router.get(
        f"{item_path}/feedback",
        response_model=Page[FeedbackRead],
        responses=_problems(kind, 404),
        summary=f"A {noun}'s feedback",
    )(
        endpoint(
            f"{noun}_feedback",
            [
                caller(kind.read_perm),
                item_id,
                param("kind", FeedbackKind | None, None),
                *paging,
            ],
            feedback,
        )
    )

    async def give_feedback(**arguments: Any) -> Response:
        principal, item, body = arguments["principal"], the_id(arguments), arguments["body"]
        response: Response = await arguments["idem"].created(
            principal.user_id,
            lambda: service.add_feedback(kind, arguments["session"], principal, item, body),
        )
        return response

    router.post(
        f"{item_path}/feedback",
        response_model=FeedbackRead,
        status_code=status.HTTP_201_CREATED,
        responses=_problems(kind, 403, 404),
        summary=f"Give feedback on a {noun} (either side)",
    )(
        endpoint(
            f"give_{noun}_feedback",
            [session, caller(Perm.feedback_create), item_id, param("body", FeedbackCreate), idem],
            give_feedback,
        )
    )
    return router


def _action_route(
    kind: WorkItemKind,
    router: APIRouter,
    action: Action,
    principal: inspect.Parameter,
    item_id: inspect.Parameter,
    session: inspect.Parameter,
    idem: inspect.Parameter,
    if_match: inspect.Parameter,
) -> None:
    """POST /{plural}/{id}/{action}: one route per rule row."""

    async def act(**arguments: Any) -> Response:
        caller: Principal = arguments["principal"]
        body = arguments["body"] or action.body()

        response: Response = await arguments["idem"].respond(
            caller.user_id,
            lambda: service.act(
                kind,
                arguments["session"],
                caller,
                arguments[kind.id_param],
                action.name,
                body,
                arguments["if_match"],
            ),
        )
        return response

    body = (
        param("body", action.body)
        if action.body_required
        else param("body", action.body | None, None)
    )
    router.post(
        f"/{{{kind.id_param}}}/{action.name}",
        response_model=kind.read_model,
        responses=_problems(kind, 403, 404, 409, 412),
        summary=action.summary,
    )(
        endpoint(
            f"{kind.noun}_{action.name.replace('-', '_')}",
            [session, principal, item_id, idem, if_match, body],
            act,
        )
    )
