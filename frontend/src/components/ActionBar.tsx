import { EditOutlined } from "@ant-design/icons";
import { App as AntApp, Button, DatePicker, Form, Input, InputNumber, Modal, Radio, Rate, Space, Tooltip } from "antd";
import type { Dayjs } from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { OrgTree } from "../api/client";
import { fieldErrors } from "../api/problem";
import { useItemAction, type ActionRequest } from "../api/queries";
import type { ActionBody, IssueAction, ItemAction, ItemType, RefusedAction, TaskAction } from "../api/workitems";
import { useIdempotentSubmit } from "../hooks/useIdempotentSubmit";
import { useIsMobile } from "../hooks/useIsMobile";
import { OrgTreeSelect } from "./OrgTreeSelect";
import { ProblemAlert } from "./ProblemAlert";
import { NOTE_MAX_LENGTH, WORKING_DAYS_MAX } from "../api/limits";

/** The fields an action's form can ask for. */
type Field = "note" | "progress" | "due_at" | "due_in_working_days" | "target_org_id" | "rating";
/** The keys of body B that the form asks for. */
type FieldOf<B> = Extract<keyof B, Field>;
/** The keys body B cannot go without. */
type RequiredOf<B> = { [K in keyof B]-?: object extends Pick<B, K> ? never : K }[keyof B];

interface ActionSpec<B> {
  /** What the form asks for: only fields the action's body has (checked against its path's body). */
  fields: readonly FieldOf<B>[];
  /** What the form insists on: at least what the body requires (checked below). */
  required: readonly FieldOf<B>[];
  danger?: boolean;
  primary?: boolean;
}
type SpecsOf<T extends ItemType> = { [A in ItemAction<T>]: ActionSpec<ActionBody<T, A>> };

/**
 * What each action asks for. One entry for every action route of the generated schema (a new
 * route, or a new required field in an action's body, is a compile error here until its form
 * is described).
 */
export const ACTION_SPECS = {
  tasks: {
    accept: { fields: ["note"], required: [], primary: true },
    start: { fields: ["note"], required: [], primary: true },
    progress: { fields: ["note", "progress"], required: ["progress"] },
    submit: { fields: ["note"], required: ["note"], primary: true },
    verify: { fields: ["note"], required: [], primary: true },
    return: { fields: ["note"], required: ["note"], danger: true },
    cancel: { fields: ["note"], required: [], danger: true },
    "request-extension": { fields: ["note", "due_at"], required: ["note", "due_at"] },
    "approve-extension": { fields: ["note"], required: [], primary: true },
    "reject-extension": { fields: ["note"], required: [], danger: true },
    reissue: { fields: ["note"], required: [], primary: true },
    // The new date as a date or in working days: one of the two (the form asks which).
    supervise: { fields: ["note", "due_at", "due_in_working_days"], required: ["note"] },
  },
  issues: {
    acknowledge: { fields: ["note"], required: [], primary: true },
    escalate: { fields: ["note"], required: ["note"] },
    delegate: { fields: ["target_org_id", "note"], required: ["target_org_id", "note"] },
    resolve: { fields: ["note"], required: ["note"], primary: true },
    close: { fields: ["rating", "note"], required: ["rating"], primary: true },
    reopen: { fields: ["note"], required: [], danger: true },
    "take-over": { fields: ["note"], required: [] },
    supervise: { fields: ["note", "due_at", "due_in_working_days"], required: ["note"] },
  },
} as const satisfies { tasks: SpecsOf<"tasks">; issues: SpecsOf<"issues"> };

/** Body fields an action requires that its form does not insist on (must be none). */
type Unasked<T extends ItemType, Specs extends Record<ItemAction<T>, { required: readonly string[] }>> = {
  [A in ItemAction<T>]: Exclude<RequiredOf<ActionBody<T, A>>, Specs[A]["required"][number]>;
}[ItemAction<T>];
const everyRequiredFieldIsAsked: [Unasked<"tasks", typeof ACTION_SPECS.tasks>, Unasked<"issues", typeof ACTION_SPECS.issues>] extends [never, never]
  ? true
  : never = true;
void everyRequiredFieldIsAsked;

