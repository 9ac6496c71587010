import { PlusOutlined } from "@ant-design/icons";
import { Button, DatePicker, Input, Select, Space, Switch, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import type { Dayjs } from "dayjs";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { useTaskList } from "../api/queries";
import { TASK_PRIORITIES, TASK_STATUSES, isOneOf, TASK_TODO, COLOURS, type Task, type TaskFilters } from "../api/workitems";
import { useCan } from "../auth/AuthProvider";
import { useIsMobile } from "../hooks/useIsMobile";
import { OrgTreeSelect } from "../components/OrgTreeSelect";
import { ProblemAlert } from "../components/ProblemAlert";
import { ColourFilter } from "../components/ColourFilter";
import { FilterBar } from "../components/FilterBar";
import { ResponsiveList } from "../components/ResponsiveList";
import { ColourTag, DueTag, TaskStatusTag } from "../components/Tags";
import { urgencyOf } from "../lib/format";
import dayjs from "dayjs";

const SORTS = ["due_at", "-due_at", "-created_at", "created_at", "-updated_at", "updated_at"] as const;

/** Filters live in the URL, so a filtered list can be bookmarked and survives reloads. */
export function filtersFromParams(p: URLSearchParams): TaskFilters {
  const f: TaskFilters = {};
  const status = p.getAll("status").filter((s) => isOneOf(TASK_STATUSES, s));
  if (status.length) f.status = status;
  // The workbench's links: one kind of my to-do.
  const todo = p.get("todo");
  if (isOneOf(TASK_TODO, todo)) f.todo = todo;
  const unit = p.get("within_org_id");
  if (unit) f.within_org_id = unit;
  // The dashboard's links: the assignee's subtree, a period of creation.
  const assignee = p.get("assignee_within_org_id");
  if (assignee) f.assignee_within_org_id = assignee;
  const createdAfter = p.get("created_after");
  const createdBefore = p.get("created_before");
  if (createdAfter) f.created_after = createdAfter;
  if (createdBefore) f.created_before = createdBefore;
  if (p.get("overdue") === "true") f.overdue = true;
  const colour = p.getAll("colour").filter((c) => isOneOf(COLOURS, c));
  if (colour.length) f.colour = colour;
  const prio = p.get("priority");
  if (isOneOf(TASK_PRIORITIES, prio)) f.priority = prio;
  const after = p.get("due_after");
  const before = p.get("due_before");
  if (after) f.due_after = after;
  if (before) f.due_before = before;
  const q = p.get("q");
  if (q) f.q = q;
  f.sort = p.get("sort") ?? "due_at";
  return f;
}

/** How many filters besides the keyword are set (the phone's filter button shows it). */
export function activeFilters(f: object): number {
  const set = Object.entries(f).filter(([k, v]) => {
    if (k === "q" || v === undefined || v === "" || v === false) return false;
    if (k === "sort") return v !== "due_at";
    return !Array.isArray(v) || v.length > 0;
  });
  const keys = set.map(([k]) => k);
  // A due range counts once, whichever of its ends are set.
  return set.length - (keys.includes("due_after") && keys.includes("due_before") ? 1 : 0);
}

export function rowClass(item: { overdue?: boolean; due_soon?: boolean; due_at?: string | null; status?: string }): string {
  const u = urgencyOf(item);
  return u === "overdue" ? "row-overdue" : u === "dueSoon" ? "row-due-soon" : "";
}

export function TaskCard({ task }: { task: Task }) {
  const { t } = useTranslation();
  return (
    <div data-testid="task-card">
      <Space wrap size={4} style={{ marginBottom: 4 }}>
        <TaskStatusTag status={task.status} />
        <ColourTag colour={task.colour} />
        {task.priority === "urgent" && <Typography.Text strong>{t("priority.urgent")}</Typography.Text>}
      </Space>
      <Typography.Paragraph strong style={{ margin: 0, fontSize: 16 }}>
        <Link to={`/tasks/${task.id}`}>{task.title}</Link>
      </Typography.Paragraph>
      <div style={{ fontSize: 13, color: "rgba(0,0,0,0.65)" }}>
        {task.issuer_org_name} → {task.assignee_org_name}
      </div>
      <DueTag item={task} label={t("task.dueAt")} />
    </div>
  );
}

export function TasksPage() {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const { can } = useCan();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const q = useTaskList(filters);
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];

  const set = (key: string, value: string | string[] | null | undefined) => {
    const next = new URLSearchParams(params);
    next.delete(key);
    if (Array.isArray(value)) value.forEach((v) => next.append(key, v));
    else if (value) next.set(key, value);
    setParams(next, { replace: true });
  };

  const columns: ColumnsType<Task> = [
    { title: t("task.fieldTitle"), dataIndex: "title", render: (_, r) => <Link to={`/tasks/${r.id}`}>{r.title}</Link> },
    { title: t("task.status"), dataIndex: "status", render: (_, r) => <TaskStatusTag status={r.status} /> },
    { title: t("colour.label"), dataIndex: "colour", render: (_, r) => <ColourTag colour={r.colour} /> },
    { title: t("task.issuer"), dataIndex: "issuer_org_name" },
    { title: t("task.assignee"), dataIndex: "assignee_org_name" },
    { title: t("task.priority"), dataIndex: "priority", render: (_, r) => t(`priority.${r.priority}`) },
    { title: t("task.dueAt"), dataIndex: "due_at", render: (_, r) => <DueTag item={r} /> },
  ];

  const range: [Dayjs | null, Dayjs | null] | null =
    filters.due_after || filters.due_before ? [filters.due_after ? dayjs(filters.due_after) : null, filters.due_before ? dayjs(filters.due_before) : null] : null;

  return (
    <>
      <div className="page-header">
        <h1>{t("task.title")}</h1>
        {can("task.create") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate("/tasks/new")} data-testid="new-task">
            {t("task.new")}
          </Button>
        )}
      </div>
      <FilterBar
        active={activeFilters(filters)}
        search={
          <Input.Search
            allowClear
            placeholder={t("task.keyword")}
            aria-label={t("task.keyword")}
            defaultValue={filters.q ?? undefined}
            onSearch={(v) => set("q", v)}
            style={{ width: mobile ? "100%" : 220 }}
          />
        }
      >
        <Select
          mode="multiple"
          allowClear
          placeholder={t("task.status")}
          aria-label={t("task.status")}
          value={filters.status ?? []}
          onChange={(v: string[]) => set("status", v)}
          options={TASK_STATUSES.map((s) => ({ value: s, label: t(`status.task.${s}`) }))}
          style={{ minWidth: 200 }}
          maxTagCount="responsive"
        />
        <ColourFilter value={filters.colour ?? []} onChange={(v) => set("colour", v)} />
        <div style={{ minWidth: 220 }}>
          <OrgTreeSelect allowClear value={filters.within_org_id ?? undefined} onChange={(v) => set("within_org_id", v)} placeholder={t("task.unitFilter")} aria-label={t("task.unitFilter")} />
        </div>
        <Select
          allowClear
          placeholder={t("task.priority")}
          aria-label={t("task.priority")}
          value={filters.priority}
          onChange={(v?: string) => set("priority", v)}
          options={TASK_PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))}
        />
        <DatePicker.RangePicker
          allowEmpty={[true, true]}
          value={range}
          aria-label={t("task.dueRange")}
          placeholder={[t("task.dueRange"), t("task.dueRange")]}
          onChange={(v) => {
            const next = new URLSearchParams(params);
            next.delete("due_after");
            next.delete("due_before");
            if (v?.[0]) next.set("due_after", v[0].startOf("day").toISOString());
            if (v?.[1]) next.set("due_before", v[1].endOf("day").toISOString());
            setParams(next, { replace: true });
          }}
        />
        <Select
          aria-label={t("common.sort")}
          value={filters.sort}
          onChange={(v: string) => set("sort", v)}
          options={SORTS.map((s) => ({
            value: s,
            label: `${t(s.includes("due") ? "task.sortDue" : s.includes("created") ? "task.sortCreated" : "task.sortUpdated")} · ${t(s.startsWith("-") ? "common.descending" : "common.ascending")}`,
          }))}
        />
        <Space>
          <Switch checked={!!filters.overdue} onChange={(v) => set("overdue", v ? "true" : null)} aria-label={t("task.overdueOnly")} id="overdue-only" />
          <label htmlFor="overdue-only">{t("task.overdueOnly")}</label>
        </Space>
      </FilterBar>
      <ProblemAlert error={q.error} onRetry={() => void q.refetch()} />
      <ResponsiveList<Task>
        testId="task-list"
        items={items}
        rowKey={(r) => r.id}
        columns={columns}
        renderCard={(r) => <TaskCard task={r} />}
        loading={q.isLoading}
        hasMore={q.hasNextPage}
        loadingMore={q.isFetchingNextPage}
        onLoadMore={() => void q.fetchNextPage()}
        onOpen={(r) => navigate(`/tasks/${r.id}`)}
        rowClassName={rowClass}
        emptyText={t("task.none")}
      />
    </>
  );
}
