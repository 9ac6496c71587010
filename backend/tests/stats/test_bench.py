"""The benchmark's pure parts (the benchmark itself runs with `make bench`, not here): the
seeded org tree and its pairs follow the domain's rules, and the statistics are right."""

from app.access.roles import Role
from app.main import create_app
from bench.floor import Call, capture
from bench.load import Series
from bench.seed import Shape, Unit, build_tree, issue_categories, task_categories
from tests.support import World

TIERS = ["prefecture", "county", "street", "community"]
DIRECTING = {"department", "taskforce", "group"}


def _tier_unit(unit: Unit) -> Unit:
    while unit.kind not in TIERS:
        assert unit.parent is not None
        unit = unit.parent
    return unit


def _within(unit: Unit, root: Unit) -> bool:
    return unit.path[: len(root.path)] == root.path


def test_the_tree_is_large_and_nested_like_the_real_one() -> None:
    tree = build_tree(Shape())
    assert len(tree.units) >= 10_000
    assert [u.key for u in tree.units] == list(range(1, len(tree.units) + 1))
    assert len({u.code for u in tree.units}) == len(tree.units)
    for unit in tree.units:
        if unit.kind in TIERS and unit.parent is not None:
            assert TIERS.index(unit.kind) == TIERS.index(unit.parent.kind) + 1
        assert unit.tier == _tier_unit(unit).kind
        assert unit.path[-1] == unit.key


def test_seeded_pairs_follow_the_assignment_and_escalation_rules() -> None:
    tree = build_tree(Shape())
    task_cats = task_categories(tree)
    issue_cats = issue_categories(tree)
    for categories in (task_cats, issue_cats):
        assert abs(sum(w for w, _ in categories) - 1) < 1e-9
        assert all(pairs for _, pairs in categories)
    for _, pairs in task_cats:
        for issuer, assignee in pairs:
            root = issuer
            if issuer.kind in DIRECTING and issuer.parent is not None:
                root = _tier_unit(issuer.parent)
            assert assignee is not issuer and _within(assignee, root), (issuer.code, assignee.code)
    for _, pairs in issue_cats:
        for reporter, handler in pairs:
            assert handler is reporter or (handler.kind in TIERS and _within(reporter, handler)), (
                reporter.code,
                handler.code,
            )


async def test_the_floor_runs_what_the_list_endpoint_runs(world: World) -> None:
    """The floor replays the captured statements, so the capture must see every one: the
    caller's grants and the page, both plain SQL on the read pool."""
    token = world.actor(Role.officer, "S11").headers["Authorization"].removeprefix("Bearer ")
    captured = await capture(create_app(), Call("GET", "/api/v1/tasks?limit=5"), token)
    statements = captured.statements
    assert captured.on_read_pool == [True, True]
    assert len(statements) == 2
    assert " FROM users " in statements[0][0] and " JOIN tasks t " in statements[1][0]
    assert statements[1][1][-1] == 6  # limit + 1, the page's last parameter


def test_percentiles_and_throughput() -> None:
    series = Series([i / 1000 for i in range(1, 101)], elapsed=2.0, concurrency=1)
    assert series.p50 == 0.05
    assert series.p99 == 0.099
    assert series.throughput == 50
