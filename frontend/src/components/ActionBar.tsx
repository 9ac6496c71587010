import { EditOutlined } from "@ant-design/icons";
import { App as AntApp, Button, DatePicker, Form, Input, InputNumber, Modal, Rate, Space } from "antd";
import { useQueryClient } from "@tanstack/react-query";
import type { Dayjs } from "dayjs";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import type { OrgTree } from "../api/client";
import { ApiError, fieldErrors } from "../api/problem";
import { workItems, type ActionBody, type ItemType } from "../api/workitems";
import { useIdempotentSubmit } from "../hooks/useIdempotentSubmit";
import { useIsMobile } from "../hooks/useIsMobile";
import { OrgTreeSelect } from "./OrgTreeSelect";
import { ProblemAlert } from "./ProblemAlert";

type Field = "note" | "progress" | "due_at" | "target_org_id" | "rating";
interface ActionSpec {
  fields: Field[];
  required: Field[];
  danger?: boolean;
  primary?: boolean;
}

/** What each action asks for. Unknown actions get an optional note. */
export const ACTION_SPECS: Record<ItemType, Record<string, ActionSpec>> = {
  tasks: {
    accept: { fields: ["note"], required: [], primary: true },
    start: { fields: ["note"], required: [], primary: true },
    progress: { fields: ["note", "progress"], required: ["note"] },
    submit: { fields: ["note"], required: ["note"], primary: true },
    verify: { fields: ["note"], required: [], primary: true },
    return: { fields: ["note"], required: ["note"], danger: true },
    cancel: { fields: ["note"], required: [], danger: true },
    "request-extension": { fields: ["note", "due_at"], required: ["note", "due_at"] },
    "approve-extension": { fields: ["note"], required: [], primary: true },
    "reject-extension": { fields: ["note"], required: [], danger: true },
    reissue: { fields: ["note"], required: [], primary: true },
  },
  issues: {
    acknowledge: { fields: ["note"], required: [], primary: true },
    escalate: { fields: ["note"], required: ["note"] },
    delegate: { fields: ["target_org_id", "note"], required: ["target_org_id", "note"] },
    resolve: { fields: ["note"], required: ["note"], primary: true },
    close: { fields: ["rating", "note"], required: ["rating"], primary: true },
    reopen: { fields: ["note"], required: [], danger: true },
  },
};

/** Actions that are pages or forms of their own, not POST /{id}/{action}. */
const LOCAL_ACTIONS = new Set(["split", "edit"]);

interface FormValues {
  note?: string;
  progress?: number;
  due_at?: Dayjs;
  target_org_id?: string;
  rating?: number;
}

interface Props {
  type: ItemType;
  id: string;
  allowed: string[];
  etag: string | null;
  /** For "delegate": the handler unit's subtree. */
  delegateTree?: OrgTree;
  currentHandlerId?: string;
  /** Local actions ("split", "edit") this page handles itself; others of that kind are not shown. */
  localActions?: string[];
  onLocalAction?: (action: string) => void;
}

