"""The statements every work item shares, run on each kind's table: its reads, its
list (the shared filters, scope, and keyset pagination by (sort key, id)) and its
locks; and the timeline's.

A kind's repository subclasses `ItemRepository`, names its `table` (an `ItemTable`) and
`model`, and adds the statements only it needs (a task's subtask counters, say).

A list's cursor holds the sort it was made for, the last row's sort value and its id; the
next page starts strictly after that pair, so rows inserted meanwhile never make a page
repeat or skip a row that was there all along.
"""

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol

import asyncpg
import orjson
import sqlalchemy as sa
from sqlmodel import SQLModel, col

from app.access.roles import Perm, role_has
from app.access.scope import Path, Principal, within_sql
from app.core.config import get_settings
from app.core.errors import Unprocessable
from app.core.models import utcnow
from app.core.pagination import cursor_text, cursor_time, cursor_uuid, decode_cursor, encode_cursor
from app.core.repository import Repository
from app.core.sql import Statement, contains_pattern
from app.grants.repository import has_people
from app.orgs.repository import OrgRepository
from app.workitems.models import COLOUR_COLUMNS, COLOUR_RISE, Colour, ItemEvent, ItemType
from app.workitems.schemas import SORT_FIELDS, ItemQuery, ListQuery
from app.workitems.sides import Sides, scope_predicate

log = logging.getLogger("liandong")


def parse_sort(sort: str) -> tuple[str, bool]:
    """`due_at` or `-due_at` (descending), likewise created_at and updated_at."""
    descending = sort.startswith("-")
    field = sort[1:] if descending else sort
    if field not in SORT_FIELDS:
        raise Unprocessable(f"sort must be one of {', '.join(SORT_FIELDS)}, optionally with '-'.")
    return field, descending


@dataclass(frozen=True)
class ItemTable:
    """How a work-item table is read: `columns` (its API columns, the table named by
    `alias`, party units joined by `joins`), its two party path and tier columns, the unit that
    must act on it (its id and path columns), the permission to read it, and the statuses
    in which its due date still counts."""

    name: str
    feed: str
    alias: str
    columns: str
    joins: str
    parties: tuple[str, str]
    party_tiers: tuple[str, str]  # the columns of `columns` that hold the parties' tiers
    acting: tuple[str, str]
    read_perm: Perm
    open_statuses: tuple[str, ...]

    def is_overdue(self, due_at: datetime, status: str, now: datetime) -> bool:
        """Past its due date while its status still counts it."""
        return status in self.open_statuses and due_at < now

    def is_due_soon(
        self, due_at: datetime, blue_from: datetime | None, status: str, now: datetime
    ) -> bool:
        """Not yet overdue, and due within 2 working days: blue's condition (blue_from is
        kept only while the due date counts; see app/workitems/colour.py)."""
        return (
            status in self.open_statuses
            and blue_from is not None
            and blue_from <= now
            and now <= due_at
        )

    def colour_sql(self, colours: Sequence[Colour], at: str, alias: str | None = None) -> str:
        """The condition "the item's colour at `at` (a bound parameter) is one of
        `colours`": ranges on the moments' partial indexes (the same rule as
        colour.colour_at), on the row named `alias` (the table's own by default)."""
        t = alias or self.alias
        red = f"{t}.red_from < {at}"
        yellow = f"({t}.yellow OR {t}.yellow_from < {at})"
        blue = f"{t}.blue_from <= {at}"
        not_red = f"({t}.red_from IS NULL OR {t}.red_from >= {at})"
        not_yellow = f"(NOT {t}.yellow AND ({t}.yellow_from IS NULL OR {t}.yellow_from >= {at}))"
        not_blue = f"({t}.blue_from IS NULL OR {t}.blue_from > {at})"
        each = {
            Colour.red: red,
            Colour.yellow: f"{yellow} AND {not_red}",
            Colour.blue: f"{blue} AND {not_yellow} AND {not_red}",
            Colour.green: f"{not_blue} AND {not_yellow} AND {not_red}",
        }
        return "(" + " OR ".join(f"({each[c]})" for c in Colour if c in colours) + ")"

    @property
    def select(self) -> str:
        return f"SELECT {self.columns} FROM {self.name} {self.alias} {self.joins}"

    def page_sql(self, where: str, order_by: str, limit: str, *, scope_first: bool) -> str:
        """The page: its ids first, then their rows. Picking the ids needs only the sort
        key's index, which carries the party paths and status (see the models), so
        PostgreSQL walks that index alone and reads just the page's rows from the table.
        With `scope_first`, the rows in scope are gathered before they are ordered (a
        materialised CTE keeps the planner from walking the index instead)."""
        a = self.alias
        head, source = "", f"{self.name} {a} WHERE {where}"
        if scope_first:
            keys = ", ".join(f"{a}.{key}" for key in ("id", *SORT_FIELDS))
            head = f"WITH scoped AS MATERIALIZED (SELECT {keys} FROM {source}) "
            source = f"scoped {a}"
        return (
            f"{head}SELECT {self.columns} FROM (SELECT {a}.id FROM {source} "
            f"ORDER BY {order_by} LIMIT {limit}) page "
            f"JOIN {self.name} {a} ON {a}.id = page.id {self.joins} ORDER BY {order_by}"
        )

    def feed_page_sql(
        self, where: str, order_by: str, limit: str, sort_key: str, *, search: str = ""
    ) -> str:
        """The page from the unit feed by `sort_key` (`where` and `order_by` name it `f`).
        With a `search` (a title or a colour), "walk": `where` also names the item's row
        `s`, joined to the feed by id (the feed is read in order and each row tested);
        "probe": the items' rows stand in for the feed, as `f` (the search index's
        candidates, `where` scoping them by their party paths)."""
        a = self.alias
        source = f"{self.name} f" if search == "probe" else f"{self.feed} f"
        if search == "walk":
            source += f" JOIN {self.name} s ON s.id = f.id"
        return (
            f"SELECT {self.columns} FROM (SELECT f.id, f.{sort_key} FROM {source} "
            f"WHERE {where} ORDER BY {order_by} LIMIT {limit}) f "
            f"JOIN {self.name} {a} ON {a}.id = f.id {self.joins} ORDER BY {order_by}"
        )

    def is_open_sql(self, alias: str) -> str:
        """`alias`.status is one of the open statuses, written out as the partial indexes
        on the open items state it (app.workitems.models.open_due_index), so the planner can
        use them."""
        listed = ", ".join(f"'{status}'" for status in sorted(self.open_statuses))
        return f"{alias}.status IN ({listed})"

    def visible(self, statement: Statement, roots: Sequence[Path]) -> None:
        """Either party inside one of the subtrees `roots`."""
        columns = (f"{self.alias}.{party}" for party in self.parties)
        statement.where(within_sql(statement.param, roots, *columns))


