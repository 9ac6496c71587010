import { Card, Col, Empty, Row, Select, Statistic } from "antd";
import { useQueries } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { flattenTree, summaryQuery, useScopeTrees, useSummary, useTaskPage } from "../api/queries";
import { TIERS, openIssues, openTasks, type StatsSummary, type Task } from "../api/workitems";
import { EChart, type ChartOption } from "../components/EChart";
import { ProblemAlert } from "../components/ProblemAlert";

const RED = "#b71c1c";

/** Count done tasks per ISO week (Monday start), oldest first, over the last `weeks` weeks. */
export function weeklyCounts(tasks: Pick<Task, "status" | "updated_at">[], weeks = 8, now = dayjs()): { week: string; count: number }[] {
  const monday = (d: dayjs.Dayjs) => d.startOf("day").subtract((d.day() + 6) % 7, "day");
  const start = monday(now).subtract(weeks - 1, "week");
  const buckets = Array.from({ length: weeks }, (_, i) => ({ week: start.add(i, "week").format("YYYY-MM-DD"), count: 0 }));
  for (const t of tasks) {
    if (t.status !== "done" || !t.updated_at) continue;
    const idx = Math.floor(monday(dayjs(t.updated_at)).diff(start, "day") / 7);
    const bucket = buckets[idx];
    if (bucket) bucket.count += 1;
  }
  return buckets;
}

export default function DashboardPage() {
  const { t } = useTranslation();
  const { trees, error: treeError } = useScopeTrees();
  const units = useMemo(() => trees.flatMap((tr) => flattenTree(tr)).filter((u) => u.depth <= 2), [trees]);
  const [unitId, setUnitId] = useState<string | undefined>();
  const orgId = unitId ?? trees[0]?.id;
  const org = units.find((u) => u.id === orgId);
  const summary = useSummary(orgId);
  const children = org?.children ?? [];
  const childSummaries = useQueries({
    queries: children.map((c) => summaryQuery(c.id)),
  });
  const done = useTaskPage({ status: ["done"], within_org_id: orgId, sort: "-updated_at" }, 200, !!orgId);

  const s: StatsSummary | undefined = summary.data;
  const tierOption: ChartOption = {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    xAxis: { type: "category", data: TIERS.map((x) => t(`kind.${x}`)) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", name: t("dashboard.resolvedByTier"), data: TIERS.map((x) => s?.issues.resolved_by_tier[x] ?? 0), itemStyle: { color: RED } }],
  };
  // Only units with something overdue, the worst first (at the top).
  const overdueRows = children
    .map((c, i) => {
      const cs = childSummaries[i]?.data;
      return { name: c.name, tasks: cs?.tasks.overdue ?? 0, issues: cs?.issues.overdue ?? 0 };
    })
    .filter((r) => r.tasks + r.issues > 0)
    .sort((a, b) => b.tasks + b.issues - (a.tasks + a.issues));
  const childrenLoaded = children.length > 0 && childSummaries.every((q) => !q.isLoading);
  const overdueOption: ChartOption = {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: overdueRows.map((r) => r.name), axisLabel: { width: 110, overflow: "truncate" } },
    series: [
      { type: "bar", stack: "o", name: t("dashboard.tasksOverdue"), data: overdueRows.map((r) => r.tasks), itemStyle: { color: "#cf1322" } },
      { type: "bar", stack: "o", name: t("dashboard.issuesOverdue"), data: overdueRows.map((r) => r.issues), itemStyle: { color: "#fa8c16" } },
    ],
  };
  const weekly = weeklyCounts(done.data?.items ?? []);
  const weeklyOption: ChartOption = {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    xAxis: { type: "category", data: weekly.map((w) => dayjs(w.week).format("MM-DD")) },
    yAxis: { type: "value", minInterval: 1 },
    // Bars: a week's count is a count, and a smoothed line would invent values between weeks.
    series: [{ type: "bar", name: t("dashboard.completedPerWeek"), data: weekly.map((w) => w.count), itemStyle: { color: RED }, barMaxWidth: 36 }],
  };

  return (
    <>
      <div className="page-header">
        <h1>{t("dashboard.title")}</h1>
        <Select
          aria-label={t("dashboard.unit")}
          style={{ minWidth: 240, maxWidth: "100%" }}
          value={orgId}
          onChange={setUnitId}
          options={units.map((u) => ({ value: u.id, label: `${"· ".repeat(u.depth)}${u.name}` }))}
        />
      </div>
      <ProblemAlert error={treeError ?? summary.error} onRetry={() => void summary.refetch()} />
      {s && (
        <Row gutter={[12, 12]} style={{ marginBottom: 16 }}>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic title={t("dashboard.tasksOpen")} value={openTasks(s)} />
            </Card>
          </Col>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic title={t("dashboard.tasksOverdue")} value={s.tasks.overdue} valueStyle={{ color: "#cf1322" }} />
            </Card>
          </Col>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic title={t("dashboard.issuesOpen")} value={openIssues(s)} />
            </Card>
          </Col>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic
                title={t("dashboard.avgResolve")}
                value={s.issues.avg_seconds_to_resolve == null ? "—" : t("dashboard.hours", { value: Math.round(s.issues.avg_seconds_to_resolve / 360) / 10 })}
              />
            </Card>
          </Col>
        </Row>
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t("dashboard.resolvedByTier")} size="small">
            {s ? <EChart option={tierOption} label={t("dashboard.resolvedByTier")} /> : <Empty description={t("dashboard.noData")} />}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t("dashboard.completedPerWeek")} size="small">
            {s ? <EChart option={weeklyOption} label={t("dashboard.completedPerWeek")} /> : <Empty description={t("dashboard.noData")} />}
          </Card>
        </Col>
        <Col xs={24}>
          <Card title={t("dashboard.overdueByUnit")} size="small">
            {overdueRows.length ? (
              <EChart option={overdueOption} height={Math.max(200, overdueRows.length * 32 + 60)} label={t("dashboard.overdueByUnit")} />
            ) : (
              <Empty description={childrenLoaded ? t("dashboard.noOverdue") : t("dashboard.noData")} />
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
