import { LockOutlined, UserOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Input } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, NetworkError, errorMessage, type ProblemDocument } from "../api/problem";
import { useAuth } from "../auth/AuthProvider";

/** Username + password; on failure the typed username stays and a readable message appears. */
export function LoginForm({ onDone, initialUsername }: { onDone?: () => void; initialUsername?: string }) {
  const { t } = useTranslation();
  const { login } = useAuth();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const onFinish = async (v: { username: string; password: string }) => {
    setPending(true);
    setError(null);
    try {
      const r = await login(v.username.trim(), v.password);
      if (r.ok) onDone?.();
      else if (r.status === 401 || r.status === 400) setError(t("login.failed"));
      else setError(errorMessage(new ApiError(r.status, (r.body ?? {}) as ProblemDocument, r.retryAfter), t));
    } catch (err) {
      setError(errorMessage(err instanceof TypeError ? new NetworkError(err) : err, t));
    } finally {
      setPending(false);
    }
  };

  return (
    <Form layout="vertical" onFinish={(v) => void onFinish(v)} initialValues={{ username: initialUsername }} size="large" requiredMark={false}>
      {error && <Alert type="error" showIcon message={error} role="alert" style={{ marginBottom: 16 }} data-testid="login-error" />}
      <Form.Item name="username" label={t("login.username")} rules={[{ required: true, whitespace: true, message: t("login.usernameRequired") }]}>
        <Input prefix={<UserOutlined />} autoComplete="username" autoCapitalize="none" spellCheck={false} />
      </Form.Item>
      <Form.Item name="password" label={t("login.password")} rules={[{ required: true, message: t("login.passwordRequired") }]}>
        <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={pending} data-testid="login-submit">
        {t("login.submit")}
      </Button>
    </Form>
  );
}