def _next_sibling(path: str) -> str:
    """SQL: the path just after the subtree at `path` (see app.access.scope)."""
    return f"array_append(trim_array({path}, 1), {path}[cardinality({path})] + 1)"


def _tier_rank(tier: str) -> str:
    return f"array_position('{{prefecture,county,street,community}}'::text[], {tier}::text)"


def served_units_sql(units: str) -> str:
    """SQL: the units whose to-do is that of the grant units `units` (a uuid[] parameter),
    each with its path and tier and the grant unit (`at_id`, `at_path`): the grant unit
    itself, and the units below it with no people whose nearest ancestor with people it is
    (units with logins are read set-wise from the grants, see
    app.grants.repository.has_people). The walk down stops at every unit with people, so
    it reads the units served and their children, not the grant unit's whole subtree."""
    return (
        "WITH RECURSIVE served AS ("
        " SELECT m.id, m.path, m.tier, m.id AS at_id, m.path AS at_path FROM org_units m"
        f" WHERE m.id = ANY({units}::uuid[])"
        " UNION ALL SELECT o.id, o.path, o.tier, s.at_id, s.at_path FROM served s"
        # Each unit's children by their ids, gathered by ix_org_units_parent_id: joined on
        # parent_id, PostgreSQL guesses a few hundred children a unit and reads the table.
        " JOIN org_units o ON o.id = ANY (ARRAY("
        " SELECT c.id FROM org_units c WHERE c.parent_id = s.id))"
        f" WHERE NOT {has_people('o.id')})"
        " SELECT id, path, tier, at_id, at_path FROM served"
    )


# Names the served units (`served_units_sql`) of these grant units, in a to-do's statement.
Served = Callable[[list[uuid.UUID]], str]


@dataclass(frozen=True)
class TodoWindow:
    """A to-do page's bounds as SQL placeholders: the (due_at, kind, item id) it starts
    after, if any, and how many items it holds at most."""

    after: tuple[str, str, str] | None
    limit: str

    def bound(self, kind: str, due_at: str, item_id: str) -> str:
        """SQL (a further condition, or ""): the item of `kind` with these columns comes
        after `after` by (due_at, kind, item id), its due date an index range first."""
        if self.after is None:
            return ""
        at, after_kind, item = self.after
        return (
            f" AND {due_at} >= {at}::timestamptz AND ({due_at}, '{kind}'::text, {item_id})"
            f" > ({at}::timestamptz, {after_kind}::text, {item}::uuid)"
        )


