import { ArrowLeftOutlined } from "@ant-design/icons";
import { Button, Card, Col, Descriptions, Row, Skeleton, Space, Tabs, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router-dom";
import { isNotFound } from "../api/problem";
import { useIssue, useOrgTree } from "../api/queries";
import { ActionBar } from "../components/ActionBar";
import { FeedbackThread } from "../components/FeedbackThread";
import { EscalationPath, ItemTimeline } from "../components/ItemTimeline";
import { NotFound } from "../components/NotFound";
import { ProblemAlert } from "../components/ProblemAlert";
import { EditItemDrawer } from "../components/EditItemDrawer";
import { ColourTag, DueTag, IssueStatusTag } from "../components/Tags";
import { useIsMobile } from "../hooks/useIsMobile";
import { formatDateTime } from "../lib/format";

export function IssueDetailPage() {
  const { id = "" } = useParams();
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const mobile = useIsMobile();
  const [editing, setEditing] = useState(false);
  const q = useIssue(id);
  const issue = q.data?.data;
  const canDelegate = !!issue?.allowed_actions.includes("delegate");
  // The delegate picker offers the handler unit's subtree (readable by whoever may delegate).
  const handlerTree = useOrgTree(issue?.handler_org_id, canDelegate);
  if (q.isLoading) return <Skeleton active />;
  if (isNotFound(q.error)) return <NotFound />;
  if (q.error || !q.data || !issue) return <ProblemAlert error={q.error} onRetry={() => void q.refetch()} />;

  return (
    <article data-testid="issue-detail" data-status={issue.status}>
      <div className="page-header">
        <Space align="start">
          <Button icon={<ArrowLeftOutlined />} type="text" aria-label={t("common.back")} onClick={() => navigate(-1)} />
          <div>
            <h1>{issue.title}</h1>
            <Space wrap style={{ marginTop: 4 }}>
              <IssueStatusTag status={issue.status} />
              <ColourTag colour={issue.colour} />
              <DueTag item={issue} label={t("issue.dueAt")} />
              <Typography.Text strong={issue.severity === "critical" || issue.severity === "high"} type={issue.severity === "critical" || issue.severity === "high" ? undefined : "secondary"}>
                {t("common.labelled", { label: t("issue.severity"), value: t(`severity.${issue.severity}`) })}
              </Typography.Text>
            </Space>
          </div>
        </Space>
      </div>
      {issue.can_edit && <EditItemDrawer type="issues" item={issue} etag={q.data.etag} open={editing} onClose={() => setEditing(false)} />}
      <Card size="small" title={t("issue.path")} style={{ marginBottom: 16 }}>
        <EscalationPath issue={issue} />
      </Card>
      <div style={{ marginBottom: 16 }}>
        <ActionBar
          type="issues"
          id={issue.id}
          allowed={issue.can_edit ? [...issue.allowed_actions, "edit"] : issue.allowed_actions}
          refused={issue.refused_actions}
          etag={q.data.etag}
          delegateTree={handlerTree.data}
          currentHandlerId={issue.handler_org_id}
          localActions={["edit"]}
          onLocalAction={(a) => a === "edit" && setEditing(true)}
        />
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card size="small">
            <Descriptions column={mobile ? 1 : 2} size="small" bordered={!mobile}>
              <Descriptions.Item label={t("issue.category")}>{t(`category.${issue.category}`)}</Descriptions.Item>
              <Descriptions.Item label={t("issue.severity")}>{t(`severity.${issue.severity}`)}</Descriptions.Item>
              <Descriptions.Item label={t("issue.reporter")}>
                {issue.reporter_org_name}
              </Descriptions.Item>
              <Descriptions.Item label={t("issue.handler")}>{issue.handler_org_name}</Descriptions.Item>
              <Descriptions.Item label={t("issue.dueAt")}>{formatDateTime(issue.due_at, i18n.language)}</Descriptions.Item>
              {issue.resolved_tier && (
                <Descriptions.Item label={t("issue.resolvedTier")}>
                  {t(`kind.${issue.resolved_tier}`)}
                  {issue.resolved_by_org_name ? ` · ${issue.resolved_by_org_name}` : ""}
                </Descriptions.Item>
              )}
              {issue.created_at && <Descriptions.Item label={t("common.createdAt")}>{formatDateTime(issue.created_at, i18n.language)}</Descriptions.Item>}
            </Descriptions>
            <Typography.Paragraph style={{ whiteSpace: "pre-wrap", marginTop: 12 }}>{issue.description}</Typography.Paragraph>
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small">
            <Tabs
              items={[
                { key: "timeline", label: t("issue.timeline"), children: <ItemTimeline type="issues" id={issue.id} /> },
                { key: "feedback", label: t("issue.feedback"), children: <FeedbackThread type="issues" id={issue.id} canPost={issue.can_feedback} /> },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </article>
  );
}
