import { Alert, App as AntApp, Button, DatePicker, Drawer, Form, Input, Radio, Space } from "antd";
import { useQueryClient } from "@tanstack/react-query";
import dayjs, { type Dayjs } from "dayjs";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { isApiError } from "../api/http";
import { fieldErrors } from "../api/problem";
import { fetchItem, keys, useEditItem, type ItemUpdate } from "../api/queries";
import {
  ISSUE_CATEGORIES,
  ISSUE_SEVERITIES,
  TASK_PRIORITIES,
  TASK_SOURCES,
  type Issue,
  type IssueUpdate,
  type ItemType,
  type Task,
  type TaskUpdate,
} from "../api/workitems";
import { useIsMobile } from "../hooks/useIsMobile";
import { formatDateTime } from "../lib/format";
import { FormSelect } from "./FormSelect";
import { ProblemAlert } from "./ProblemAlert";
import { TEXT_MAX_LENGTH, TITLE_MAX_LENGTH } from "../api/limits";

/** The editable fields of each kind of item, in form order. */
const TASK_FIELDS = ["title", "description", "due_at", "priority", "source"] as const;
const ISSUE_FIELDS = ["title", "description", "category", "severity"] as const;
type Field = (typeof TASK_FIELDS)[number] | (typeof ISSUE_FIELDS)[number];

export interface EditValues {
  title?: string;
  description?: string;
  due_at?: Dayjs | null;
  priority?: string;
  source?: string;
  category?: string;
  severity?: string;
}

function fieldsOf(type: ItemType): readonly Field[] {
  return type === "tasks" ? TASK_FIELDS : ISSUE_FIELDS;
}

/** The form's view of an item. */
export function valuesOf(type: ItemType, item: Task | Issue): EditValues {
  if (type === "tasks") {
    const t = item as Task;
    return { title: t.title, description: t.description ?? "", due_at: dayjs(t.due_at), priority: t.priority, source: t.source };
  }
  const i = item as Issue;
  return { title: i.title, description: i.description ?? "", category: i.category, severity: i.severity };
}

/** Comparable form of one field's value (dates by instant, text trimmed). */
function norm(field: Field, v: EditValues[Field]): string {
  if (v === undefined || v === null) return "";
  if (field === "due_at") return String(dayjs(v as Dayjs).valueOf());
  return String(v).trim();
}

export function sameValue(field: Field, a: EditValues, b: EditValues): boolean {
  return norm(field, a[field]) === norm(field, b[field]);
}

/** Only what the user changed relative to BASE: the PATCH body. */
export function changedBody(type: ItemType, values: EditValues, base: EditValues): TaskUpdate | IssueUpdate {
  const body: Record<string, string> = {};
  for (const f of fieldsOf(type)) {
    if (sameValue(f, values, base)) continue;
    const v = values[f];
    if (f === "due_at") body[f] = (v as Dayjs).toISOString();
    else body[f] = String(v ?? "").trim();
  }
  // The keys are the kind's editable fields, the values what the form's controls offer (TASK_FIELDS, ISSUE_FIELDS).
  return body as TaskUpdate | IssueUpdate;
}

function update(type: ItemType, body: TaskUpdate | IssueUpdate): ItemUpdate {
  return type === "tasks" ? { type, body: body as TaskUpdate } : { type, body: body as IssueUpdate };
}

/**
 * After a 412: fields the user left alone take the server's new value; fields the user changed keep
 * what was typed. Returns the merged values and the fields both sides changed (conflicts).
 */
export function rebase(type: ItemType, typed: EditValues, oldBase: EditValues, fresh: EditValues): { values: EditValues; conflicts: Field[] } {
  const values: EditValues = { ...typed };
  const conflicts: Field[] = [];
  for (const f of fieldsOf(type)) {
    const userChanged = !sameValue(f, typed, oldBase);
    const serverChanged = !sameValue(f, fresh, oldBase);
    if (!userChanged) (values as Record<string, unknown>)[f] = fresh[f];
    else if (serverChanged && !sameValue(f, typed, fresh)) conflicts.push(f);
  }
  return { values, conflicts };
}

const LABEL: Record<ItemType, Record<string, string>> = {
  tasks: { title: "task.fieldTitle", description: "task.description", due_at: "task.dueAt", priority: "task.priority", source: "task.source" },
  issues: { title: "issue.fieldTitle", description: "issue.description", category: "issue.category", severity: "issue.severity" },
};

interface Props {
  type: ItemType;
  item: Task | Issue;
  etag: string | null;
  open: boolean;
  onClose: () => void;
}

/**
 * The edit form of a task or issue (PATCH with If-Match). A drawer on desks, full screen on phones,
 * one column. When someone else changed the item meanwhile (412), the item is reloaded, what the
 * user typed is kept, untouched fields take the new values, and the user is told what clashed.
 */