# Every item of a kind: what a count reads.
EVERY = TodoWindow(None, "ALL")


class TodoSource(Protocol):
    """One kind of to-do (待办) on a work-item table (app/todo/): how many items are in
    the caller's to-do (`counted`), its items for the to-do's page (`source`), and the
    list filter `todo=` (`listed`), from the same rule."""

    @property
    def name(self) -> str: ...

    @property
    def item_type(self) -> ItemType: ...

    @property
    def table(self) -> ItemTable: ...

    def units(self, principal: Principal) -> list[uuid.UUID]:
        """The grant units the kind reads from; none: the caller has no such to-do."""
        ...

    def counted(
        self, statement: Statement, principal: Principal, served: Served, family: Sequence[Any]
    ) -> str:
        """SQL: rows (kind, n) whose `n` add up, per kind, to the number of items in the
        caller's to-do of each kind of `family` (this kind and the others of its class
        that apply to the caller), counted together."""
        ...

    def source(
        self, statement: Statement, principal: Principal, served: Served, window: TodoWindow
    ) -> tuple[str, str]:
        """SQL: a FROM clause giving each item in the caller's to-do once, as the table's
        alias (at least the first `window.limit` after `window.after` by due date, id);
        and the unit acted for, when it is not the caller's own (an expression)."""
        ...

    def listed(self, statement: Statement, principal: Principal) -> str:
        """SQL: the item (the table's alias) is in the caller's to-do of this kind."""
        ...


def _acts(served: str, acting_path: str, other_path: str, other_tier: str) -> str:
    """SQL: a caller whose served unit is `served` acts for the acting party (at
    `acting_path`) against the other party (at `other_path`, of tier `other_tier`): always
    at their grant unit; below it, from the sides of "Separation of duties"
    (workitems/sides.py), as `_acts_below` says."""
    below = _acts_below(served, acting_path, other_path, other_tier)
    return f"({served}.id = {served}.at_id OR {below})"


def _acts_below(served: str, acting_path: str, other_path: str, other_tier: str) -> str:
    """SQL: at a served unit below the grant unit, the caller acts only when the grant
    does not cover the other party, or when the acting party is nearer the root (its
    ancestor, else of a higher tier)."""
    s = served
    # Each path cut to the other's depth: equal to the other when that is its ancestor.
    other_head = f"{other_path}[1:cardinality({acting_path})]"
    acting_head = f"{acting_path}[1:cardinality({other_path})]"
    above_acts = (
        f"NOT ({other_path} >= {s}.at_path AND {other_path} < {_next_sibling(f'{s}.at_path')})"
        f" OR (cardinality({other_path}) > cardinality({acting_path})"
        f" AND {other_head} = {acting_path})"
        f" OR ({other_head} <> {acting_path} AND {acting_head} <> {other_path}"
        f" AND {_tier_rank(f'{s}.tier')} < {_tier_rank(other_tier)})"
    )
    return f"({above_acts})"


class CountedEach:
    """For the kinds of to-do counted each on its own: from its own items (`source`),
    unless it says how (`counting`)."""

    def counting(
        self: "TodoSource", statement: Statement, principal: Principal, served: Served
    ) -> str:
        """SQL: the count and the FROM clause it is taken over."""
        return f"count(*) FROM {self.source(statement, principal, served, EVERY)[0]}"

    def counted(
        self, statement: Statement, principal: Principal, served: Served, family: Sequence[Any]
    ) -> str:
        return " UNION ALL ".join(
            f"SELECT '{kind.name}'::text, {kind.counting(statement, principal, served)}"
            for kind in family
        )


