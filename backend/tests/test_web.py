"""The browser-facing bits: the refresh cookie mode and serving the SPA."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.core.config import get_settings
from app.core.db import sessionmaker
from app.main import create_app
from tests.support import PASSWORD, World, make_user

COOKIE = "liandong_refresh"


@pytest.fixture
async def cookie_user(unique: str) -> str:
    from app.auth.passwords import hash_password

    async with sessionmaker()() as session:
        user = await make_user(
            session, f"cookie-{unique}", password_hash=await hash_password(PASSWORD)
        )
        await session.commit()
        return user.username


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """A client with its own cookie jar, like one browser."""
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def _login(client: httpx.AsyncClient, username: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token",
        data={"username": username, "password": PASSWORD},
        headers={"X-Refresh-Mode": "cookie"},
    )


async def test_cookie_mode_keeps_the_refresh_token_out_of_reach_of_scripts(
    browser: httpx.AsyncClient, cookie_user: str
) -> None:
    response = await _login(browser, cookie_user)
    assert response.status_code == 200, response.text
    assert "refresh_token" not in response.json()
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=rt_")
    for attribute in ("HttpOnly", "Path=/api/v1/auth", "SameSite=strict"):
        assert attribute.lower() in cookie.lower()
    assert "secure" not in cookie.lower()  # plain http in tests; https adds Secure


async def test_cookie_refresh_rotates_and_needs_our_origin(
    browser: httpx.AsyncClient, cookie_user: str
) -> None:
    login = await _login(browser, cookie_user)
    token = login.cookies[COOKIE]
    own = {"Origin": "http://testserver"}

    foreign = await browser.post(
        "/api/v1/auth/refresh", json={}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    missing = await browser.post("/api/v1/auth/refresh", json={})
    assert missing.status_code == 403

    rotated = await browser.post("/api/v1/auth/refresh", json={}, headers=own)
    assert rotated.status_code == 200, rotated.text
    new_token = rotated.cookies[COOKIE]
    assert new_token != token
    assert browser.cookies[COOKIE] == new_token
    me = await browser.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {rotated.json()['access_token']}"}
    )
    assert me.json()["username"] == cookie_user

    browser.cookies.clear()
    no_cookie = await browser.post("/api/v1/auth/refresh", headers=own)
    assert no_cookie.status_code == 401


async def test_logout_clears_the_cookie_and_ends_the_session(
    browser: httpx.AsyncClient, cookie_user: str
) -> None:
    login = await _login(browser, cookie_user)
    token = login.cookies[COOKIE]
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    out = await browser.post("/api/v1/auth/logout", headers=headers)
    assert out.status_code == 204
    assert "max-age=0" in out.headers["set-cookie"].lower()
    assert COOKIE not in browser.cookies
    browser.cookies.set(COOKIE, token, path="/api/v1/auth")
    again = await browser.post("/api/v1/auth/refresh", headers={"Origin": "http://testserver"})
    assert again.status_code == 401


@pytest.fixture
def spa_dir(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>联动</title><div id=root>")
    (tmp_path / "assets" / "app.js").write_text("console.log('hi')")
    return tmp_path


async def test_spa_is_served_with_history_fallback_and_api_stays_json(
    spa_dir: Path, world: World
) -> None:
    settings = get_settings()
    settings.spa_dir = spa_dir
    try:
        app = create_app()
    finally:
        settings.spa_dir = None
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as web:
        index = await web.get("/")
        assert index.status_code == 200 and "联动" in index.text
        deep = await web.get("/tasks/some-id")
        assert deep.status_code == 200 and "联动" in deep.text
        asset = await web.get("/assets/app.js")
        assert asset.text == "console.log('hi')"
        assert "immutable" in asset.headers["cache-control"]
        missing_api = await web.get("/api/v1/no-such-thing")
        assert missing_api.status_code == 404
        assert missing_api.headers["content-type"] == "application/problem+json"
        health = await web.get("/api/v1/health")
        assert health.json() == {"status": "ok"}


async def test_logout_by_cookie_alone_when_the_access_token_has_expired(
    browser: httpx.AsyncClient, cookie_user: str
) -> None:
    await _login(browser, cookie_user)
    token = browser.cookies[COOKIE]
    expired = {"Authorization": "Bearer not-a-valid-token", "Origin": "http://testserver"}
    foreign = await browser.post(
        "/api/v1/auth/logout", json={}, headers={**expired, "Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    out = await browser.post("/api/v1/auth/logout", json={}, headers=expired)
    assert out.status_code == 204
    assert COOKIE not in browser.cookies
    browser.cookies.set(COOKIE, token, path="/api/v1/auth")
    again = await browser.post("/api/v1/auth/refresh", headers={"Origin": "http://testserver"})
    assert again.status_code == 401


async def test_logout_without_token_or_cookie_is_401(browser: httpx.AsyncClient) -> None:
    response = await browser.post("/api/v1/auth/logout")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
