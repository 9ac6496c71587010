import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { App as AntApp, Button, Card, DatePicker, Form, Input, Radio, Skeleton, Space, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router-dom";
import { fieldErrors, isNotFound } from "../api/problem";
import { useAssignable, useCreateTask, useTask } from "../api/queries";
import { TASK_PRIORITIES, TASK_SOURCES, type TaskCreate, type TaskPriority, type TaskSource } from "../api/workitems";
import { useCan } from "../auth/AuthProvider";
import { NotFound } from "../components/NotFound";
import { OrgTreeSelect } from "../components/OrgTreeSelect";
import { FormSelect } from "../components/FormSelect";
import { ProblemAlert } from "../components/ProblemAlert";
import { newKey, stableStringify, useIdempotentSubmit } from "../hooks/useIdempotentSubmit";
import { useIsMobile } from "../hooks/useIsMobile";
import { TEXT_MAX_LENGTH, TITLE_MAX_LENGTH } from "../api/limits";

interface Values {
  issuer_org_id: string;
  assignee_org_id: string;
  title: string;
  description: string;
  due_at: Dayjs;
  priority: TaskPriority;
  source: TaskSource;
}

interface SplitRow {
  assignee_org_id?: string;
  title?: string;
  due_at?: Dayjs;
}

function CreateForm() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const mobile = useIsMobile();
  const { grantsWith } = useCan();
  const issuers = grantsWith("task.create");
  const [form] = Form.useForm<Values>();
  const issuer = Form.useWatch("issuer_org_id", form) ?? issuers[0]?.org_id;
  const assignable = useAssignable(issuer);
  const { submit, pending, error } = useIdempotentSubmit(useCreateTask());

  const onFinish = async (v: Values) => {
    try {
      const task = await submit({
        title: v.title.trim(),
        description: (v.description ?? "").trim(),
        issuer_org_id: v.issuer_org_id,
        assignee_org_id: v.assignee_org_id,
        due_at: v.due_at.toISOString(),
        priority: v.priority,
        source: v.source,
      });
      message.success(t("task.created"));
      navigate(`/tasks/${task.id}`);
    } catch (err) {
      form.setFields(fieldErrors(err).map((f) => ({ name: f.name as keyof Values, errors: f.errors })));
    }
  };

  return (
    <Card style={{ maxWidth: 720 }}>
      <ProblemAlert error={error} />
      <Form<Values>
        form={form}
        layout="vertical"
        size={mobile ? "large" : "middle"}
        onFinish={(v) => void onFinish(v)}
        initialValues={{ issuer_org_id: issuers[0]?.org_id, priority: "normal", source: "dispatch", due_at: dayjs().add(7, "day").hour(18).minute(0).second(0) }}
        data-testid="task-form"
      >
        <Form.Item name="issuer_org_id" label={t("task.issuerFrom")} rules={[{ required: true, message: t("common.required") }]}>
          <FormSelect options={issuers.map((g) => ({ value: g.org_id, label: `${g.org_name} · ${t(`role.${g.role}`)}` }))} />
        </Form.Item>
        <Form.Item name="assignee_org_id" label={t("task.assignee")} extra={t("task.assigneeHint")} rules={[{ required: true, message: t("common.required") }]}>
          <OrgTreeSelect options={assignable.data ?? []} size={mobile ? "large" : "middle"} aria-label={t("task.assignee")} />
        </Form.Item>
        <Form.Item name="title" label={t("task.fieldTitle")} rules={[{ required: true, whitespace: true, message: t("common.required") }, { max: TITLE_MAX_LENGTH }]}>
          <Input maxLength={TITLE_MAX_LENGTH} />
        </Form.Item>
        <Form.Item name="description" label={t("task.description")}>
          <Input.TextArea rows={4} maxLength={TEXT_MAX_LENGTH} />
        </Form.Item>
        <Form.Item name="due_at" label={t("task.dueAt")} rules={[{ required: true, message: t("common.required") }]}>
          <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" style={{ width: "100%" }} inputReadOnly={mobile} />
        </Form.Item>
        <Form.Item name="priority" label={t("task.priority")}>
          <Radio.Group optionType="button" buttonStyle="solid" options={TASK_PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))} />
        </Form.Item>
        <Form.Item name="source" label={t("task.source")}>
          <FormSelect options={TASK_SOURCES.map((s) => ({ value: s, label: t(`source.${s}`) }))} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={pending} data-testid="task-submit">
            {t("common.submit")}
          </Button>
          <Button onClick={() => navigate(-1)}>{t("common.cancel")}</Button>
        </Space>
      </Form>
    </Card>
  );
}

