import { ArrowLeftOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Col, Descriptions, Progress, Row, Skeleton, Space, Tabs, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router-dom";
import { isNotFound } from "../api/problem";
import { useTask, useTaskList } from "../api/queries";
import { ActionBar } from "../components/ActionBar";
import { FeedbackThread } from "../components/FeedbackThread";
import { ItemTimeline } from "../components/ItemTimeline";
import { NotFound } from "../components/NotFound";
import { ProblemAlert } from "../components/ProblemAlert";
import { EditItemDrawer } from "../components/EditItemDrawer";
import { ColourTag, DueTag, TaskStatusTag } from "../components/Tags";
import { useIsMobile } from "../hooks/useIsMobile";
import { formatDateTime } from "../lib/format";
import { TaskCard } from "./TasksPage";

function Subtasks({ id }: { id: string }) {
  const { t } = useTranslation();
  const q = useTaskList({ parent_id: id, sort: "due_at" });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  if (!items.length) return null;
  return (
    <Card title={t("task.subtasks")} size="small" style={{ marginTop: 16 }}>
      <Space direction="vertical" style={{ width: "100%" }}>
        {items.map((s) => (
          <Card key={s.id} size="small">
            <TaskCard task={s} />
          </Card>
        ))}
      </Space>
    </Card>
  );
}

export function TaskDetailPage() {
  const { id = "" } = useParams();
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const mobile = useIsMobile();
  const [editing, setEditing] = useState(false);
  const q = useTask(id);
  if (q.isLoading) return <Skeleton active />;
  if (isNotFound(q.error)) return <NotFound />;
  if (q.error || !q.data) return <ProblemAlert error={q.error} onRetry={() => void q.refetch()} />;
  const { data: task, etag } = q.data;
  const total = task.subtasks.total;

  return (
    <article data-testid="task-detail" data-status={task.status}>
      <div className="page-header">
        <Space align="start">
          <Button icon={<ArrowLeftOutlined />} type="text" aria-label={t("common.back")} onClick={() => navigate(-1)} />
          <div>
            <h1>{task.title}</h1>
            <Space wrap style={{ marginTop: 4 }}>
              <TaskStatusTag status={task.status} />
              <ColourTag colour={task.colour} />
              <DueTag item={task} label={t("task.dueAt")} />
              {task.priority === "urgent" && <Typography.Text strong>{t("priority.urgent")}</Typography.Text>}
            </Space>
          </div>
        </Space>
      </div>
      {task.can_edit && <EditItemDrawer type="tasks" item={task} etag={etag} open={editing} onClose={() => setEditing(false)} />}
      {task.extension && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          message={t("task.extensionPending", { due: formatDateTime(task.extension.due_at, i18n.language) })}
          description={task.extension.note ?? undefined}
        />
      )}
      <div style={{ marginBottom: 16 }}>
        <ActionBar
          type="tasks"
          id={task.id}
          allowed={[...task.allowed_actions, ...(task.can_add_subtask ? ["split"] : []), ...(task.can_edit ? ["edit"] : [])]}
          refused={task.refused_actions}
          etag={etag}
          localActions={["split", "edit"]}
          onLocalAction={(a) => (a === "split" ? navigate(`/tasks/${task.id}/split`) : a === "edit" && setEditing(true))}
        />
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card size="small">
            <Descriptions column={mobile ? 1 : 2} size="small" bordered={!mobile}>
              <Descriptions.Item label={t("task.issuer")}>{task.issuer_org_name}</Descriptions.Item>
              <Descriptions.Item label={t("task.assignee")}>{task.assignee_org_name}</Descriptions.Item>
              <Descriptions.Item label={t("task.dueAt")}>{formatDateTime(task.due_at, i18n.language)}</Descriptions.Item>
              <Descriptions.Item label={t("task.priority")}>{t(`priority.${task.priority}`)}</Descriptions.Item>
              <Descriptions.Item label={t("task.source")}>{t(`source.${task.source}`)}</Descriptions.Item>
              {task.parent_id && (
                <Descriptions.Item label={t("task.parent")}>
                  <a href={`/tasks/${task.parent_id}`} onClick={(e) => (e.preventDefault(), navigate(`/tasks/${task.parent_id}`))}>
                    {t("common.details")}
                  </a>
                </Descriptions.Item>
              )}
              {(task.progress > 0 || task.status === "in_progress") && (
                <Descriptions.Item label={t("task.progress")}>
                  <Progress percent={task.progress} size="small" />
                </Descriptions.Item>
              )}
              {total > 0 && (
                <Descriptions.Item label={t("task.subtasks")}>
                  {t("task.rolledUp", { done: task.subtasks.done, total })}
                  <Progress percent={Math.round(((task.subtasks.done) / total) * 100)} size="small" />
                </Descriptions.Item>
              )}
            </Descriptions>
            <Typography.Paragraph style={{ whiteSpace: "pre-wrap", marginTop: 12 }}>{task.description}</Typography.Paragraph>
          </Card>
          {total > 0 && <Subtasks id={task.id} />}
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small">
            <Tabs
              items={[
                { key: "timeline", label: t("task.timeline"), children: <ItemTimeline type="tasks" id={task.id} /> },
                { key: "feedback", label: t("task.feedback"), children: <FeedbackThread type="tasks" id={task.id} canPost={task.can_feedback} /> },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </article>
  );
}
