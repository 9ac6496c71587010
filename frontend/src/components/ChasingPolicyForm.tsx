import { Alert, App as AntApp, Button, Form, InputNumber, Select, Space, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { CHASING_STEPS, useChasingPolicy, usePutChasingPolicy, type ChasingPolicy, type ChasingStep } from "../api/chasing";
import { CHASING_DAYS_MAX } from "../api/limits";
import { fieldErrors } from "../api/problem";
import { useScopeTrees } from "../api/queries";
import { useAuth, useCan } from "../auth/AuthProvider";
import { formatDateTime } from "../lib/format";
import { ProblemAlert } from "./ProblemAlert";

type Steps = Record<ChasingStep, number>;

const LABELS: Record<ChasingStep, string> = {
  reminder_days_before: "admin.reminderDaysBefore",
  notice_days_after: "admin.noticeDaysAfter",
  circular_days_after: "admin.circularDaysAfter",
  supervision_days_after: "admin.supervisionDaysAfter",
};

function stepsOf(p: ChasingPolicy): Steps {
  return Object.fromEntries(CHASING_STEPS.map((s) => [s, p[s]])) as Steps;
}

/**
 * A root unit's chasing ladder (GET/PUT /chasing-policy). Everyone signed in reads it; only an
 * admin whose grant is at the root itself may change it (the API's rule), so others see it read-only.
 * The checks are the API's: whole working days 0-30, notice < circular < supervision.
 */
export function ChasingPolicyForm() {
  const { t, i18n } = useTranslation();
  const { message } = AntApp.useApp();
  const { me } = useAuth();
  const { grantsWith } = useCan();
  const { trees, isLoading } = useScopeTrees();
  const roots = grantsWith("chasing.manage").filter((g) => g.role === "admin" && trees.some((tr) => tr.id === g.org_id && tr.parent_id === null));
  const [chosen, setChosen] = useState<string | null>(null);
  // Which root is mine to set is known once my units' trees are: ask for its policy then.
  const policy = useChasingPolicy(chosen ?? roots[0]?.org_id ?? null, !!me && !isLoading);
  const put = usePutChasingPolicy();
  const [form] = Form.useForm<Steps>();
  const data = policy.data;
  const editable = !!data && roots.some((g) => g.org_id === data.root_org_id);

  useEffect(() => {
    if (data) form.setFieldsValue(stepsOf(data));
  }, [data, form]);

  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v || !data) return;
    try {
      await put.mutateAsync({ root_org_id: data.root_org_id, ...v });
      message.success(t("admin.chasingSaved"));
    } catch (err) {
      form.setFields(fieldErrors(err).map((f) => ({ name: f.name as ChasingStep, errors: f.errors })));
    }
  };

  /** A step after the ladder's previous one (the reminder stands before the deadline, apart). */
  const after = (step: ChasingStep) => {
    const i = CHASING_STEPS.indexOf(step);
    if (i < 2) return [];
    const previous = CHASING_STEPS[i - 1]!;
    return [
      ({ getFieldValue }: { getFieldValue: (name: ChasingStep) => unknown }) => ({
        validator: async (_: unknown, value: unknown) => {
          const before = getFieldValue(previous);
          if (typeof value === "number" && typeof before === "number" && value <= before) throw new Error(t("admin.chasingOrder", { before: t(LABELS[previous]) }));
        },
      }),
    ];
  };

  return (
    <div data-testid="chasing-policy">
      <ProblemAlert error={policy.error ?? put.error} onRetry={() => void policy.refetch()} />
      <Typography.Paragraph type="secondary">{t("admin.chasingIntro")}</Typography.Paragraph>
      {roots.length > 1 && (
        <Form.Item label={t("admin.chasingRoot")}>
          <Select
            value={data?.root_org_id}
            onChange={(v: string) => setChosen(v)}
            options={roots.map((g) => ({ value: g.org_id, label: g.org_name }))}
            style={{ maxWidth: 320 }}
          />
        </Form.Item>
      )}
      {data && (
        <Space wrap style={{ marginBottom: 12 }}>
          <Typography.Text strong>{data.root_org_name}</Typography.Text>
          {data.is_default && <Tag>{t("admin.chasingDefault")}</Tag>}
          {data.updated_at && <Typography.Text type="secondary">{t("admin.chasingUpdated", { at: formatDateTime(data.updated_at, i18n.language) })}</Typography.Text>}
        </Space>
      )}
      {data && !editable && <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t("admin.chasingReadOnly")} />}
      <Form form={form} layout="vertical" disabled={!editable} style={{ maxWidth: 420 }} onFinish={() => void save()}>
        {CHASING_STEPS.map((step, i) => (
          <Form.Item
            key={step}
            name={step}
            label={t(LABELS[step])}
            dependencies={i >= 2 ? [CHASING_STEPS[i - 1]!] : []}
            rules={[
              { required: true, message: t("common.required") },
              { type: "integer", min: 0, max: CHASING_DAYS_MAX, message: t("admin.chasingRange", { max: CHASING_DAYS_MAX }) },
              ...after(step),
            ]}
          >
            <InputNumber precision={0} style={{ width: "100%" }} data-testid={`chasing-${step}`} />
          </Form.Item>
        ))}
        {editable && (
          <Button type="primary" htmlType="submit" loading={put.isPending} data-testid="chasing-save">
            {t("common.save")}
          </Button>
        )}
      </Form>
    </div>
  );
}
