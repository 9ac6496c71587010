import { BellOutlined } from "@ant-design/icons";
import { Badge, Button } from "antd";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router-dom";
import { useUnreadCount } from "../api/queries";

/** The bell with the unread count; opens the notifications page. */
export function NotificationBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data } = useUnreadCount();
  const count = data ?? 0;
  const label = count ? `${t("nav.notifications")} (${t("notifications.unread", { count })})` : t("nav.notifications");
  return (
    <Badge count={count} overflowCount={99} size="small" offset={[-6, 6]}>
      <Button
        type="text"
        shape="circle"
        size="large"
        icon={<BellOutlined style={{ fontSize: 20 }} />}
        aria-label={label}
        title={label}
        data-testid="notification-bell"
        data-unread={count}
        onClick={() => navigate("/notifications")}
      />
    </Badge>
  );
}
