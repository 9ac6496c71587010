import { Card, Col, Row, Space, Statistic, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router-dom";
import { useTodo } from "../api/queries";
import { ISSUE_TODO, TASK_TODO, isOneOf, type ItemType, type Todo, type TodoItem } from "../api/workitems";
import { useAuth } from "../auth/AuthProvider";
import { ProblemAlert } from "../components/ProblemAlert";
import { ResponsiveList } from "../components/ResponsiveList";
import { formatDateTime } from "../lib/format";

const COLOUR_TAG: Record<string, string> = { red: "error", yellow: "warning", blue: "processing", green: "success" };

/**
 * Where a kind of to-do is listed: the tasks or issues list filtered by it, so its count is that
 * list's length; the chasing ladder's kinds (supervise, chase_ack) are on both, and count both.
 */
export function todoListLinks(kind: string): { type: ItemType; href: string }[] {
  const lists: [ItemType, boolean][] = [
    ["tasks", isOneOf(TASK_TODO, kind)],
    ["issues", isOneOf(ISSUE_TODO, kind)],
  ];
  return lists.filter(([, has]) => has).map(([type]) => ({ type, href: `/${type}?todo=${kind}` }));
}

export function itemLink(item: Pick<TodoItem, "item_type" | "item_id">): string {
  return `/${item.item_type === "task" ? "tasks" : "issues"}/${item.item_id}`;
}

/** The kinds to show as tiles: every kind the server counts, those with something waiting first. */
export function todoTiles(counts: Todo["counts"]): [string, number][] {
  return Object.entries(counts).sort(([, a], [, b]) => Number(b > 0) - Number(a > 0));
}

export function WorkbenchPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { me } = useAuth();
  const q = useTodo();
  const counts = q.data?.pages[0]?.counts ?? {};
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <div className="page-header">
        <h1>{t("workbench.title")}</h1>
        <Typography.Text type="secondary">{t("workbench.greeting", { name: me?.display_name ?? "" })}</Typography.Text>
      </div>
      <ProblemAlert error={q.error} onRetry={() => void q.refetch()} />
      <Row gutter={[12, 12]} style={{ marginBottom: 16 }}>
        {todoTiles(counts).map(([kind, n]) => {
          const label = t(`workbench.kinds.${kind}`, { defaultValue: kind });
          const links = todoListLinks(kind);
          const tile = { "data-testid": `todo-count-${kind}`, "data-kind": kind, "data-count": n };
          return (
            <Col xs={12} md={6} xl={3} key={kind}>
              {links.length === 1 ? (
                <Link to={links[0]!.href} {...tile} aria-label={`${label}: ${n}`}>
                  <Card size="small" hoverable>
                    <Statistic title={label} value={n} />
                  </Card>
                </Link>
              ) : (
                <Card size="small" {...tile}>
                  <Statistic title={label} value={n} />
                  <Space size={12}>
                    {links.map((l) => (
                      <Link key={l.type} to={l.href} data-testid={`todo-link-${kind}-${l.type}`}>
                        {t(l.type === "tasks" ? "workbench.inTasks" : "workbench.inIssues")}
                      </Link>
                    ))}
                  </Space>
                </Card>
              )}
            </Col>
          );
        })}
      </Row>
      <Card title={t("workbench.todo")} size="small" extra={<Typography.Text type="secondary">{t("workbench.todoHint")}</Typography.Text>}>
        <ResponsiveList<TodoItem>
          testId="workbench-todo"
          items={items}
          rowKey={(r) => `${r.kind}:${r.item_id}`}
          loading={q.isLoading}
          columns={[
            { title: t("task.fieldTitle"), dataIndex: "title", render: (_, r) => <Link to={itemLink(r)}>{r.title}</Link> },
            { title: t("task.status"), dataIndex: "kind", render: (_, r) => t(`workbench.kinds.${r.kind}`, { defaultValue: r.kind }) },
            {
              title: t("task.dueAt"),
              dataIndex: "due_at",
              render: (_, r) => <Tag color={COLOUR_TAG[r.colour ?? "green"]}>{formatDateTime(r.due_at, i18n.language)}</Tag>,
            },
            { title: "", dataIndex: "on_behalf_of_org_name", render: (_, r) => (r.on_behalf_of_org_name ? t("workbench.onBehalfOf", { name: r.on_behalf_of_org_name }) : null) },
          ]}
          renderCard={(r) => (
            <div data-testid="todo-card">
              <Tag color={COLOUR_TAG[r.colour ?? "green"]}>{t(`workbench.kinds.${r.kind}`, { defaultValue: r.kind })}</Tag>
              <Typography.Paragraph strong style={{ margin: 0 }}>
                <Link to={itemLink(r)}>{r.title}</Link>
              </Typography.Paragraph>
              <div style={{ fontSize: 13 }}>{formatDateTime(r.due_at, i18n.language)}</div>
              {r.on_behalf_of_org_name && <div style={{ fontSize: 13 }}>{t("workbench.onBehalfOf", { name: r.on_behalf_of_org_name })}</div>}
            </div>
          )}
          onOpen={(r) => navigate(itemLink(r))}
          emptyText={t("workbench.nothing")}
          hasMore={q.hasNextPage}
          onLoadMore={() => void q.fetchNextPage()}
          loadingMore={q.isFetchingNextPage}
        />
      </Card>
    </>
  );
}
