import {
  AlertOutlined,
  ApartmentOutlined,
  BarChartOutlined,
  BellOutlined,
  DesktopOutlined,
  EllipsisOutlined,
  LogoutOutlined,
  MenuOutlined,
  PlusCircleOutlined,
  SettingOutlined,
  UnorderedListOutlined,
  UserOutlined,
} from "@ant-design/icons";
import { Alert, Button, ConfigProvider, Drawer, Dropdown, Layout, Menu, Modal, Space, Tag, Typography } from "antd";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useLocation, useNavigate } from "react-router-dom";
import { useAuth, useCan } from "../auth/AuthProvider";
import { adminTabsFor } from "../pages/adminTabs";
import { useIsMobile } from "../hooks/useIsMobile";
import { useOnline } from "../hooks/useOnline";
import { LanguageSwitch } from "./LanguageSwitch";
import { LoginForm } from "./LoginForm";
import { NotificationBell } from "./NotificationBell";

interface NavItem {
  key: string;
  path: string;
  label: string;
  icon: ReactNode;
}

export function useNavItems(): NavItem[] {
  const { t } = useTranslation();
  const { can } = useCan();
  const items: NavItem[] = [
    { key: "workbench", path: "/", label: t("nav.workbench"), icon: <DesktopOutlined /> },
    { key: "tasks", path: "/tasks", label: t("nav.tasks"), icon: <UnorderedListOutlined /> },
    { key: "issues", path: "/issues", label: t("nav.issues"), icon: <AlertOutlined /> },
  ];
  if (can("issue.create")) items.push({ key: "report", path: "/issues/new", label: t("nav.report"), icon: <PlusCircleOutlined /> });
  items.push(
    { key: "orgs", path: "/orgs", label: t("nav.orgs"), icon: <ApartmentOutlined /> },
    { key: "dashboard", path: "/dashboard", label: t("nav.dashboard"), icon: <BarChartOutlined /> },
    { key: "notifications", path: "/notifications", label: t("nav.notifications"), icon: <BellOutlined /> },
  );
  if (adminTabsFor(can).length) items.push({ key: "admin", path: "/admin", label: t("nav.admin"), icon: <SettingOutlined /> });
  return items;
}

function activeKey(pathname: string, items: NavItem[]): string {
  if (pathname === "/issues/new") return "report";
  const match = items
    .filter((i) => i.path !== "/" && pathname.startsWith(i.path))
    .sort((a, b) => b.path.length - a.path.length)[0];
  return match?.key ?? "workbench";
}

const BRAND_RED = "#b71c1c";

