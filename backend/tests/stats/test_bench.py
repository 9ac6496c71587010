"""The benchmark's pure parts (the benchmark itself runs with `make bench`, not here): the
seeded org tree and its pairs follow the domain's rules, and the statistics are right."""

from bench.floor import limit_first
from bench.load import Series
from bench.seed import Shape, Unit, build_tree, issue_categories, task_categories

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


def test_limit_first_reshapes_only_the_page_query() -> None:
    page = (
        "SELECT tasks.id, issuer_org.name AS issuer_org_name \nFROM tasks JOIN org_units AS "
        "issuer_org ON issuer_org.id = tasks.issuer_org_id \nWHERE tasks.issuer_path >= "
        "$1::INTEGER[] ORDER BY tasks.created_at DESC, tasks.id DESC \n LIMIT $2::INTEGER"
    )
    assert limit_first(page) == (
        "SELECT tasks.id, issuer_org.name AS issuer_org_name FROM (SELECT * FROM tasks "
        "WHERE tasks.issuer_path >= $1::INTEGER[] ORDER BY tasks.created_at DESC, "
        "tasks.id DESC LIMIT $2::INTEGER) AS tasks JOIN org_units AS issuer_org ON "
        "issuer_org.id = tasks.issuer_org_id ORDER BY tasks.created_at DESC, tasks.id DESC"
    )
    assert limit_first("SELECT 1") is None


def test_percentiles_and_throughput() -> None:
    series = Series([i / 1000 for i in range(1, 101)], elapsed=2.0, concurrency=1)
    assert series.p50 == 0.05
    assert series.p99 == 0.099
    assert series.throughput == 50
