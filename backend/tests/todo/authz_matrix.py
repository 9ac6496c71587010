"""The to-do's authorization, as data (the core coverage test reads `TODO_ROUTES`).

`GET /me/todo` is personal: every signed-in person, whatever their role, reads their own
to-do (200; an observer's or an admin's is empty); without a token it is 401. The lists'
`todo=` filter narrows lists every role may read, so it needs nothing more.
"""

from app.access.roles import Role

TODO_ROUTES: set[tuple[str, str]] = {("GET", "/api/v1/me/todo")}
EVERY_ROLE = frozenset(Role)
# Roles whose to-do can hold anything: those holding a permission some kind needs.
ACTING_ROLES = frozenset({Role.leader, Role.officer, Role.liaison})