@dataclass(frozen=True)
class TodoKind:
    """One kind of to-do (待办) on a work-item table: the items in `state` wait on the
    party `acting` (its unit id and path columns), and are the to-do of a caller holding
    `perm` at that unit, or at its nearest ancestor with people when it has none (and then
    only from the side separation of duties gives that grant: not when it also covers the
    other party, `other`, unless the acting party is the one nearer the root). `not_by`:
    the column naming the person who did the work this kind judges, never the judge.
    Counted from the tallies (app/todo/models.py), listed from the kind's partial index."""

    name: str
    item_type: ItemType
    table: ItemTable
    acting: tuple[str, str]
    other: tuple[str, str]
    perm: Perm
    state: str  # SQL with `{t}` qualifying the columns: the partial index's predicate
    not_by: str | None = None

    def units(self, principal: Principal) -> list[uuid.UUID]:
        """The units where the caller holds this kind's permission."""
        return sorted({g.org_id for g in principal.grants if role_has(g.role, self.perm)})

    def _waits(self, served: str) -> str:
        """SQL: the item (the table's alias) waits in this kind on the served unit
        `served` (a row of `served_units_sql`) and its caller acts for it, whoever did
        the judged work."""
        t = self.table.alias
        other_tier = f"(SELECT ot.tier FROM org_units ot WHERE ot.id = {t}.{self.other[0]})"
        return (
            f"{t}.{self.acting[0]} = {served}.id AND {self.state.format(t=f'{t}.')}"
            f" AND {_acts(served, f'{t}.{self.acting[1]}', f'{t}.{self.other[1]}', other_tier)}"
        )

    def mine(self, statement: Statement, principal: Principal, served: str) -> str:
        """SQL: the item (the table's alias) is in the to-do of the caller whose served
        units (`served_units_sql`) are the rows aliased `served`."""
        if self.not_by is None:
            return self._waits(served)
        judged = f"{self.table.alias}.{self.not_by}"
        return (
            f"{self._waits(served)}"
            f" AND {judged} IS DISTINCT FROM {statement.param(principal.user_id)}"
        )

    def counted(
        self, statement: Statement, principal: Principal, served: Served, family: Sequence[Any]
    ) -> str:
        # The tallies of the pairs (acting unit, other party's unit) the served units act
        # in, each read through the same rule as the items, with the units' own paths: in
        # one pass for the kinds that read the same units. The served units also as an
        # array, an index condition, so only their tallies are read (as in `listed`). The
        # other party's unit is looked up only below the grant unit, where the rule reads it.
        parts, groups = [], defaultdict(list)
        for kind in family:
            groups[tuple(kind.units(principal))].append(kind)
        other = "tallied_other"
        for units, kinds in groups.items():
            s = served(list(units))
            names = ", ".join(f"'{kind.name}'" for kind in kinds)
            below = _acts_below(s, f"{s}.path", f"{other}.path", f"{other}.tier")
            parts.append(
                f"SELECT r.kind, r.n FROM {s} JOIN todo_tallies r"
                f" ON r.kind IN ({names}) AND r.acting_org_id = {s}.id"
                f" AND r.acting_org_id = ANY (ARRAY(SELECT id FROM {s}))"
                f" WHERE {s}.id = {s}.at_id OR EXISTS (SELECT 1 FROM org_units {other}"
                f" WHERE {other}.id = r.other_org_id AND {below})"
            )
            # The tallies count what the caller did the judged work on; their to-do not.
            for kind in kinds:
                if kind.not_by is not None:
                    t = kind.table.alias
                    parts.append(
                        f"SELECT '{kind.name}', -count(*) FROM {kind.table.name} {t}"
                        f" JOIN {s} ON {kind._waits(s)}"
                        f" WHERE {t}.{kind.not_by} = {statement.param(principal.user_id)}"
                    )
        return " UNION ALL ".join(parts)

    def source(
        self, statement: Statement, principal: Principal, served: Served, window: TodoWindow
    ) -> tuple[str, str]:
        s, t = served(self.units(principal)), self.table.alias
        bound = window.bound(self.name, f"{t}.due_at", f"{t}.id")
        shown = ", ".join(f"{t}.{c}" for c in ("id", "title", "due_at", "status", *COLOUR_COLUMNS))
        # The first items of each served unit, by due date from the kind's partial index
        # (acting unit, due date, id): a page reads what it shows, not all that waits.
        return (
            f"{s} CROSS JOIN LATERAL (SELECT {shown} FROM {self.table.name} {t}"
            f" WHERE {self.mine(statement, principal, s)}{bound}"
            f" ORDER BY {t}.due_at, {t}.id LIMIT {window.limit}) {t}",
            f"CASE WHEN {s}.id <> {s}.at_id THEN {s}.id END",
        )

    def listed(self, statement: Statement, principal: Principal) -> str:
        """SQL: the item is in the caller's to-do of this kind (a list's `todo=` filter)."""
        served = served_units_sql(statement.param(self.units(principal)))
        # The acting unit one of the served units, first: an index condition on the kind's
        # partial index (acting unit first), so PostgreSQL reads just the served units'
        # entries. Joined alone, the served units (a handful, estimated at hundreds) look
        # dear to look up one by one, and the whole index is read instead.
        acting = f"{self.table.alias}.{self.acting[0]}"
        return (
            f"{acting} = ANY (ARRAY(SELECT s.id FROM ({served}) s))"
            f" AND EXISTS (SELECT 1 FROM ({served}) s WHERE {self.mine(statement, principal, 's')})"
        )