function SplitForm({ parentId }: { parentId: string }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const mobile = useIsMobile();
  const parent = useTask(parentId);
  const create = useCreateTask();
  const issuer = parent.data?.data.assignee_org_id;
  const assignable = useAssignable(issuer, parentId);
  const [form] = Form.useForm<{ rows: SplitRow[]; description: string }>();
  const keys = useRef(new Map<string, { key: string; body: string }>());
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const initialDue = useMemo(() => (parent.data?.data.due_at ? dayjs(parent.data.data.due_at) : dayjs().add(7, "day")), [parent.data]);

  if (parent.isLoading) return <Skeleton active />;
  if (isNotFound(parent.error)) return <NotFound />;
  if (!parent.data) return <ProblemAlert error={parent.error} />;
  const p = parent.data.data;

  const onFinish = async (v: { rows: SplitRow[]; description: string }) => {
    setPending(true);
    setError(null);
    const remaining: SplitRow[] = [];
    for (const row of v.rows) {
      const body: TaskCreate = {
        title: (row.title ?? "").trim(),
        description: (v.description ?? "").trim(),
        issuer_org_id: p.assignee_org_id,
        assignee_org_id: row.assignee_org_id as string,
        due_at: (row.due_at as Dayjs).toISOString(),
        priority: p.priority,
        source: p.source,
        parent_id: p.id,
      };
      const fp = stableStringify(body);
      // Each subtask keeps its own Idempotency-Key until it is created, so a retry creates only the missing ones.
      const known = keys.current.get(fp) ?? { key: newKey(), body: fp };
      keys.current.set(fp, known);
      try {
        await create.mutateAsync({ body, key: known.key });
        keys.current.delete(fp);
      } catch (err) {
        setError(err);
        remaining.push(row);
      }
    }
    setPending(false);
    if (remaining.length) {
      // Keep only the rows that failed, exactly as typed.
      form.setFieldsValue({ rows: remaining });
    } else {
      message.success(t("task.created"));
      navigate(`/tasks/${p.id}`);
    }
  };

  return (
    <Card style={{ maxWidth: 820 }}>
      <Typography.Paragraph>
        {t("common.labelled", { label: t("task.parent"), value: "" })}
        <strong>{p.title}</strong> · {t("common.labelled", { label: t("task.issuer"), value: p.assignee_org_name })}
      </Typography.Paragraph>
      <ProblemAlert error={error} />
      <Form form={form} layout="vertical" size={mobile ? "large" : "middle"} onFinish={(v) => void onFinish(v)} initialValues={{ description: p.description, rows: [{ title: p.title, due_at: initialDue }] }}>
        <Form.List name="rows">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Card key={f.key} size="small" style={{ marginBottom: 12 }}>
                  <Form.Item name={[f.name, "assignee_org_id"]} label={t("task.assignee")} rules={[{ required: true, message: t("common.required") }]}>
                    <OrgTreeSelect options={assignable.data ?? []} size={mobile ? "large" : "middle"} />
                  </Form.Item>
                  <Form.Item name={[f.name, "title"]} label={t("task.fieldTitle")} rules={[{ required: true, whitespace: true, message: t("common.required") }]}>
                    <Input maxLength={TITLE_MAX_LENGTH} />
                  </Form.Item>
                  <Form.Item name={[f.name, "due_at"]} label={t("task.dueAt")} rules={[{ required: true, message: t("common.required") }]}>
                    <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" style={{ width: "100%" }} inputReadOnly={mobile} />
                  </Form.Item>
                  {fields.length > 1 && (
                    <Button danger icon={<DeleteOutlined />} onClick={() => remove(f.name)}>
                      {t("task.removeSubtask")}
                    </Button>
                  )}
                </Card>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ title: p.title, due_at: initialDue })} style={{ marginBottom: 16 }}>
                {t("task.addSubtask")}
              </Button>
            </>
          )}
        </Form.List>
        <Form.Item name="description" label={t("task.description")}>
          <Input.TextArea rows={3} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={pending}>
            {t("common.submit")}
          </Button>
          <Button onClick={() => navigate(-1)}>{t("common.cancel")}</Button>
        </Space>
      </Form>
    </Card>
  );
}

export function TaskCreatePage({ split = false }: { split?: boolean }) {
  const { t } = useTranslation();
  const { id } = useParams();
  return (
    <>
      <div className="page-header">
        <h1>{split ? t("task.splitTitle") : t("task.newTitle")}</h1>
      </div>
      {split && id ? <SplitForm parentId={id} /> : <CreateForm />}
    </>
  );
}