export function isItemAction<T extends ItemType>(type: T, name: string): name is ItemAction<T> {
  return Object.prototype.hasOwnProperty.call(ACTION_SPECS[type], name);
}

function specOf(type: ItemType, name: string): ActionSpec<Record<Field, unknown>> | null {
  return isItemAction(type, name) ? (ACTION_SPECS[type] as Record<string, ActionSpec<Record<Field, unknown>>>)[name]! : null;
}

/** Actions that are pages or forms of their own, not POST /{id}/{action}. */
const LOCAL_ACTIONS = new Set(["split", "edit"]);

/** How a form that takes either gives the new date: a date, or N working days from tomorrow. */
type DueMode = "date" | "working_days";

interface FormValues {
  note?: string;
  progress?: number;
  due_mode?: DueMode;
  due_at?: Dayjs;
  due_in_working_days?: number;
  target_org_id?: string;
  rating?: number;
}

interface Props {
  type: ItemType;
  id: string;
  allowed: string[];
  /** Actions refused by separation of duties: shown disabled, saying why. */
  refused?: RefusedAction[];
  etag: string | null;
  /** For "delegate": the handler unit's subtree. */
  delegateTree?: OrgTree;
  currentHandlerId?: string;
  /** Local actions ("split", "edit") this page handles itself; others of that kind are not shown. */
  localActions?: string[];
  onLocalAction?: (action: string) => void;
}

/** The request of ACTION with what the form holds: only the fields the action's form asks for. */
export function actionRequest(type: ItemType, action: string, v: FormValues, ifMatch: string | null): ActionRequest | null {
  const spec = specOf(type, action);
  if (!spec) return null;
  const body: Partial<Record<Field, string | number>> = {};
  const has = (f: Field) => spec.fields.includes(f);
  if (has("note") && v.note) body.note = v.note.trim();
  if (has("progress") && v.progress !== undefined && v.progress !== null) body.progress = v.progress;
  // Where the form offers both, only the one chosen is sent (the API takes exactly one).
  const mode: DueMode = has("due_at") && has("due_in_working_days") ? (v.due_mode ?? "date") : has("due_at") ? "date" : "working_days";
  if (has("due_at") && mode === "date" && v.due_at) body.due_at = v.due_at.toISOString();
  if (has("due_in_working_days") && mode === "working_days" && v.due_in_working_days) body.due_in_working_days = v.due_in_working_days;
  if (has("target_org_id") && v.target_org_id) body.target_org_id = v.target_org_id;
  if (has("rating") && v.rating) body.rating = v.rating;
  // The form asked for exactly the fields of this action's body (ACTION_SPECS is checked against it).
  if (type === "tasks" && isItemAction("tasks", action)) return { type, action, body: body as ActionBody<"tasks", TaskAction>, ifMatch };
  if (type === "issues" && isItemAction("issues", action)) return { type, action, body: body as ActionBody<"issues", IssueAction>, ifMatch };
  return null;
}

/** Why separation of duties refuses an action: in the interface's language, else the server's words. */
export function refusalReason(r: RefusedAction, t: (key: string, options: { defaultValue: string }) => string): string {
  return t(`separation.${r.case}`, { defaultValue: r.detail });
}

/**
 * Exactly the buttons in `allowed_actions`, each opening a short form; If-Match + Idempotency-Key on
 * submit. Those in `refused_actions` are shown disabled, their reason in a tooltip and for screen readers.
 */
