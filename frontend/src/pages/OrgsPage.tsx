import { Card, Col, Descriptions, Drawer, Empty, Row, Skeleton, Space, Statistic, Tree, Typography } from "antd";
import type { DataNode } from "antd/es/tree";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";
import type { OrgTree } from "../api/client";
import { useScopeTrees, useSummary } from "../api/queries";
import { openIssues, openTasks, resolvedIssues, type StatsSummary } from "../api/workitems";
import { ProblemAlert } from "../components/ProblemAlert";
import { useInView } from "../hooks/useInView";
import { useIsMobile } from "../hooks/useIsMobile";

const COUNTS = [
  { key: "tasks", label: "orgs.col.tasks", title: "orgs.openTasks", value: (s: StatsSummary) => openTasks(s) },
  { key: "overdue", label: "orgs.col.overdue", title: "orgs.overdueItems", value: (s: StatsSummary) => s.tasks.overdue + s.issues.overdue },
  { key: "issues", label: "orgs.col.issues", title: "orgs.openIssues", value: (s: StatsSummary) => openIssues(s) },
  { key: "resolved", label: "orgs.col.resolved", title: "orgs.resolvedIssues", value: (s: StatsSummary) => resolvedIssues(s) },
] as const;

/**
 * A unit's counts beside its tree node. The summary is requested only once the node is on screen
 * (a collapsed branch renders no nodes, so it asks nothing), and cached per unit.
 */
function NodeCounts({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const [ref, seen] = useInView<HTMLSpanElement>();
  const q = useSummary(orgId, seen);
  const s = q.data;
  return (
    <span ref={ref} className="org-counts" data-testid="org-counts" data-loaded={s ? "true" : "false"}>
      {COUNTS.map((c) => {
        const n = s ? c.value(s) : null;
        const tone = n === null || n === 0 ? "zero" : c.key === "overdue" ? "alert" : c.key;
        return (
          <span key={c.key} className={`org-count org-count-${tone}`} title={t(c.title)}>
            <span className="org-count-label">{t(c.label)}</span> <b>{n ?? "·"}</b>
          </span>
        );
      })}
    </span>
  );
}

function toData(tree: OrgTree, kind: (k: string) => string): DataNode {
  return {
    key: tree.id,
    title: (
      <span className="org-node" data-testid="org-node" data-org-name={tree.name}>
        <span className="org-node-name">
          {tree.name}
          <Typography.Text type="secondary">{kind(tree.kind)}</Typography.Text>
        </span>
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

function UnitPanel({ org, bare = false }: { org: OrgTree; bare?: boolean }) {
  const { t } = useTranslation();
  const q = useSummary(org.id);
  const body = (
    <>
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t("orgs.kindLabel")}>{t(`kind.${org.kind}`)}</Descriptions.Item>
        <Descriptions.Item label={t("orgs.tier")}>{t(`kind.${org.tier}`)}</Descriptions.Item>
        {org.code && <Descriptions.Item label={t("orgs.code")}>{org.code}</Descriptions.Item>}
      </Descriptions>
      <ProblemAlert error={q.error} onRetry={() => void q.refetch()} />
      {q.data && (
        <Row gutter={[8, 8]} style={{ marginTop: 8 }}>
          <Col span={12}>
            <Statistic title={t("orgs.openTasks")} value={openTasks(q.data)} />
          </Col>
          <Col span={12}>
            <Statistic
              title={t("orgs.overdueItems")}
              value={q.data.tasks.overdue + q.data.issues.overdue}
              valueStyle={{ color: q.data.tasks.overdue + q.data.issues.overdue ? "#cf1322" : undefined }}
            />
          </Col>
          <Col span={12}>
            <Statistic title={t("orgs.openIssues")} value={openIssues(q.data)} />
          </Col>
          <Col span={12}>
            <Statistic title={t("orgs.resolvedIssues")} value={resolvedIssues(q.data)} />
          </Col>
        </Row>
      )}
      <Space style={{ marginTop: 12 }} wrap size="large">
        <Link to={`/tasks?within_org_id=${org.id}`}>{t("orgs.seeTasks")}</Link>
        <Link to={`/issues?within_org_id=${org.id}`}>{t("orgs.seeIssues")}</Link>
      </Space>
    </>
  );
  if (bare) return body;
  return (
    <Card title={org.name} size="small" data-testid="org-panel">
      {body}
    </Card>
  );
}

export function OrgsPage() {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  const { trees, isLoading, error } = useScopeTrees();
  const [selected, setSelected] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<string[] | null>(null);
  const kind = (k: string) => t("common.paren", { text: t(`kind.${k}`) });
  const treeData = useMemo(() => trees.map((tr) => toData(tr, kind)), [trees, t]); // eslint-disable-line react-hooks/exhaustive-deps
  const org = selected ? find(trees, selected) : trees[0];
  const selectedOrg = selected ? find(trees, selected) : undefined;
  return (
    <>
      <div className="page-header">
        <h1>{t("orgs.title")}</h1>
        <Typography.Text type="secondary">{t("orgs.scope")}</Typography.Text>
      </div>
      <ProblemAlert error={error} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Card size="small">
            {isLoading ? (
              <Skeleton active />
            ) : trees.length === 0 ? (
              <Empty />
            ) : (
              <div data-testid="org-tree" className="org-tree">
                <p className="org-legend" aria-hidden>
                  {COUNTS.map((c) => (
                    <span key={c.key}>
                      {t("common.labelled", { label: t(c.label), value: t(c.title) })}
                    </span>
                  ))}
                </p>
                <Tree
                  treeData={treeData}
                  // Only expanded branches render their nodes, and only rendered nodes ask for counts.
                  expandedKeys={expanded ?? trees.map((tr) => tr.id)}
                  onExpand={(keys) => setExpanded(keys.map(String))}
                  selectedKeys={mobile ? (selected ? [selected] : []) : org ? [org.id] : []}
                  onSelect={(_, info) => setSelected(String(info.node.key))}
                  blockNode
                  showLine
                />
              </div>
            )}
          </Card>
        </Col>
        {!mobile && (
          <Col xs={24} lg={8}>
            {org && <UnitPanel org={org} />}
          </Col>
        )}
      </Row>
      {mobile && (
        <Drawer
          open={!!selectedOrg}
          onClose={() => setSelected(null)}
          placement="bottom"
          height="auto"
          title={selectedOrg?.name}
          data-testid="org-panel"
        >
          {selectedOrg && <UnitPanel org={selectedOrg} bare />}
        </Drawer>
      )}
    </>
  );
}