export function AppShell() {
  const { t } = useTranslation();
  const { me, logout, expired } = useAuth();
  const mobile = useIsMobile();
  const online = useOnline();
  const items = useNavItems();
  const location = useLocation();
  const navigate = useNavigate();
  const [drawer, setDrawer] = useState(false);
  const current = activeKey(location.pathname, items);

  const menu = (
    <Menu
      mode="inline"
      selectedKeys={[current]}
      items={items.map((i) => ({ key: i.key, icon: i.icon, label: <Link to={i.path}>{i.label}</Link> }))}
      onClick={() => setDrawer(false)}
      style={{ borderInlineEnd: 0 }}
    />
  );

  const signOut = async () => {
    await logout();
    navigate("/login", { replace: true });
  };

  const userMenu = {
    items: [
      {
        key: "who",
        disabled: true,
        label: (
          <div>
            <div>{me?.display_name}</div>
            {me?.grants.map((g) => (
              <div key={g.id} style={{ fontSize: 12 }}>
                {g.org_name} · {t(`role.${g.role}`)}
              </div>
            ))}
          </div>
        ),
      },
      { type: "divider" as const },
      { key: "logout", icon: <LogoutOutlined />, label: t("nav.signOut"), onClick: () => void signOut() },
    ],
  };

  const bottom = items.filter((i) => ["workbench", "tasks", "issues", "report"].includes(i.key));

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <a href="#main" className="skip-link">
        {t("app.skipToContent")}
      </a>
      {!mobile && (
        <Layout.Sider theme="light" width={208} breakpoint="lg" collapsible style={{ borderRight: "1px solid #f0f0f0" }}>
          <div style={{ height: 56, display: "flex", alignItems: "center", justifyContent: "center", color: BRAND_RED, fontWeight: 700, fontSize: 20 }}>
            {t("app.name")}
          </div>
          <nav aria-label={t("app.menu")}>{menu}</nav>
        </Layout.Sider>
      )}
      <Layout>
        <Layout.Header
          style={{
            background: "#fff",
            padding: mobile ? "0 8px" : "0 20px",
            display: "flex",
            alignItems: "center",
            justifyContent: "space-between",
            borderBottom: "1px solid #f0f0f0",
            position: "sticky",
            top: 0,
            zIndex: 10,
            height: 56,
            lineHeight: "normal",
          }}
        >
          <Space size={8} align="center" style={{ minWidth: 0 }}>
            {mobile && (
              <Button type="text" size="large" icon={<MenuOutlined />} aria-label={t("app.menu")} onClick={() => setDrawer(true)} data-testid="nav-drawer-button" />
            )}
            <Typography.Text strong ellipsis style={{ color: BRAND_RED, fontSize: mobile ? 16 : 18 }}>
              {mobile ? t("app.name") : t("app.fullName")}
            </Typography.Text>
            {me?.demo_mode && !mobile && <Tag color="gold">{t("app.demoMode")}</Tag>}
          </Space>
          <Space size={mobile ? 2 : 12}>
            <NotificationBell />
            {!mobile && <LanguageSwitch />}
            {!mobile && (
              <Dropdown menu={userMenu} trigger={["click"]}>
                <Button icon={<UserOutlined />} data-testid="user-menu">
                  {me?.display_name}
                </Button>
              </Dropdown>
            )}
          </Space>
        </Layout.Header>
        {!online && <Alert banner type="warning" message={t("app.offline")} data-testid="offline-banner" role="status" />}
        <Layout.Content id="main" tabIndex={-1} style={{ padding: mobile ? "12px 12px 88px" : 24, minWidth: 0 }}>
          {/* Phones: every control at antd's large size (40 px), so fingers hit what they aim at. */}
          <ConfigProvider componentSize={mobile ? "large" : undefined}>
            <Outlet />
          </ConfigProvider>
        </Layout.Content>
      </Layout>
      {mobile && (
        <>
          <nav className="bottom-bar" aria-label={t("app.menu")} data-testid="bottom-bar">
            {bottom.map((i) => (
              <Link key={i.key} to={i.path} className={i.key === current ? "active" : undefined} aria-current={i.key === current ? "page" : undefined}>
                <span className="icon" aria-hidden>
                  {i.icon}
                </span>
                <span>{i.label}</span>
              </Link>
            ))}
            <button type="button" onClick={() => setDrawer(true)} className={bottom.some((b) => b.key === current) ? undefined : "active"}>
              <span className="icon" aria-hidden>
                <EllipsisOutlined />
              </span>
              <span>{t("app.more")}</span>
            </button>
          </nav>
          <Drawer open={drawer} onClose={() => setDrawer(false)} placement="left" width={280} title={me?.display_name} data-testid="nav-drawer">
            <nav aria-label={t("app.menu")}>{menu}</nav>
            <div style={{ padding: 16, display: "grid", gap: 12 }}>
              {me?.grants.map((g) => (
                <Typography.Text key={g.id} type="secondary">
                  {g.org_name} · {t(`role.${g.role}`)}
                </Typography.Text>
              ))}
              <LanguageSwitch block />
              <Button block size="large" icon={<LogoutOutlined />} onClick={() => void signOut()}>
                {t("nav.signOut")}
              </Button>
            </div>
          </Drawer>
        </>
      )}
      <Modal open={expired} title={t("login.title")} footer={null} closable={false} maskClosable={false} data-testid="session-expired">
        <Alert type="warning" showIcon message={t("app.sessionExpired")} style={{ marginBottom: 16 }} />
        <LoginForm initialUsername={me?.username} />
      </Modal>
    </Layout>
  );
}
