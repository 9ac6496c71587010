import type { TFunction } from "i18next";
import { PlusOutlined } from "@ant-design/icons";
import { App as AntApp, Button, Card, Form, Input, Modal, Popconfirm, Result, Space, Switch, Tabs, Tag, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import type { UseMutationResult } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  useAuditLog,
  useCreateGrant,
  useCreateOrg,
  useCreateUser,
  useGrantList,
  useOrgList,
  useRevokeGrant,
  useSetUserActive,
  useUserList,
  type GrantCreate,
  type OrgCreate,
  type UserCreate,
} from "../api/admin";
import type { AuditEntry, Grant, Org, User } from "../api/client";
import { orgKindValues, roleValues } from "../api/schema";
import { fieldErrors } from "../api/problem";
import { flattenTree, useScopeTrees } from "../api/queries";
import { useCan } from "../auth/AuthProvider";
import { adminTabsFor, type AdminTab } from "./adminTabs";
import { ChasingPolicyForm } from "../components/ChasingPolicyForm";
import { OrgTreeSelect } from "../components/OrgTreeSelect";
import { FormSelect } from "../components/FormSelect";
import { ProblemAlert } from "../components/ProblemAlert";
import { ResponsiveList } from "../components/ResponsiveList";
import { UserSearchSelect } from "../components/UserSearchSelect";
import { useUserNames } from "../api/users";
import { isItemAction } from "../components/ActionBar";
import { Link } from "react-router-dom";
import { useIdempotentSubmit, type Keyed } from "../hooks/useIdempotentSubmit";
import { useIsMobile } from "../hooks/useIsMobile";
import { formatDateTime } from "../lib/format";

function useOrgNames() {
  const { trees } = useScopeTrees();
  return useMemo(() => new Map(trees.flatMap((tr) => flattenTree(tr)).map((o) => [o.id, o.name])), [trees]);
}

function CreateModal<V extends object>(props: {
  open: boolean;
  title: string;
  onClose: () => void;
  /** The create mutation (it refreshes what it changes). */
  mutation: UseMutationResult<unknown, unknown, Keyed<V>, unknown>;
  doneText: string;
  children: React.ReactNode;
  testId: string;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const mobile = useIsMobile();
  const [form] = Form.useForm<V>();
  const { submit, pending, error, clearError } = useIdempotentSubmit(props.mutation);
  const ok = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      await submit(v);
      message.success(props.doneText);
      form.resetFields();
      props.onClose();
    } catch (err) {
      form.setFields(fieldErrors(err).map((f) => ({ name: f.name as never, errors: f.errors })));
    }
  };
  return (
    <Modal
      open={props.open}
      title={props.title}
      onCancel={() => (clearError(), props.onClose())}
      onOk={() => void ok()}
      okText={t("common.submit")}
      cancelText={t("common.cancel")}
      confirmLoading={pending}
      forceRender
      okButtonProps={{ "data-testid": `${props.testId}-submit` } as Record<string, string>}
    >
      <ProblemAlert error={error} />
      <Form form={form} layout="vertical" size={mobile ? "large" : "middle"} data-testid={props.testId}>
        {props.children}
      </Form>
    </Modal>
  );
}

