import { Card, Col, Row, Space, Statistic, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router-dom";
import { useIssueList, useTaskList } from "../api/queries";
import { OPEN_ISSUE_STATUSES, OPEN_TASK_STATUSES, type Issue, type Task } from "../api/workitems";
import { useAuth } from "../auth/AuthProvider";
import { ProblemAlert } from "../components/ProblemAlert";
import { ResponsiveList } from "../components/ResponsiveList";
import { DueTag, IssueStatusTag, TaskStatusTag } from "../components/Tags";
import { byUrgency } from "../lib/format";
import { IssueCard } from "./IssuesPage";
import { rowClass, TaskCard } from "./TasksPage";

const PASSIVE = new Set(["edit", "split"]);
const HANDLER_ACTIONS = new Set(["acknowledge", "escalate", "delegate", "resolve"]);

/** Tasks on which I can act now: the server says so through allowed_actions. */
export function awaitingMe(tasks: Task[]): Task[] {
  return tasks.filter((t) => t.allowed_actions.some((a) => !PASSIVE.has(a))).sort(byUrgency);
}

/** Issues my unit handles: I may take a handler action on them. */
export function handledByMe(issues: Issue[], myOrgIds: string[]): Issue[] {
  return issues.filter((i) => myOrgIds.includes(i.handler_org_id) || i.allowed_actions.some((a) => HANDLER_ACTIONS.has(a))).sort(byUrgency);
}

export function WorkbenchPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { me } = useAuth();
  const myOrgIds = (me?.grants ?? []).map((g) => g.org_id);
  const tasksQ = useTaskList({ status: OPEN_TASK_STATUSES, sort: "due_at" });
  const issuesQ = useIssueList({ status: OPEN_ISSUE_STATUSES, sort: "due_at" });
  const tasks = awaitingMe(tasksQ.data?.pages.flatMap((p) => p.items) ?? []);
  const issues = handledByMe(issuesQ.data?.pages.flatMap((p) => p.items) ?? [], myOrgIds);
  const overdue = tasks.filter((x) => x.overdue).length + issues.filter((x) => x.overdue).length;
  const dueSoon = tasks.filter((x) => !x.overdue && x.due_soon).length + issues.filter((x) => !x.overdue && x.due_soon).length;

  return (
    <>
      <div className="page-header">
        <h1>{t("workbench.title")}</h1>
        <Typography.Text type="secondary">{t("workbench.greeting", { name: me?.display_name ?? "" })}</Typography.Text>
      </div>
      <Row gutter={[12, 12]} style={{ marginBottom: 16 }}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t("workbench.tasksAwaiting")} value={tasks.length} loading={tasksQ.isLoading} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t("workbench.issuesHandling")} value={issues.length} loading={issuesQ.isLoading} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t("workbench.overdue")} value={overdue} loading={tasksQ.isLoading || issuesQ.isLoading} valueStyle={{ color: overdue ? "#cf1322" : undefined }} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t("workbench.dueSoon")} value={dueSoon} loading={tasksQ.isLoading || issuesQ.isLoading} valueStyle={{ color: dueSoon ? "#ad6800" : undefined }} />
          </Card>
        </Col>
      </Row>
      <Space wrap style={{ marginBottom: 12 }}>
        <Tag color="error">{t("workbench.legendOverdue")}</Tag>
        <Tag color="warning">{t("workbench.legendDueSoon")}</Tag>
      </Space>
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={12}>
          <Card title={t("workbench.myTasks")} size="small">
            <ProblemAlert error={tasksQ.error} onRetry={() => void tasksQ.refetch()} />
            <ResponsiveList<Task>
              testId="workbench-tasks"
              items={tasks}
              rowKey={(r) => r.id}
              loading={tasksQ.isLoading}
              columns={[
                { title: t("task.fieldTitle"), dataIndex: "title", render: (_, r) => <Link to={`/tasks/${r.id}`}>{r.title}</Link> },
                { title: t("task.status"), dataIndex: "status", render: (_, r) => <TaskStatusTag status={r.status} /> },
                { title: t("task.assignee"), dataIndex: "assignee_org_name" },
                { title: t("task.dueAt"), dataIndex: "due_at", render: (_, r) => <DueTag item={r} /> },
              ]}
              renderCard={(r) => <TaskCard task={r} />}
              onOpen={(r) => navigate(`/tasks/${r.id}`)}
              rowClassName={rowClass}
              emptyText={t("workbench.nothing")}
              hasMore={tasksQ.hasNextPage}
              onLoadMore={() => void tasksQ.fetchNextPage()}
              loadingMore={tasksQ.isFetchingNextPage}
            />
          </Card>
        </Col>
        <Col xs={24} xxl={12}>
          <Card title={t("workbench.myIssues")} size="small">
            <ProblemAlert error={issuesQ.error} onRetry={() => void issuesQ.refetch()} />
            <ResponsiveList<Issue>
              testId="workbench-issues"
              items={issues}
              rowKey={(r) => r.id}
              loading={issuesQ.isLoading}
              columns={[
                { title: t("issue.fieldTitle"), dataIndex: "title", render: (_, r) => <Link to={`/issues/${r.id}`}>{r.title}</Link> },
                { title: t("issue.status"), dataIndex: "status", render: (_, r) => <IssueStatusTag status={r.status} /> },
                { title: t("issue.reporter"), dataIndex: "reporter_org_name" },
                { title: t("issue.dueAt"), dataIndex: "due_at", render: (_, r) => <DueTag item={r} /> },
              ]}
              renderCard={(r) => <IssueCard issue={r} />}
              onOpen={(r) => navigate(`/issues/${r.id}`)}
              rowClassName={rowClass}
              emptyText={t("workbench.nothing")}
              hasMore={issuesQ.hasNextPage}
              onLoadMore={() => void issuesQ.fetchNextPage()}
              loadingMore={issuesQ.isFetchingNextPage}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