/** Exactly the buttons in `allowed_actions`, each opening a short form; If-Match + Idempotency-Key on submit. */
export function ActionBar({ type, id, allowed, etag, delegateTree, currentHandlerId, localActions = [], onLocalAction }: Props) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const mobile = useIsMobile();
  const qc = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const [action, setAction] = useState<string | null>(null);
  const ns = type === "tasks" ? "taskAction" : "issueAction";
  const hintNs = type === "tasks" ? "taskActionHint" : "issueActionHint";

  const send = useCallback(
    (body: ActionBody & { action: string; ifMatch: string | null }, key: string): Promise<unknown> => {
      // If-Match is part of the fingerprint: after a 412 and a reload, the retry is a new request with a new key.
      const { action: name, ifMatch, ...rest } = body;
      const opts = { idempotencyKey: key, ifMatch };
      return type === "tasks" ? workItems.taskAction(id, name, rest, opts) : workItems.issueAction(id, name, rest, opts);
    },
    [type, id],
  );
  const { submit, pending, error, clearError } = useIdempotentSubmit(send);

  const refresh = () => {
    void qc.invalidateQueries({ queryKey: [type === "tasks" ? "task" : "issue", id] });
    void qc.invalidateQueries({ queryKey: ["events", type, id] });
    void qc.invalidateQueries({ queryKey: ["feedback", type, id] });
    void qc.invalidateQueries({ queryKey: [type] });
    void qc.invalidateQueries({ queryKey: ["notifications"] });
    void qc.invalidateQueries({ queryKey: ["summary"] });
  };

  const open = (name: string) => {
    if (LOCAL_ACTIONS.has(name)) {
      onLocalAction?.(name);
      return;
    }
    clearError();
    setAction(name);
  };

  const onOk = async () => {
    if (!action) return;
    const v = await form.validateFields().catch(() => null);
    if (!v) return; // the form shows what is missing
    const body: ActionBody & { action: string; ifMatch: string | null } = { action, ifMatch: etag };
    if (v.note) body.note = v.note.trim();
    if (v.progress !== undefined && v.progress !== null) body.progress = v.progress;
    if (v.due_at) body.due_at = v.due_at.toISOString();
    if (v.target_org_id) body.target_org_id = v.target_org_id;
    if (v.rating) body.rating = v.rating;
    try {
      await submit(body);
      message.success(t("common.done"));
      setAction(null);
      form.resetFields();
      refresh();
    } catch (err) {
      // Keep the dialog and everything typed in it.
      form.setFields(fieldErrors(err).map((f) => ({ name: f.name as keyof FormValues, errors: f.errors })));
      if (err instanceof ApiError && err.status === 412) refresh();
    }
  };

  const spec = action ? (ACTION_SPECS[type][action] ?? { fields: ["note"], required: [] }) : null;
  const visible = allowed.filter((a) => !LOCAL_ACTIONS.has(a) || localActions.includes(a));
  if (!visible.length) return null;
  const req = (f: Field) => !!spec?.required.includes(f);

  return (
    <>
      <Space wrap size={[8, 8]} data-testid="action-bar" style={{ width: mobile ? "100%" : undefined }}>
        {visible.map((a) => {
          const s = ACTION_SPECS[type][a];
          return (
            <Button
              key={a}
              data-action={a}
              icon={a === "edit" ? <EditOutlined /> : undefined}
              type={s?.primary ? "primary" : "default"}
              danger={s?.danger}
              size={mobile ? "large" : "middle"}
              onClick={() => open(a)}
            >
              {t(`${ns}.${a}`, { defaultValue: a })}
            </Button>
          );
        })}
      </Space>
      <Modal
        open={!!action}
        title={action ? t(`${ns}.${action}`, { defaultValue: action }) : ""}
        onCancel={() => setAction(null)}
        onOk={() => void onOk()}
        okText={t("common.submit")}
        cancelText={t("common.cancel")}
        confirmLoading={pending}
        okButtonProps={{ "data-testid": "action-submit", size: mobile ? "large" : "middle" } as Record<string, string>}
        cancelButtonProps={{ size: mobile ? "large" : "middle" }}
        forceRender
        destroyOnHidden={false}
      >
        <ProblemAlert error={error} />
        {action && <p style={{ color: "rgba(0,0,0,0.65)" }}>{t(`${hintNs}.${action}`, { defaultValue: "" })}</p>}
        <Form form={form} layout="vertical" requiredMark>
          {spec?.fields.includes("rating") && (
            <Form.Item name="rating" label={t("issue.rating")} rules={[{ required: req("rating"), message: t("issue.ratingRequired") }]}>
              <Rate count={5} style={{ fontSize: 32 }} aria-label={t("issue.rating")} />
            </Form.Item>
          )}
          {spec?.fields.includes("target_org_id") && (
            <Form.Item name="target_org_id" label={t("issue.delegateTo")} rules={[{ required: req("target_org_id"), message: t("common.required") }]}>
              <OrgTreeSelect rootTree={delegateTree} disabledIds={currentHandlerId ? [currentHandlerId] : undefined} size={mobile ? "large" : "middle"} />
            </Form.Item>
          )}
          {spec?.fields.includes("progress") && (
            <Form.Item name="progress" label={t("task.progress")} rules={[{ type: "number", min: 0, max: 100 }]}>
              <InputNumber min={0} max={100} addonAfter="%" style={{ width: "100%" }} size={mobile ? "large" : "middle"} />
            </Form.Item>
          )}
          {spec?.fields.includes("due_at") && (
            <Form.Item name="due_at" label={t("task.dueAt")} rules={[{ required: req("due_at"), message: t("common.required") }]}>
              <DatePicker showTime style={{ width: "100%" }} size={mobile ? "large" : "middle"} inputReadOnly={mobile} />
            </Form.Item>
          )}
          {spec?.fields.includes("note") && (
            <Form.Item
              name="note"
              label={t("common.note")}
              rules={[{ required: req("note"), whitespace: true, message: t("common.required") }]}
            >
              <Input.TextArea rows={4} maxLength={2000} showCount data-testid="action-note" />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