# Statement shapes (and scopes) whose page is read scope first, until when (monotonic).
_scope_first: dict[Hashable, float] = {}
_SCOPE_FIRST_MAX = 4096
SCOPE_FIRST_SECONDS = 600.0

Render = Callable[[asyncpg.Record, Sides, datetime], dict[str, Any]]
# (a condition with `{}` where its value goes, the value): applied unless the value is
# None or an empty list.
Condition = tuple[str, Any]


def _feed_due_filters(
    statement: Statement, table: ItemTable, alias: str, query: ItemQuery, now: datetime
) -> None:
    """The filters on the due date a feed row answers: overdue, due before and after."""
    param = statement.param
    if query.overdue is not None:
        overdue = f"({alias}.due_at < {param(now)} AND {table.is_open_sql(alias)})"
        statement.where(overdue if query.overdue else f"NOT {overdue}")
    if query.due_before is not None:
        statement.where(f"{alias}.due_at < {param(query.due_before)}")
    if query.due_after is not None:
        statement.where(f"{alias}.due_at >= {param(query.due_after)}")


# What a unit feed's row knows of its item besides the unit (and the title and colour,
# tested on the item's row): lists filtered by these alone can be read from the feed, by
# due date. Due soon needs the item's colour moments against its due date, which only its
# row has.
FEED_FILTERS = frozenset({"status", "overdue", "due_before", "due_after", "q", "colour"})


def _feed_key(query: ItemQuery) -> str | None:
    """The feed's sort key that answers `query`, if one does: creation time for the
    default list (unfiltered), the due date for a list filtered by status, due date and
    title only (the workbench, the lists as they open, the overdue filter, the search)."""
    filters = query.model_dump(exclude=set(ListQuery.model_fields))
    used = {name for name, value in filters.items() if value not in (None, [], "")}
    key = query.sort.lstrip("-")
    if (key == "created_at" and not used) or (key == "due_at" and used <= FEED_FILTERS):
        return key
    return None


async def _feed_page(
    connection: asyncpg.Connection,
    table: ItemTable,
    principal: Principal,
    query: ItemQuery,
    feed: tuple[Path, str],
    render: Render,
    now: datetime,
) -> tuple[list[dict[str, Any]], str | None]:
    """The caller's one subtree root is `feed[0]` (a path): its unit's feed holds exactly
    the items the caller may read (a party inside the subtree), with their creation time, due
    date and status; `feed[1]` is the sort key it is read by."""
    root, sort_key = feed
    statement = Statement()
    # A rare term: the search index's candidates, each tested against the caller's
    # subtree on its own row, which is then the feed row (`f`, by the same column names).
    # The subtree as a prefix of the paths, not their range: a test on each candidate,
    # where the path indexes would add every item of the subtree to the bitmap.
    probe = bool(query.q) and await _rarest_share(connection, table, query.q or "") < RARE_SHARE
    if probe:
        prefix, depth = statement.param(list(root)), len(root)
        inside = (f"f.{party}[1:{depth}] = {prefix}::int[]" for party in table.parties)
        statement.where(f"({' OR '.join(inside)})")
    else:
        statement.where(f"f.unit_key = {statement.param(root[-1])}")
    row = "f" if probe else "s"
    statuses = getattr(query, "status", None)
    if statuses:
        statement.where(f"f.status = ANY({statement.param(list(statuses))}::text[])")
    _feed_due_filters(statement, table, "f", query, now)
    search = ""
    if query.colour:
        # The colour is the item row's (joined by id as a walking search does); the
        # feed row's status and due date bound the walk: every colour but green needs a
        # due date that counts (the moments are kept only then), yellow and blue (not
        # red) one not passed yet (red starts at the due date or before it), and blue
        # alone one no later than the latest due date that is blue now.
        at = statement.param(now)
        if Colour.green not in query.colour:
            statement.where(table.is_open_sql("f"))
            if Colour.red not in query.colour:
                statement.where(f"f.due_at >= {at}")
                if Colour.yellow not in query.colour:
                    statement.where(f"f.due_at <= colour_blue_until({at})")
        statement.where(table.colour_sql(query.colour, at, row))
        search = "walk"
    if probe:
        search = "probe"
        statement.search(query.q, "f.title", "f.search_grams")
    elif query.q:
        search = "walk"
        pattern = statement.param(contains_pattern(query.q))
        statement.where(f"s.title ILIKE {pattern} ESCAPE '\\'")
    sort, limit = query.ordering, query.limit
    order_by = keyset(statement, "f", sort, query.cursor)
    last = statement.param(limit + 1)
    sql = table.feed_page_sql(statement.where_sql, order_by, last, sort_key, search=search)
    rows = await connection.fetch(sql, *statement.params)
    sides = Sides(principal)
    items = [render(row, sides, now) for row in rows[:limit]]
    return items, next_cursor(items, len(rows), limit, sort)


