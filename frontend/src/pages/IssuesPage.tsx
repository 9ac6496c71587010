import { PlusOutlined } from "@ant-design/icons";
import { Button, Input, Select, Space, Switch, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { useIssueList } from "../api/queries";
import { ISSUE_CATEGORIES, ISSUE_SEVERITIES, ISSUE_STATUSES, TIERS, ISSUE_TODO, COLOURS, isOneOf, type Issue, type IssueFilters } from "../api/workitems";
import { useCan } from "../auth/AuthProvider";
import { useIsMobile } from "../hooks/useIsMobile";
import { OrgTreeSelect } from "../components/OrgTreeSelect";
import { ProblemAlert } from "../components/ProblemAlert";
import { ColourFilter } from "../components/ColourFilter";
import { FilterBar } from "../components/FilterBar";
import { ResponsiveList } from "../components/ResponsiveList";
import { ColourTag, DueTag, IssueStatusTag } from "../components/Tags";
import { activeFilters, rowClass } from "./TasksPage";

const SORTS = ["due_at", "-due_at", "-created_at", "created_at", "-updated_at", "updated_at"] as const;

export function issueFiltersFromParams(p: URLSearchParams): IssueFilters {
  const f: IssueFilters = {};
  const status = p.getAll("status").filter((s) => isOneOf(ISSUE_STATUSES, s));
  if (status.length) f.status = status;
  // The workbench's links: one kind of my to-do.
  const todo = p.get("todo");
  if (isOneOf(ISSUE_TODO, todo)) f.todo = todo;
  const unit = p.get("within_org_id");
  if (unit) f.within_org_id = unit;
  // The dashboard's links: the handler's subtree, a period of raising.
  const handler = p.get("handler_within_org_id");
  if (handler) f.handler_within_org_id = handler;
  const createdAfter = p.get("created_after");
  const createdBefore = p.get("created_before");
  if (createdAfter) f.created_after = createdAfter;
  if (createdBefore) f.created_before = createdBefore;
  // The list takes several categories and severities; this page picks one of each.
  const category = p.get("category");
  if (isOneOf(ISSUE_CATEGORIES, category)) f.category = [category];
  const severity = p.get("severity");
  if (isOneOf(ISSUE_SEVERITIES, severity)) f.severity = [severity];
  const tier = p.get("resolved_tier");
  if (isOneOf(TIERS, tier)) f.resolved_tier = tier;
  if (p.get("overdue") === "true") f.overdue = true;
  const colour = p.getAll("colour").filter((c) => isOneOf(COLOURS, c));
  if (colour.length) f.colour = colour;
  const q = p.get("q");
  if (q) f.q = q;
  f.sort = p.get("sort") ?? "due_at";
  return f;
}

export function IssueCard({ issue }: { issue: Issue }) {
  const { t } = useTranslation();
  return (
    <div data-testid="issue-card">
      <Space wrap size={4} style={{ marginBottom: 4 }}>
        <IssueStatusTag status={issue.status} />
        <ColourTag colour={issue.colour} />
        <Typography.Text strong={issue.severity === "critical" || issue.severity === "high"} type={issue.severity === "critical" || issue.severity === "high" ? undefined : "secondary"}>
          {t("common.labelled", { label: t("issue.severity"), value: t(`severity.${issue.severity}`) })}
        </Typography.Text>
        <Typography.Text type="secondary">{t(`category.${issue.category}`)}</Typography.Text>
      </Space>
      <Typography.Paragraph strong style={{ margin: 0, fontSize: 16 }}>
        <Link to={`/issues/${issue.id}`}>{issue.title}</Link>
      </Typography.Paragraph>
      <div style={{ fontSize: 13, color: "rgba(0,0,0,0.65)" }}>
        {issue.reporter_org_name} → {issue.handler_org_name}
      </div>
      <DueTag item={issue} label={t("issue.dueAt")} />
    </div>
  );
}

export function IssuesPage() {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const { can } = useCan();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => issueFiltersFromParams(params), [params]);
  const q = useIssueList(filters);
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];

  const set = (key: string, value: string | string[] | null | undefined) => {
    const next = new URLSearchParams(params);
    next.delete(key);
    if (Array.isArray(value)) value.forEach((v) => next.append(key, v));
    else if (value) next.set(key, value);
    setParams(next, { replace: true });
  };

  const columns: ColumnsType<Issue> = [
    { title: t("issue.fieldTitle"), dataIndex: "title", render: (_, r) => <Link to={`/issues/${r.id}`}>{r.title}</Link> },
    { title: t("issue.status"), dataIndex: "status", render: (_, r) => <IssueStatusTag status={r.status} /> },
    { title: t("colour.label"), dataIndex: "colour", render: (_, r) => <ColourTag colour={r.colour} /> },
    { title: t("issue.category"), dataIndex: "category", render: (_, r) => t(`category.${r.category}`) },
    { title: t("issue.severity"), dataIndex: "severity", render: (_, r) => t(`severity.${r.severity}`) },
    { title: t("issue.reporter"), dataIndex: "reporter_org_name" },
    { title: t("issue.handler"), dataIndex: "handler_org_name" },
    { title: t("issue.dueAt"), dataIndex: "due_at", render: (_, r) => <DueTag item={r} /> },
  ];

  return (
    <>
      <div className="page-header">
        <h1>{t("issue.title")}</h1>
        {can("issue.create") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate("/issues/new")} data-testid="new-issue">
            {t("issue.report")}
          </Button>
        )}
      </div>
      <FilterBar
        active={activeFilters(filters)}
        search={
          <Input.Search
            allowClear
            placeholder={t("issue.keyword")}
            aria-label={t("issue.keyword")}
            defaultValue={filters.q ?? undefined}
            onSearch={(v) => set("q", v)}
            style={{ width: mobile ? "100%" : 220 }}
          />
        }
      >
        <Select
          mode="multiple"
          allowClear
          placeholder={t("issue.status")}
          aria-label={t("issue.status")}
          value={filters.status ?? []}
          onChange={(v: string[]) => set("status", v)}
          options={ISSUE_STATUSES.map((s) => ({ value: s, label: t(`status.issue.${s}`) }))}
          style={{ minWidth: 180 }}
          maxTagCount="responsive"
        />
        <ColourFilter value={filters.colour ?? []} onChange={(v) => set("colour", v)} />
        <div style={{ minWidth: 220 }}>
          <OrgTreeSelect allowClear value={filters.within_org_id ?? undefined} onChange={(v) => set("within_org_id", v)} placeholder={t("task.unitFilter")} aria-label={t("task.unitFilter")} />
        </div>
        <Select allowClear placeholder={t("issue.category")} aria-label={t("issue.category")} value={filters.category?.[0]} onChange={(v?: string) => set("category", v)} options={ISSUE_CATEGORIES.map((c) => ({ value: c, label: t(`category.${c}`) }))} />
        <Select allowClear placeholder={t("issue.severity")} aria-label={t("issue.severity")} value={filters.severity?.[0]} onChange={(v?: string) => set("severity", v)} options={ISSUE_SEVERITIES.map((c) => ({ value: c, label: t(`severity.${c}`) }))} />
        <Select allowClear placeholder={t("issue.resolvedTier")} aria-label={t("issue.resolvedTier")} value={filters.resolved_tier ?? undefined} onChange={(v?: string) => set("resolved_tier", v)} options={TIERS.map((c) => ({ value: c, label: t(`kind.${c}`) }))} />
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
          <Switch checked={!!filters.overdue} onChange={(v) => set("overdue", v ? "true" : null)} id="issues-overdue-only" aria-label={t("task.overdueOnly")} />
          <label htmlFor="issues-overdue-only">{t("task.overdueOnly")}</label>
        </Space>
      </FilterBar>
      <ProblemAlert error={q.error} onRetry={() => void q.refetch()} />
      <ResponsiveList<Issue>
        testId="issue-list"
        items={items}
        rowKey={(r) => r.id}
        columns={columns}
        renderCard={(r) => <IssueCard issue={r} />}
        loading={q.isLoading}
        hasMore={q.hasNextPage}
        loadingMore={q.isFetchingNextPage}
        onLoadMore={() => void q.fetchNextPage()}
        onOpen={(r) => navigate(`/issues/${r.id}`)}
        rowClassName={rowClass}
        emptyText={t("issue.none")}
      />
    </>
  );
}