export function EditItemDrawer({ type, item, etag, open, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const { message } = AntApp.useApp();
  const mobile = useIsMobile();
  const qc = useQueryClient();
  const [form] = Form.useForm<EditValues>();
  // What the form was based on: the item's values and version when opened (or last reloaded).
  const base = useRef<{ values: EditValues; etag: string | null }>({ values: valuesOf(type, item), etag });
  const edit = useEditItem(type, item.id);
  const [error, setError] = useState<unknown>(null);
  const [stale, setStale] = useState<{ conflicts: Field[]; fresh: EditValues } | null>(null);

  // Opening takes the item as it is now; while open, background reloads never overwrite the form.
  useEffect(() => {
    if (!open) return;
    const values = valuesOf(type, item);
    base.current = { values, etag };
    form.resetFields();
    form.setFieldsValue(values);
    setError(null);
    setStale(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const reload = async () => {
    const fresh = await qc.fetchQuery({ queryKey: keys.item(type, item.id), queryFn: () => fetchItem(type, item.id), staleTime: 0 });
    const typed = form.getFieldsValue(true) as EditValues;
    const freshValues = valuesOf(type, fresh.data);
    const { values, conflicts } = rebase(type, typed, base.current.values, freshValues);
    base.current = { values: freshValues, etag: fresh.etag };
    form.setFieldsValue(values);
    setStale({ conflicts, fresh: freshValues });
  };

  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const typed = form.getFieldsValue(true) as EditValues;
    const body = changedBody(type, typed, base.current.values);
    if (Object.keys(body).length === 0) {
      message.info(t("edit.nothingChanged"));
      onClose();
      return;
    }
    setError(null);
    try {
      await edit.mutateAsync({ update: update(type, body), ifMatch: base.current.etag });
      message.success(t("edit.saved"));
      setStale(null);
      onClose();
    } catch (err) {
      if (isApiError(err, 412)) {
        try {
          await reload();
        } catch (reloadErr) {
          setError(reloadErr);
        }
      } else {
        setError(err);
        form.setFields(fieldErrors(err).map((f) => ({ name: f.name as keyof EditValues, errors: f.errors })));
      }
    }
  };

  const label = (f: Field) => t(LABEL[type][f] ?? f);
  const show = (f: Field, v: EditValues[Field]): string => {
    if (v === undefined || v === null || v === "") return "—";
    if (f === "due_at") return formatDateTime((v as Dayjs).toISOString(), i18n.language);
    if (f === "priority") return t(`priority.${String(v)}`);
    if (f === "source") return t(`source.${String(v)}`);
    if (f === "category") return t(`category.${String(v)}`);
    if (f === "severity") return t(`severity.${String(v)}`);
    const s = String(v);
    return s.length > 60 ? `${s.slice(0, 60)}…` : s;
  };
  const size = mobile ? "large" : "middle";
  const required = { required: true, whitespace: true, message: t("common.required") };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={type === "tasks" ? t("edit.taskTitle") : t("edit.issueTitle")}
      placement={mobile ? "bottom" : "right"}
      width={mobile ? undefined : 520}
      height={mobile ? "100%" : undefined}
      forceRender
      data-testid="edit-drawer"
      footer={
        <Space style={{ width: "100%", justifyContent: "flex-end" }}>
          <Button onClick={onClose} size={size}>
            {t("common.cancel")}
          </Button>
          <Button type="primary" onClick={() => void save()} loading={edit.isPending} size={size} data-testid="edit-save">
            {t("common.save")}
          </Button>
        </Space>
      }
    >
      {stale && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          data-testid="edit-stale"
          style={{ marginBottom: 16 }}
          message={t("edit.stale")}
          description={
            stale.conflicts.length ? (
              <>
                <div>{t("edit.conflicts")}</div>
                <ul style={{ margin: "4px 0 0", paddingInlineStart: 20 }}>
                  {stale.conflicts.map((f) => (
                    <li key={f}>
                      {t("edit.conflictField", { field: label(f), value: show(f, stale.fresh[f]) })}
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              t("edit.staleKept")
            )
          }
        />
      )}
      <ProblemAlert error={error} />
      <Form<EditValues> form={form} layout="vertical" size={size} requiredMark data-testid="edit-form">
        <Form.Item name="title" label={label("title")} rules={[required, { max: TITLE_MAX_LENGTH }]}>
          <Input maxLength={TITLE_MAX_LENGTH} />
        </Form.Item>
        <Form.Item name="description" label={label("description")} rules={type === "issues" ? [required] : []}>
          <Input.TextArea rows={5} maxLength={TEXT_MAX_LENGTH} />
        </Form.Item>
        {type === "tasks" ? (
          <>
            <Form.Item name="due_at" label={label("due_at")} rules={[{ required: true, message: t("common.required") }]}>
              <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" style={{ width: "100%" }} inputReadOnly={mobile} />
            </Form.Item>
            <Form.Item name="priority" label={label("priority")}>
              <Radio.Group optionType="button" buttonStyle="solid" options={TASK_PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))} />
            </Form.Item>
            <Form.Item name="source" label={label("source")}>
              <FormSelect options={TASK_SOURCES.map((s) => ({ value: s, label: t(`source.${s}`) }))} />
            </Form.Item>
          </>
        ) : (
          <>
            <Form.Item name="category" label={label("category")}>
              <FormSelect options={ISSUE_CATEGORIES.map((c) => ({ value: c, label: t(`category.${c}`) }))} />
            </Form.Item>
            <Form.Item name="severity" label={label("severity")} extra={t("edit.severityHint")}>
              <FormSelect options={ISSUE_SEVERITIES.map((s) => ({ value: s, label: t(`severity.${s}`) }))} />
            </Form.Item>
          </>
        )}
      </Form>
    </Drawer>
  );
}