# A term whose rarest gram is in fewer titles than this share is searched through the
# search index, its candidates scoped on their own rows; a commoner one is found by walking
# the feed in due order and testing each title, which reaches a page's worth of matches
# soon (the planner, estimating the grams as independent, cannot tell the two apart).
RARE_SHARE = 0.01


# The shares change only when the table is analyzed: each term's is kept a few minutes
# (reading it costs about a millisecond, parsing the statistics' array of common grams).
_SHARES: dict[tuple[str, str], tuple[float, float]] = {}
_SHARES_KEPT_SECONDS = 300.0
_SHARES_MAX = 4096


async def _rarest_share(connection: asyncpg.Connection, table: ItemTable, q: str) -> float:
    """The share of `table`'s titles holding the rarest gram of `q`, from the planner's
    statistics of the search grams; 0 for a gram rarer than every common one (or no
    statistics yet)."""
    key, now = (table.name, q), time.monotonic()
    kept = _SHARES.get(key)
    if kept is not None and now - kept[1] < _SHARES_KEPT_SECONDS:
        return kept[0]
    share: float = await connection.fetchval(
        "SELECT coalesce(min(coalesce(s.share, 0)), 0) FROM unnest(search_query_grams($1)) g(gram)"
        " LEFT JOIN (SELECT unnest(most_common_elems::text::text[]) AS gram,"
        " unnest(most_common_elem_freqs) AS share FROM pg_stats WHERE schemaname = 'public'"
        " AND tablename = $2 AND attname = 'search_grams') s ON s.gram = g.gram",
        q,
        table.name,
    )
    if len(_SHARES) >= _SHARES_MAX:
        _SHARES.clear()
    _SHARES[key] = (share, now)
    return share


async def _fetch_page(
    connection: asyncpg.Connection,
    table: ItemTable,
    shape: Hashable,
    clauses: tuple[str, str, str],
    params: Sequence[Any],
) -> list[asyncpg.Record]:
    """PostgreSQL walks the sort key's index until the page is full: quick unless the
    caller's items are all far down it (a unit whose work is all old). When the walk takes
    longer than `list_scope_first_after_ms`, the page is read again with the items in scope
    gathered first, which costs what the scope holds rather than the whole table; when
    that is quick, this scope and shape are read that way for a while. (Gathering a large
    scope first is slow: that is not remembered.)"""
    where, order_by, last = clauses
    if _scope_first.get(shape, 0.0) > time.monotonic():
        rows: list[asyncpg.Record] = await connection.fetch(
            table.page_sql(where, order_by, last, scope_first=True), *params
        )
        return rows
    patience = get_settings().list_scope_first_after_ms / 1000
    try:
        rows = await connection.fetch(
            table.page_sql(where, order_by, last, scope_first=False), *params, timeout=patience
        )
        return rows
    except TimeoutError:
        started = time.monotonic()
        rows = await connection.fetch(
            table.page_sql(where, order_by, last, scope_first=True), *params
        )
        took = time.monotonic() - started
        log.warning(
            "%s list: index walk over %.2f s, scope first %.3f s", table.name, patience, took
        )
        if took < patience / 5:
            if len(_scope_first) >= _SCOPE_FIRST_MAX:
                _scope_first.clear()
            _scope_first[shape] = time.monotonic() + SCOPE_FIRST_SECONDS
        return rows


def keyset(statement: Statement, alias: str, sort: str, cursor: str | None) -> str:
    """Start after the cursor; the ORDER BY clause for (sort key, id) in the sort's direction."""
    field, descending = parse_sort(sort)
    after = decode_cursor(cursor, cursor_text, cursor_time, cursor_uuid)
    if after is not None:
        if after[0] != sort:
            raise Unprocessable("The cursor belongs to another sort order.")
        value, last_id = statement.param(after[1]), statement.param(after[2])
        operator = "<" if descending else ">"
        statement.where(f"({alias}.{field}, {alias}.id) {operator} ({value}, {last_id})")
    direction = " DESC" if descending else ""
    return f"{alias}.{field}{direction}, {alias}.id{direction}"


