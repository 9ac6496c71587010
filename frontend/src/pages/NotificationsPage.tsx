import { Badge, Button, List, Space, Switch, Typography } from "antd";
import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router-dom";
import { workItems, type Notification } from "../api/workitems";
import { ProblemAlert } from "../components/ProblemAlert";
import { useIsMobile } from "../hooks/useIsMobile";
import { formatDateTime } from "../lib/format";

export function NotificationsPage() {
  const { t, i18n } = useTranslation();
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [unread, setUnread] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const q = useInfiniteQuery({
    queryKey: ["notifications", unread],
    queryFn: ({ pageParam }) => workItems.notifications({ unread, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (p) => p.next_cursor,
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];

  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      await qc.invalidateQueries({ queryKey: ["notifications"] });
    } catch (err) {
      setError(err);
    }
  };

  const open = (n: Notification) => {
    if (!n.read_at) void run(() => workItems.markRead(n.id));
    navigate(`/${n.entity_type === "task" ? "tasks" : "issues"}/${n.entity_id}`);
  };

  return (
    <>
      <div className="page-header">
        <h1>{t("notifications.title")}</h1>
        <Space wrap>
          <Space>
            <Switch checked={unread} onChange={setUnread} id="only-unread" />
            <label htmlFor="only-unread">{t("notifications.onlyUnread")}</label>
          </Space>
          <Button onClick={() => void run(() => workItems.markAllRead())}>{t("notifications.markAllRead")}</Button>
        </Space>
      </div>
      <ProblemAlert error={error ?? q.error} onRetry={() => void q.refetch()} />
      <List
        data-testid="notification-list"
        itemLayout={mobile ? "vertical" : "horizontal"}
        loading={q.isLoading}
        dataSource={items}
        locale={{ emptyText: t("notifications.empty") }}
        style={{ background: "#fff", borderRadius: 8, padding: "0 12px" }}
        renderItem={(n) => (
          <List.Item
            key={n.id}
            actions={[
              <Button key="open" type="link" onClick={() => open(n)}>
                {t("notifications.open")}
              </Button>,
              ...(!n.read_at ? [<Button key="read" type="link" onClick={() => void run(() => workItems.markRead(n.id))}>{t("notifications.markRead")}</Button>] : []),
            ]}
          >
            <List.Item.Meta
              avatar={<Badge status={n.read_at ? "default" : "processing"} />}
              title={
                <Typography.Text strong={!n.read_at}>
                  {n.title
                    ? t("common.labelled", { label: t(`notifications.kinds.${n.kind}`, { defaultValue: t("notifications.kinds.other") }), value: n.title })
                    : t(`notifications.kinds.${n.kind}`, { defaultValue: t("notifications.kinds.other") })}
                </Typography.Text>
              }
              description={
                <>
                  {n.org_name && <div>{n.org_name}</div>}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatDateTime(n.created_at, i18n.language)}
                  </Typography.Text>
                </>
              }
            />
          </List.Item>
        )}
      />
      {q.hasNextPage && (
        <div style={{ textAlign: "center", marginTop: 12 }}>
          <Button onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
            {t("common.loadMore")}
          </Button>
        </div>
      )}
    </>
  );
}
