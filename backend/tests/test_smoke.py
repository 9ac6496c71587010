import httpx

from app.access.roles import Role
from tests.support import World


async def test_health_and_me(client: httpx.AsyncClient, world: World) -> None:
    assert (await client.get("/api/v1/health")).json() == {"status": "ok"}
    actor = world.actor(Role.officer)
    me = await client.get("/api/v1/me", headers=actor.headers)
    assert me.status_code == 200, me.text
    assert me.json()["username"] == actor.user.username
    assert [g["org_id"] for g in me.json()["grants"]] == [str(world.unit("S11").id)]
