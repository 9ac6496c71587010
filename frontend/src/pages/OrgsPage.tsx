import { Card, Col, Descriptions, Empty, Row, Skeleton, Space, Statistic, Tag, Tree, Typography } from "antd";
import type { DataNode } from "antd/es/tree";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import type { OrgTree } from "../api/client";
import { useScopeTrees, useSummary } from "../api/queries";
import { openIssues, openTasks, resolvedIssues } from "../api/workitems";
import { ProblemAlert } from "../components/ProblemAlert";

/** Per-unit counts beside a tree node; quiet when the stats route is missing or refuses. */
function NodeCounts({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const q = useSummary(orgId);
  if (!q.data) return null;
  const s = q.data;
  return (
    <Space size={4} wrap style={{ marginLeft: 8 }} data-testid="org-counts">
      <Tag title={t("orgs.openTasks")}>
        {t("orgs.openTasks")} {openTasks(s)}
      </Tag>
      {s.tasks.overdue + s.issues.overdue > 0 && (
        <Tag color="error" title={t("orgs.overdue")}>
          {t("orgs.overdue")} {s.tasks.overdue + s.issues.overdue}
        </Tag>
      )}
      <Tag color="blue" title={t("orgs.openIssues")}>
        {t("orgs.openIssues")} {openIssues(s)}
      </Tag>
      <Tag color="green" title={t("orgs.resolvedIssues")}>
        {t("orgs.resolvedIssues")} {resolvedIssues(s)}
      </Tag>
    </Space>
  );
}

function toData(tree: OrgTree, kind: (k: string) => string): DataNode {
  return {
    key: tree.id,
    title: (
      <span data-testid="org-node" data-org-name={tree.name}>
        {tree.name} <Typography.Text type="secondary">（{kind(tree.kind)}）</Typography.Text>
        <NodeCounts orgId={tree.id} />
      </span>
    ),
    children: tree.children.map((c) => toData(c, kind)),
  };
}

function find(trees: OrgTree[], id: string): OrgTree | undefined {
  for (const t of trees) {
    if (t.id === id) return t;
    const hit = find(t.children, id);
    if (hit) return hit;
  }
  return undefined;
}

function UnitPanel({ org }: { org: OrgTree }) {
  const { t } = useTranslation();
  const q = useSummary(org.id);
  return (
    <Card title={org.name} size="small" data-testid="org-panel">
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t("orgs.kindLabel")}>{t(`kind.${org.kind}`)}</Descriptions.Item>
        <Descriptions.Item label={t("orgs.tier")}>{t(`kind.${org.tier}`)}</Descriptions.Item>
        {org.code && <Descriptions.Item label={t("orgs.code")}>{org.code}</Descriptions.Item>}
      </Descriptions>
      {q.data && (
        <Row gutter={[8, 8]} style={{ marginTop: 8 }}>
          <Col span={12}>
            <Statistic title={t("orgs.openTasks")} value={openTasks(q.data)} />
          </Col>
          <Col span={12}>
            <Statistic title={t("orgs.overdue")} value={q.data.tasks.overdue + q.data.issues.overdue} valueStyle={{ color: "#cf1322" }} />
          </Col>
          <Col span={12}>
            <Statistic title={t("orgs.openIssues")} value={openIssues(q.data)} />
          </Col>
          <Col span={12}>
            <Statistic title={t("orgs.resolvedIssues")} value={resolvedIssues(q.data)} />
          </Col>
        </Row>
      )}
      <Space style={{ marginTop: 12 }} wrap>
        <Link to={`/tasks?within_org_id=${org.id}`}>{t("nav.tasks")}</Link>
        <Link to={`/issues?within_org_id=${org.id}`}>{t("nav.issues")}</Link>
      </Space>
    </Card>
  );
}

export function OrgsPage() {
  const { t } = useTranslation();
  const { trees, isLoading, error } = useScopeTrees();
  const [selected, setSelected] = useState<string | null>(null);
  const kind = (k: string) => t(`kind.${k}`);
  const org = selected ? find(trees, selected) : trees[0];
  return (
    <>
      <div className="page-header">
        <h1>{t("orgs.title")}</h1>
        <Typography.Text type="secondary">{t("orgs.scope")}</Typography.Text>
      </div>
      <ProblemAlert error={error} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={15}>
          <Card size="small">
            {isLoading ? (
              <Skeleton active />
            ) : trees.length === 0 ? (
              <Empty />
            ) : (
              <div data-testid="org-tree">
                <Tree
                  treeData={trees.map((tr) => toData(tr, kind))}
                  defaultExpandedKeys={trees.map((tr) => tr.id)}
                  selectedKeys={org ? [org.id] : []}
                  onSelect={(keys) => keys[0] && setSelected(String(keys[0]))}
                  blockNode
                  showLine
                />
              </div>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={9}>
          {org && <UnitPanel org={org} />}
        </Col>
      </Row>
    </>
  );
}
