import { Badge, Button, List, Space, Switch, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router-dom";
import { useAcknowledge, useMarkAllRead, useMarkRead, useNotifications } from "../api/queries";
import type { Notification } from "../api/workitems";
import { ProblemAlert } from "../components/ProblemAlert";
import { useIsMobile } from "../hooks/useIsMobile";
import { formatDateTime } from "../lib/format";

export function NotificationsPage() {
  const { t, i18n } = useTranslation();
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const [unread, setUnread] = useState(false);
  const q = useNotifications(unread);
  const markRead = useMarkRead();
  const markAllRead = useMarkAllRead();
  const acknowledge = useAcknowledge();
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  // The last write's failure, if any (a new write clears it).
  const error = markRead.error ?? markAllRead.error ?? acknowledge.error;
  const read = (id: string) => {
    markAllRead.reset();
    acknowledge.reset();
    markRead.mutate(id);
  };

  const open = (n: Notification) => {
    if (!n.read_at) read(n.id);
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
          <Button
            loading={markAllRead.isPending}
            onClick={() => {
              markRead.reset();
              markAllRead.mutate();
            }}
          >
            {t("notifications.markAllRead")}
          </Button>
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
              ...(n.acknowledgeable && !n.acknowledged_at
                ? [
                    <Button key="ack" type="primary" size="small" loading={acknowledge.isPending && acknowledge.variables === n.id} onClick={() => acknowledge.mutate(n.id)}>
                      {t("notifications.acknowledge")}
                    </Button>,
                  ]
                : []),
              ...(!n.read_at && !n.acknowledgeable ? [<Button key="read" type="link" onClick={() => read(n.id)}>{t("notifications.markRead")}</Button>] : []),
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
                  {n.org_name && (
                    <div>
                      {n.org_name}
                      {n.on_behalf_of_org_name && <span data-testid="on-behalf-of"> {t("notifications.onBehalfOf", { name: n.on_behalf_of_org_name })}</span>}
                    </div>
                  )}
                  {n.acknowledged_at && (
                    <Typography.Text type="secondary" style={{ fontSize: 12, marginRight: 8 }}>
                      {t("notifications.acknowledged", { at: formatDateTime(n.acknowledged_at, i18n.language) })}
                    </Typography.Text>
                  )}
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