export function ActionBar({ type, id, allowed, refused = [], etag, delegateTree, currentHandlerId, localActions = [], onLocalAction }: Props) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const mobile = useIsMobile();
  const [form] = Form.useForm<FormValues>();
  const [action, setAction] = useState<string | null>(null);
  const ns = type === "tasks" ? "taskAction" : "issueAction";
  const hintNs = type === "tasks" ? "taskActionHint" : "issueActionHint";

  // The fingerprint of a submission holds its If-Match: after a 412 (the item is reloaded),
  // the retry is a new request with a new key. A 412 reloads the item (useItemAction).
  const { submit, pending, error, clearError } = useIdempotentSubmit(useItemAction(type, id));

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
    const request = actionRequest(type, action, v, etag);
    if (!request) return;
    try {
      await submit(request);
      message.success(t("common.done"));
      setAction(null);
      form.resetFields();
    } catch (err) {
      // Keep the dialog and everything typed in it.
      form.setFields(fieldErrors(err).map((f) => ({ name: f.name as keyof FormValues, errors: f.errors })));
    }
  };

  const spec = action ? specOf(type, action) : null;
  // The server's allowed actions that this client has a route for, and the local ones this page handles.
  const visible = allowed.filter((a) => (LOCAL_ACTIONS.has(a) ? localActions.includes(a) : isItemAction(type, a)));
  const withheld = refused.filter((r) => isItemAction(type, r.action) && !visible.includes(r.action));
  if (!visible.length && !withheld.length) return null;
  const req = (f: Field) => !!spec?.required.includes(f);
  const eitherDue = !!spec?.fields.includes("due_at") && !!spec.fields.includes("due_in_working_days");

  return (
    <>
      <Space wrap size={[8, 8]} data-testid="action-bar" style={{ width: mobile ? "100%" : undefined }}>
        {visible.map((a) => {
          const s = specOf(type, a);
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
        {withheld.map((r) => {
          const reason = refusalReason(r, t);
          const reasonId = `refused-${id}-${r.action}`;
          return (
            // The tooltip wraps a span: it hovers where a disabled button would not, and leaves the
            // button's own description alone.
            <Tooltip key={r.action} title={reason}>
              <span style={{ display: "inline-block" }}>
                <Button data-action={r.action} data-refused={r.case} disabled aria-describedby={reasonId} size={mobile ? "large" : "middle"}>
                  {t(`${ns}.${r.action}`, { defaultValue: r.action })}
                </Button>
                <span id={reasonId} hidden>
                  {reason}
                </span>
              </span>
            </Tooltip>
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
            <Form.Item name="progress" label={t("task.progress")} rules={[{ required: req("progress"), message: t("common.required") }, { type: "number", min: 0, max: 100 }]}>
              <InputNumber min={0} max={100} addonAfter="%" style={{ width: "100%" }} size={mobile ? "large" : "middle"} />
            </Form.Item>
          )}
          {eitherDue && (
            <Form.Item name="due_mode" label={t("task.dueAt")} initialValue="date">
              <Radio.Group optionType="button" data-testid="due-mode">
                <Radio.Button value="date">{t("task.dueByDate")}</Radio.Button>
                <Radio.Button value="working_days">{t("task.dueInWorkingDays")}</Radio.Button>
              </Radio.Group>
            </Form.Item>
          )}
          <Form.Item noStyle dependencies={["due_mode"]}>
            {({ getFieldValue }) => {
              const mode = (getFieldValue("due_mode") as DueMode | undefined) ?? "date";
              return (
                <>
                  {spec?.fields.includes("due_at") && (!eitherDue || mode === "date") && (
                    <Form.Item
                      name="due_at"
                      label={eitherDue ? t("task.newDueDate") : t("task.dueAt")}
                      rules={[{ required: eitherDue || req("due_at"), message: t("common.required") }]}
                    >
                      <DatePicker showTime style={{ width: "100%" }} size={mobile ? "large" : "middle"} inputReadOnly={mobile} />
                    </Form.Item>
                  )}
                  {spec?.fields.includes("due_in_working_days") && (!eitherDue || mode === "working_days") && (
                    <Form.Item
                      name="due_in_working_days"
                      label={t("task.workingDays")}
                      extra={t("task.workingDaysHint")}
                      rules={[
                        { required: eitherDue || req("due_in_working_days"), message: t("common.required") },
                        { type: "number", min: 1, max: WORKING_DAYS_MAX, message: t("task.workingDaysRange", { max: WORKING_DAYS_MAX }) },
                      ]}
                    >
                      <InputNumber precision={0} style={{ width: "100%" }} size={mobile ? "large" : "middle"} data-testid="due-working-days" />
                    </Form.Item>
                  )}
                </>
              );
            }}
          </Form.Item>
          {spec?.fields.includes("note") && (
            <Form.Item
              name="note"
              label={t("common.note")}
              rules={[{ required: req("note"), whitespace: true, message: t("common.required") }]}
            >
              <Input.TextArea rows={4} maxLength={NOTE_MAX_LENGTH} showCount data-testid="action-note" />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}