def next_cursor(items: Sequence[Mapping[str, Any]], rows: int, limit: int, sort: str) -> str | None:
    """`rows` were fetched with limit + 1: a cursor after the last item when there is more."""
    if rows <= limit:
        return None
    field, _ = parse_sort(sort)
    last = items[limit - 1]
    return encode_cursor([sort, last[field].isoformat(), str(last["id"])])


class ItemRepository(Repository):
    table: ClassVar[ItemTable]
    model: ClassVar[Any]  # the SQLModel table class

    # ---------------------------------------------------------------- reads (plain SQL)

    async def visible_row(self, principal: Principal, item_id: uuid.UUID) -> asyncpg.Record | None:
        """The item's row (the columns of `table.select`) when the caller may read it."""
        statement = Statement()
        statement.where(f"{self.table.alias}.id = {statement.param(item_id)}")
        self.table.visible(statement, principal.paths(self.table.read_perm))
        row: asyncpg.Record | None = await self.fetchrow(
            f"{self.table.select} WHERE {statement.where_sql}", *statement.params
        )
        return row

    async def row(self, item_id: uuid.UUID) -> asyncpg.Record:
        """The item's row, unscoped: the read-back of an item this request just wrote."""
        row: asyncpg.Record = await self.fetchrow(
            f"{self.table.select} WHERE {self.table.alias}.id = $1", item_id
        )
        return row

    async def page(
        self,
        principal: Principal,
        query: ItemQuery,
        conditions: Sequence[Condition],
        render: Render,
        todo: TodoSource | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of the items the caller may read that match `query` and `conditions`, and
        are in their to-do of kind `todo` when given."""
        connection, table = await self.connection(), self.table
        now = utcnow()
        roots = principal.paths(table.read_perm)
        feed_key = _feed_key(query)
        if todo is None and feed_key is not None and len(roots) == 1:
            return await _feed_page(
                connection, table, principal, query, (roots[0], feed_key), render, now
            )
        statement = Statement()
        table.visible(statement, roots)
        if todo is not None:
            statement.where(todo.listed(statement, principal))
        t, param = table.alias, statement.param
        for condition, value in conditions:
            if value is not None and value != []:
                statement.where(condition.format(param(value)))
        if query.within_org_id is not None:
            within = await OrgRepository(connection).path_of(query.within_org_id)
            if within is None:
                return [], None
            statement.where(
                within_sql(param, [tuple(within)], *(f"{t}.{c}" for c in table.parties))
            )
        if query.overdue is not None or query.due_soon is not None or query.colour:
            at = param(now)
            if query.overdue is not None:
                overdue = f"({t}.due_at < {at} AND {table.is_open_sql(t)})"
                statement.where(overdue if query.overdue else f"NOT {overdue}")
            if query.due_soon is not None:
                # blue_from is kept only while the due date counts.
                due_soon = f"({t}.blue_from <= {at} AND {t}.due_at >= {at})"
                statement.where(due_soon if query.due_soon else f"NOT coalesce({due_soon}, false)")
            if query.colour:
                statement.where(table.colour_sql(query.colour, at))
        if query.due_before is not None:
            statement.where(f"{t}.due_at < {param(query.due_before)}")
        if query.due_after is not None:
            statement.where(f"{t}.due_at >= {param(query.due_after)}")
        if query.created_before is not None:
            statement.where(f"{t}.created_at < {param(query.created_before)}")
        if query.created_after is not None:
            statement.where(f"{t}.created_at >= {param(query.created_after)}")
        if query.q:
            statement.where(f"{t}.title ILIKE {param(contains_pattern(query.q))} ESCAPE '\\'")
        sort, limit = query.ordering, query.limit
        order_by = keyset(statement, t, sort, query.cursor)
        where, last = statement.where_sql, param(limit + 1)
        # Keyed by the statement's shape and the caller's scope, not by the values bound.
        shape = (table.name, tuple(roots), where, order_by)
        rows = await _fetch_page(
            connection, table, shape, (where, order_by, last), statement.params
        )
        sides = Sides(principal)
        items = [render(row, sides, now) for row in rows[:limit]]
        return items, next_cursor(items, len(rows), limit, sort)

    async def party_paths(self, item_id: uuid.UUID) -> list[list[int]] | None:
        first, second = self.table.parties
        row = await self.fetchrow(
            f"SELECT {first}, {second} FROM {self.table.name} WHERE id = $1", item_id
        )
        return None if row is None else [row[first], row[second]]

    async def visible_party_paths(
        self, principal: Principal, item_id: uuid.UUID
    ) -> list[list[int]] | None:
        """The party paths of an item the caller may read; None otherwise."""
        t, (first, second) = self.table.alias, self.table.parties
        statement = Statement()
        statement.where(f"{t}.id = {statement.param(item_id)}")
        self.table.visible(statement, principal.paths(self.table.read_perm))
        row = await self.fetchrow(
            f"SELECT {t}.{first}, {t}.{second} FROM {self.table.name} {t}"
            f" WHERE {statement.where_sql}",
            *statement.params,
        )
        return None if row is None else [row[first], row[second]]

    def due_sql(self, statement: Statement, *, soon: bool, now: datetime) -> str:
        """A query of the open items overdue at `now` or, with `soon`, due soon (blue's
        condition, see ItemTable.is_due_soon): their id, due date and the unit that must act
        (`org_id`). For the due notices, which the notifications repository writes; the
        partial index on the open items' due dates (app.workitems.models.open_due_index)
        answers the overdue ones."""
        t, (org, _) = self.table.alias, self.table.acting
        param = statement.param
        at = param(now)
        where = [self.table.is_open_sql(t)]
        if soon:
            where += [f"{t}.blue_from <= {at}", f"{t}.due_at >= {at}"]
        else:
            where.append(f"{t}.due_at < {at}")
        return (
            f"SELECT {t}.id, {t}.due_at, {t}.{org} AS org_id"
            f" FROM {self.table.name} {t} WHERE {' AND '.join(where)}"
        )

    # ---------------------------------------------------------------- inside a write

    async def record_colours(self, now: datetime) -> int:
        """Record the colour at `now` of every item the clock has moved past a moment of
        (green to blue, to yellow, to red: time only raises a colour; a write recomputes
        it either way), found by their next rise (ix_<table>_colour_rise). The colour
        trigger writes one `colour_changed` event per row at commit. How many changed."""
        t, name = self.table.alias, self.table.name
        at = f"colour_at({t}.red_from, {t}.yellow, {t}.yellow_from, {t}.blue_from, $1)"
        status: str = await self.execute(
            f"UPDATE {name} {t} SET colour = {at}"
            f" WHERE {COLOUR_RISE.format(t=f'{t}.')} <= $1 AND {t}.colour <> {at}",
            now,
        )
        return int(status.split()[-1])

    async def lock(self, principal: Principal, item_id: uuid.UUID) -> Any:
        """The item, locked for this transaction, when the caller may read it; else None."""
        model = self.model
        visible = scope_predicate(
            principal,
            self.table.read_perm,
            self.table.name,
            *(col(getattr(model, party)) for party in self.table.parties),
        )
        return (
            await self.session.execute(
                sa.select(model).where(col(model.id) == item_id, visible).with_for_update()
            )
        ).scalar_one_or_none()

    async def add(self, item: SQLModel) -> None:
        self.session.add(item)
        await self.session.flush()


class TimelineRepository(Repository):
    """Every statement on item_events."""

    async def add(self, event: ItemEvent) -> None:
        """Inserted now, in the session's transaction (a plain statement: cheaper than the
        ORM's flush of a new row, and the timeline keeps the order of the calls)."""
        await self._connection.execute(
            "INSERT INTO item_events (entity_type, entity_id, action, from_status, to_status,"
            " actor_id, org_id, note, data, at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)",
            event.entity_type,
            event.entity_id,
            event.action,
            event.from_status,
            event.to_status,
            event.actor_id,
            event.org_id,
            event.note,
            None if event.data is None else orjson.dumps(event.data).decode(),
            event.at,
        )

    async def page(
        self, item_type: ItemType, item_id: uuid.UUID, *, after_id: int | None, limit: int
    ) -> list[asyncpg.Record]:
        """Oldest first, `limit` events after `after_id`."""
        rows: list[asyncpg.Record] = await self.fetch(
            "SELECT e.id, e.action, e.from_status, e.to_status, e.actor_id,"
            " u.display_name AS actor_name, e.org_id, o.name AS org_name, e.note, e.data, e.at"
            " FROM item_events e LEFT JOIN users u ON u.id = e.actor_id"
            " LEFT JOIN org_units o ON o.id = e.org_id"
            " WHERE e.entity_id = $1 AND e.entity_type = $2 AND e.id > $3"
            " ORDER BY e.id LIMIT $4",
            item_id,
            item_type.value,
            after_id if after_id is not None else 0,
            limit,
        )
        return rows


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """JSONB-ready: ids and timestamps as strings."""
    return {
        key: value.isoformat()
        if isinstance(value, datetime)
        else str(value)
        if isinstance(value, uuid.UUID)
        else value
        for key, value in data.items()
    }
