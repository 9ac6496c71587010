"""Role x position for the stats routes: every role reads the summary of a unit its grant
covers (200) and gets 404 for any other unit."""

import httpx
import pytest

from app.access.roles import Role
from tests.stats.authz_matrix import STATS_ROUTES, expected_status
from tests.support import CALLER_UNIT, POSITION_UNIT, POSITIONS, ROLES, World

CASES = [
    pytest.param(route, role, position, id=f"{route[1]} {role.value}@{position}")
    for route in sorted(STATS_ROUTES)
    for role in ROLES
    for position in POSITIONS
]


@pytest.mark.parametrize(("route", "role", "position"), CASES)
async def test_stats_matrix(
    client: httpx.AsyncClient, world: World, route: tuple[str, str], role: Role, position: str
) -> None:
    method, path = route
    target = world.unit(POSITION_UNIT[position])
    actor = world.actor(role, CALLER_UNIT)
    response = await client.request(
        method, path, params={"org_id": str(target.id)}, headers=actor.headers
    )
    expected = expected_status(role, position)
    assert response.status_code == expected, response.text
    if expected == 200:
        assert response.json()["org_id"] == str(target.id)
    else:
        assert response.headers["content-type"] == "application/problem+json"
