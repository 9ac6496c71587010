import { Card, Space, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation, useNavigate } from "react-router-dom";
import { useAuth } from "../auth/AuthProvider";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { LoginForm } from "../components/LoginForm";

export function LoginPage() {
  const { t } = useTranslation();
  const { status } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? "/";
  if (status === "authenticated") return <Navigate to={from} replace />;
  return (
    <main style={{ minHeight: "100vh", display: "flex", alignItems: "center", justifyContent: "center", padding: 16, background: "linear-gradient(160deg,#fff5f5,#f5f5f5)" }}>
      <Card style={{ width: "100%", maxWidth: 400 }}>
        <Space direction="vertical" size={4} style={{ width: "100%", marginBottom: 16 }}>
          <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
            <Typography.Title level={1} style={{ margin: 0, color: "#b71c1c", fontSize: 28 }}>
              {t("app.name")}
            </Typography.Title>
            <LanguageSwitch />
          </div>
          <Typography.Text type="secondary">{t("app.tagline")}</Typography.Text>
          <Typography.Title level={2} style={{ fontSize: 18, marginTop: 12 }}>
            {t("login.title")}
          </Typography.Title>
        </Space>
        <LoginForm onDone={() => navigate(from, { replace: true })} />
      </Card>
    </main>
  );
}
