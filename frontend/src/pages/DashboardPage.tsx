import { Card, Col, DatePicker, Empty, Row, Select, Space, Statistic, Table, Tag, Tooltip, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import dayjs, { type Dayjs } from "dayjs";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router-dom";
import { flattenTree, useScopeTrees, useScorecards, useSummary, useTaskPage } from "../api/queries";
import { TIERS, openIssues, openTasks, type Scorecards, type StatsSummary, type Task, type UnitScorecard } from "../api/workitems";
import { EChart, type ChartOption } from "../components/EChart";
import { ProblemAlert } from "../components/ProblemAlert";
import { METRICS, cellLink, cellText, overdueBarLink, overdueByUnit, toneOf, unitLinks, type Tone } from "../lib/scorecards";

const RED = "#b71c1c";
// The lights' tag colours (亮灯): green, blue, yellow, red.
const TONE_COLOUR: Record<Tone, string | undefined> = { green: "success", blue: "processing", yellow: "warning", red: "error", none: undefined };

/** A share as "p%" of its whole, or "—" when there is none. */
export function percent(part: number, whole: number): string {
  return whole ? `${Math.round((part / whole) * 100)}%` : "—";
}

/** The scorecard table: one row per child unit, each cell coloured and, where a list can name it, linked. */
export function ScorecardTable({ cards }: { cards: Scorecards }) {
  const { t } = useTranslation();
  const columns: ColumnsType<UnitScorecard> = [
    { title: t("dashboard.scoreUnit"), dataIndex: "name", fixed: "left", render: (_, u) => <span>{u.name} <Typography.Text type="secondary">{t("common.paren", { text: t(`kind.${u.kind}`) })}</Typography.Text></span> },
    ...METRICS.map((name) => ({
      title: <Tooltip title={t(`scorecard.help.${name}`)}>{t(`scorecard.${name}`)}</Tooltip>,
      key: name,
      render: (_: unknown, u: UnitScorecard) => {
        const m = u.metrics[name];
        if (!m) return "—";
        const text = cellText(name, m);
        const to = cellLink(name, u, cards);
        const tone = toneOf(name, m);
        const body = tone === "none" ? text : <Tag color={TONE_COLOUR[tone]} data-tone={tone}>{text}</Tag>;
        const rank = m.rank ? <Typography.Text type="secondary"> #{m.rank}</Typography.Text> : null;
        return (
          <span data-testid={`score-${name}`}>
            {to ? <Link to={to}>{body}</Link> : body}
            {rank}
          </span>
        );
      },
    })),
  ];
  return <Table<UnitScorecard> size="small" rowKey="org_id" columns={columns} dataSource={cards.units} pagination={false} scroll={{ x: "max-content" }} data-testid="scorecard-table" />;
}

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
  const navigate = useNavigate();
  const { trees, error: treeError } = useScopeTrees();
  const units = useMemo(() => trees.flatMap((tr) => flattenTree(tr)).filter((u) => u.depth <= 2), [trees]);
  const [unitId, setUnitId] = useState<string | undefined>();
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [dayjs().startOf("month"), dayjs()]);
  const orgId = unitId ?? trees[0]?.id;
  const summary = useSummary(orgId);
  const from = range[0].format("YYYY-MM-DD");
  const to = range[1].format("YYYY-MM-DD");
  const scorecards = useScorecards(orgId, from, to);
  const done = useTaskPage({ status: ["done"], within_org_id: orgId, sort: "-updated_at" }, 200, !!orgId);
  const links = unitLinks(orgId ?? "");

  const s: StatsSummary | undefined = summary.data;
  const tierOption: ChartOption = {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    xAxis: { type: "category", data: TIERS.map((x) => t(`kind.${x}`)) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", name: t("dashboard.resolvedByTier"), data: TIERS.map((x) => s?.issues.resolved_by_tier[x] ?? 0), itemStyle: { color: RED } }],
  };
  // Counted by the scorecards: each task once, under the child its assignee lies in.
  const overdueRows = overdueByUnit(scorecards.data);
  const overdueOption: ChartOption = {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: overdueRows.map((r) => r.name), axisLabel: { width: 110, overflow: "truncate" } },
    series: [
      { type: "bar", stack: "o", name: t("dashboard.tasksOverdue"), data: overdueRows.map((r) => r.tasks), itemStyle: { color: "#cf1322" }, cursor: "pointer" },
      { type: "bar", stack: "o", name: t("dashboard.issuesOverdue"), data: overdueRows.map((r) => r.issues), itemStyle: { color: "#fa8c16" }, cursor: "pointer" },
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
  const doneCount = s ? s.tasks.done_on_time + s.tasks.done_late : 0;
  const figures = s
    ? [
        { key: "tasksOpen", value: openTasks(s), to: links.openTasks },
        { key: "tasksOverdue", value: s.tasks.overdue, to: links.overdueTasks, alert: true },
        { key: "issuesOpen", value: openIssues(s), to: links.openIssues },
        { key: "issuesOverdue", value: s.issues.overdue, to: links.overdueIssues, alert: true },
        { key: "onTime", value: percent(s.tasks.done_on_time, doneCount), to: links.doneTasks, hint: t("dashboard.onTimeOf", { part: s.tasks.done_on_time, whole: doneCount }) },
        {
          key: "avgResolve",
          value: s.issues.avg_seconds_to_resolve == null ? "—" : t("dashboard.hours", { value: Math.round(s.issues.avg_seconds_to_resolve / 360) / 10 }),
          to: links.resolvedIssues,
        },
        { key: "satisfaction", value: s.issues.avg_rating == null ? "—" : s.issues.avg_rating.toFixed(1), to: links.ratedIssues, hint: t("dashboard.ratedOf", { count: s.issues.rated }) },
      ]
    : [];

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
      <ProblemAlert error={treeError ?? summary.error ?? scorecards.error} onRetry={() => void summary.refetch()} />
      {s && (
        <Row gutter={[12, 12]} style={{ marginBottom: 16 }}>
          {figures.map((f) => (
            <Col xs={12} md={6} xl={3} key={f.key}>
              <Link to={f.to} data-testid={`figure-${f.key}`}>
                <Card size="small" hoverable>
                  <Statistic title={t(`dashboard.${f.key}`)} value={f.value} valueStyle={f.alert && Number(f.value) > 0 ? { color: "#cf1322" } : undefined} />
                  {f.hint && <Typography.Text type="secondary">{f.hint}</Typography.Text>}
                </Card>
              </Link>
            </Col>
          ))}
        </Row>
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t("dashboard.resolvedByTier")} size="small">
            {s ? (
              <EChart option={tierOption} label={t("dashboard.resolvedByTier")} onClick={({ dataIndex }) => navigate(links.resolvedAt(TIERS[dataIndex] ?? "county"))} />
            ) : (
              <Empty description={t("dashboard.noData")} />
            )}
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
              <EChart
                option={overdueOption}
                height={Math.max(200, overdueRows.length * 32 + 60)}
                label={t("dashboard.overdueByUnit")}
                onClick={({ seriesIndex, dataIndex }) => {
                  const row = overdueRows[dataIndex];
                  if (row) navigate(overdueBarLink(row, seriesIndex));
                }}
              />
            ) : (
              <Empty description={scorecards.data ? t("dashboard.noOverdue") : t("dashboard.noData")} />
            )}
          </Card>
        </Col>
        <Col xs={24}>
          <Card
            title={t("dashboard.scorecards")}
            size="small"
            extra={
              <Space>
                <DatePicker.RangePicker
                  aria-label={t("dashboard.period")}
                  allowClear={false}
                  value={range}
                  onChange={(v) => {
                    if (v?.[0] && v[1]) setRange([v[0], v[1]]);
                  }}
                />
              </Space>
            }
          >
            {scorecards.data && scorecards.data.units.length ? <ScorecardTable cards={scorecards.data} /> : <Empty description={t("dashboard.noChildren")} />}
          </Card>
        </Col>
      </Row>
    </>
  );
}