function UnitsTab() {
  const { t } = useTranslation();
  const names = useOrgNames();
  const [q, setQ] = useState("");
  const [open, setOpen] = useState(false);
  const list = useOrgList(q);
  const create = useCreateOrg();
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const columns: ColumnsType<Org> = [
    { title: t("orgs.name"), dataIndex: "name" },
    { title: t("orgs.kindLabel"), dataIndex: "kind", render: (k: string) => t(`kind.${k}`) },
    { title: t("orgs.tier"), dataIndex: "tier", render: (k: string) => t(`kind.${k}`) },
    { title: t("orgs.parent"), dataIndex: "parent_id", render: (p: string | null) => (p ? (names.get(p) ?? "—") : "—") },
    { title: t("orgs.code"), dataIndex: "code", render: (c: string | null) => c ?? "—" },
  ];
  return (
    <>
      <div className="filters">
        <Input.Search allowClear placeholder={t("common.search")} aria-label={t("common.search")} onSearch={setQ} style={{ width: 240 }} />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="new-unit">
          {t("admin.newUnit")}
        </Button>
      </div>
      <ProblemAlert error={list.error} onRetry={() => void list.refetch()} />
      <ResponsiveList<Org>
        testId="unit-list"
        items={items}
        rowKey={(o) => o.id}
        columns={columns}
        loading={list.isLoading}
        hasMore={list.hasNextPage}
        onLoadMore={() => void list.fetchNextPage()}
        renderCard={(o) => (
          <div>
            <Typography.Text strong>{o.name}</Typography.Text> <Tag>{t(`kind.${o.kind}`)}</Tag>
            <div style={{ fontSize: 13, color: "rgba(0,0,0,0.6)" }}>{o.parent_id ? names.get(o.parent_id) : ""}</div>
          </div>
        )}
      />
      <CreateModal<OrgCreate>
        open={open}
        title={t("admin.newUnit")}
        onClose={() => setOpen(false)}
        mutation={create}
        doneText={t("admin.created")}
        testId="unit-form"
      >
        <Form.Item name="name" label={t("orgs.name")} rules={[{ required: true, whitespace: true, message: t("common.required") }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="kind" label={t("orgs.kindLabel")} rules={[{ required: true, message: t("common.required") }]}>
          <FormSelect options={orgKindValues.map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
        </Form.Item>
        <Form.Item name="parent_id" label={t("admin.parent")} rules={[{ required: true, message: t("common.required") }]}>
          <OrgTreeSelect />
        </Form.Item>
        <Form.Item name="code" label={`${t("orgs.code")} (${t("common.optional")})`}>
          <Input maxLength={64} />
        </Form.Item>
      </CreateModal>
    </>
  );
}

function UsersTab() {
  const { t, i18n } = useTranslation();
  const [q, setQ] = useState("");
  const [open, setOpen] = useState(false);
  const manage = useCan().can("user.manage");
  const list = useUserList(q);
  const create = useCreateUser();
  const setActive = useSetUserActive();
  const toggle = (u: User, active: boolean) => setActive.mutate({ id: u.id, active });
  const error = setActive.error;
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const columns: ColumnsType<User> = [
    { title: t("admin.username"), dataIndex: "username" },
    { title: t("admin.displayName"), dataIndex: "display_name" },
    {
      title: t("admin.activeLabel"),
      dataIndex: "is_active",
      render: (_, u) => <Switch checked={u.is_active} disabled={!manage} onChange={(v) => toggle(u, v)} checkedChildren={t("admin.active")} unCheckedChildren={t("admin.inactive")} aria-label={`${u.username} ${t("admin.activeLabel")}`} />,
    },
    { title: t("common.createdAt"), dataIndex: "created_at", render: (v: string) => formatDateTime(v, i18n.language) },
  ];
  return (
    <>
      <div className="filters">
        <Input.Search allowClear placeholder={t("common.search")} aria-label={t("common.search")} onSearch={setQ} style={{ width: 240 }} />
        {manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="new-user">
            {t("admin.newUser")}
          </Button>
        )}
      </div>
      <ProblemAlert error={error ?? list.error} onRetry={() => void list.refetch()} />
      <ResponsiveList<User>
        testId="user-list"
        items={items}
        rowKey={(u) => u.id}
        columns={columns}
        loading={list.isLoading}
        hasMore={list.hasNextPage}
        onLoadMore={() => void list.fetchNextPage()}
        renderCard={(u) => (
          <Space style={{ justifyContent: "space-between", width: "100%" }}>
            <div>
              <Typography.Text strong>{u.display_name}</Typography.Text>
              <div style={{ fontSize: 13, color: "rgba(0,0,0,0.6)" }}>{u.username}</div>
            </div>
            <Switch checked={u.is_active} disabled={!manage} onChange={(v) => toggle(u, v)} aria-label={`${u.username} ${t("admin.activeLabel")}`} />
          </Space>
        )}
      />
      <CreateModal<UserCreate>
        open={open}
        title={t("admin.newUser")}
        onClose={() => setOpen(false)}
        mutation={create}
        doneText={t("admin.created")}
        testId="user-form"
      >
        <Form.Item name="username" label={t("admin.username")} rules={[{ required: true, pattern: /^[a-zA-Z0-9._-]{3,64}$/, message: t("common.required") }]}>
          <Input autoCapitalize="none" spellCheck={false} autoComplete="off" />
        </Form.Item>
        <Form.Item name="display_name" label={t("admin.displayName")} rules={[{ required: true, whitespace: true, message: t("common.required") }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="password" label={t("admin.password")} extra={t("admin.passwordHint", { min: 8 })} rules={[{ required: true, min: 8, message: t("admin.passwordHint", { min: 8 }) }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </CreateModal>
    </>
  );
}

function GrantsTab() {
  const { t, i18n } = useTranslation();
  const { message } = AntApp.useApp();
  const names = useOrgNames();
  const [open, setOpen] = useState(false);
  const manage = useCan().can("grant.manage");
  const list = useGrantList();
  const create = useCreateGrant();
  const revocation = useRevokeGrant();
  const revoke = (g: Grant) => revocation.mutate(g.id, { onSuccess: () => void message.success(t("admin.revoked")) });
  const error = revocation.error;
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const userNames = useUserNames(items.map((g) => g.user_id));
  const columns: ColumnsType<Grant> = [
    { title: t("admin.user"), dataIndex: "user_id", render: (id: string) => userNames.get(id) ?? id },
    { title: t("admin.unit"), dataIndex: "org_id", render: (id: string) => names.get(id) ?? id },
    { title: t("admin.role"), dataIndex: "role", render: (r: string) => t(`role.${r}`) },
    { title: t("common.createdAt"), dataIndex: "created_at", render: (v: string) => formatDateTime(v, i18n.language) },
    ...(manage
      ? [
          {
            title: t("common.actions"),
            key: "x",
            render: (_: unknown, g: Grant) => (
              <Popconfirm title={t("admin.revokeConfirm")} onConfirm={() => revoke(g)} okText={t("common.confirm")} cancelText={t("common.cancel")}>
                <Button danger size="small">
                  {t("admin.revoke")}
                </Button>
              </Popconfirm>
            ),
          },
        ]
      : []),
  ];
  return (
    <>
      <div className="filters">
        {manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="new-grant">
            {t("admin.newGrant")}
          </Button>
        )}
      </div>
      <ProblemAlert error={error ?? list.error} onRetry={() => void list.refetch()} />
      <ResponsiveList<Grant>
        testId="grant-list"
        items={items}
        rowKey={(g) => g.id}
        columns={columns}
        loading={list.isLoading}
        hasMore={list.hasNextPage}
        onLoadMore={() => void list.fetchNextPage()}
        renderCard={(g) => (
          <Space direction="vertical" size={2} style={{ width: "100%" }}>
            <Typography.Text strong>{userNames.get(g.user_id) ?? g.user_id}</Typography.Text>
            <span>
              {names.get(g.org_id) ?? g.org_id} · {t(`role.${g.role}`)}
            </span>
            {manage && (
              <Popconfirm title={t("admin.revokeConfirm")} onConfirm={() => revoke(g)} okText={t("common.confirm")} cancelText={t("common.cancel")}>
                <Button danger>{t("admin.revoke")}</Button>
              </Popconfirm>
            )}
          </Space>
        )}
      />
      <CreateModal<GrantCreate>
        open={open}
        title={t("admin.newGrant")}
        onClose={() => setOpen(false)}
        mutation={create}
        doneText={t("admin.granted")}
        testId="grant-form"
      >
        <Form.Item name="user_id" label={t("admin.user")} rules={[{ required: true, message: t("common.required") }]}>
          <UserSearchSelect data-testid="grant-user" />
        </Form.Item>
        <Form.Item name="org_id" label={t("admin.unit")} rules={[{ required: true, message: t("common.required") }]}>
          <OrgTreeSelect />
        </Form.Item>
        <Form.Item name="role" label={t("admin.role")} rules={[{ required: true, message: t("common.required") }]}>
          <FormSelect options={roleValues.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        </Form.Item>
      </CreateModal>
    </>
  );
}

const AUDIT_VERBS = ["create", "update", "delete", "feedback", "login", "login_failed", "revoke", "subtask"];

/** "issue.escalate" -> "逐级上报": the workflow's own words where it has them, else a plain verb. */
export function auditActionLabel(action: string, t: TFunction): string {
  const [prefix = "", ...rest] = action.split(".");
  // An event named apart from its action ("issue.taken_over") reads as the action.
  const verb = rest.join(".") === "taken_over" ? "take-over" : rest.join(".");
  if (prefix === "task" && isItemAction("tasks", verb)) return t(`taskAction.${verb}`);
  if (prefix === "issue" && isItemAction("issues", verb)) return t(`issueAction.${verb}`);
  if (AUDIT_VERBS.includes(verb)) return t(`admin.verbs.${verb}`);
  return action;
}
const ENTITIES = ["task", "issue", "feedback", "user", "grant", "org", "auth"];

function AuditEntity({ a }: { a: AuditEntry }) {
  const { t } = useTranslation();
  const kind = ENTITIES.includes(a.entity_type) ? t(`admin.entities.${a.entity_type}`) : a.entity_type;
  // The snapshot names the object: a title, a unit or user name, or nothing.
  const snap = a.after ?? a.before ?? {};
  const name = ["title", "name", "display_name", "username"].map((k) => snap[k]).find((v): v is string => typeof v === "string" && !!v);
  const label = name ? t("common.labelled", { label: kind, value: name }) : kind;
  if ((a.entity_type === "task" || a.entity_type === "issue") && a.entity_id)
    return <Link to={`/${a.entity_type === "task" ? "tasks" : "issues"}/${a.entity_id}`}>{label}</Link>;
  return <>{label}</>;
}

function AuditTab() {
  const { t, i18n } = useTranslation();
  const list = useAuditLog();
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const actors = useUserNames(items.map((a) => a.actor_id));
  const actor = (id: string | null) => (id ? (actors.get(id) ?? t("admin.unknownUser")) : t("admin.system"));
  const columns: ColumnsType<AuditEntry> = [
    { title: t("admin.at"), dataIndex: "at", render: (v: string) => formatDateTime(v, i18n.language) },
    { title: t("admin.action"), dataIndex: "action", render: (v: string) => auditActionLabel(v, t) },
    { title: t("admin.entity"), dataIndex: "entity_type", render: (_, a) => <AuditEntity a={a} /> },
    { title: t("admin.actor"), dataIndex: "actor_id", render: (v: string | null) => actor(v) },
  ];
  return (
    <>
      <ProblemAlert error={list.error} onRetry={() => void list.refetch()} />
      <ResponsiveList<AuditEntry>
        testId="audit-list"
        items={items}
        rowKey={(a) => String(a.id)}
        columns={columns}
        loading={list.isLoading}
        hasMore={list.hasNextPage}
        onLoadMore={() => void list.fetchNextPage()}
        renderCard={(a) => (
          <div>
            <Typography.Text strong>{auditActionLabel(a.action, t)}</Typography.Text> · <AuditEntity a={a} />
            <div style={{ fontSize: 13, color: "rgba(0,0,0,0.62)" }}>
              {actor(a.actor_id)} · {formatDateTime(a.at, i18n.language)}
            </div>
          </div>
        )}
      />
    </>
  );
}

export default function AdminPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const allowed = adminTabsFor(can);
  if (!allowed.length) return <Result status="403" title={t("admin.title")} subTitle={t("admin.notAllowed")} />;
  const tabs: Record<AdminTab, { label: string; children: React.ReactNode }> = {
    units: { label: t("admin.units"), children: <UnitsTab /> },
    users: { label: t("admin.users"), children: <UsersTab /> },
    grants: { label: t("admin.grants"), children: <GrantsTab /> },
    audit: { label: t("admin.audit"), children: <AuditTab /> },
    chasing: { label: t("admin.chasing"), children: <ChasingPolicyForm /> },
  };
  return (
    <>
      <div className="page-header">
        <h1>{t("admin.title")}</h1>
      </div>
      <Card size="small">
        <Tabs
          destroyOnHidden={false}
          items={allowed.map((key) => ({ key, ...tabs[key] }))}
        />
      </Card>
    </>
  );
}
