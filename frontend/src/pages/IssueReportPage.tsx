import { App as AntApp, Button, Card, Form, Input, Radio } from "antd";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router-dom";
import { fieldErrors } from "../api/problem";
import { useCreateIssue } from "../api/queries";
import { ISSUE_CATEGORIES, ISSUE_SEVERITIES, type IssueCategory, type IssueSeverity } from "../api/workitems";
import { useCan } from "../auth/AuthProvider";
import { FormRadioGroup, FormSelect } from "../components/FormSelect";
import { ProblemAlert } from "../components/ProblemAlert";
import { useDraft } from "../hooks/useDraft";
import { useIdempotentSubmit } from "../hooks/useIdempotentSubmit";
import { TEXT_MAX_LENGTH, TITLE_MAX_LENGTH } from "../api/limits";

interface Values {
  reporter_org_id: string;
  category: IssueCategory;
  severity: IssueSeverity;
  title: string;
  description: string;
}

/** "Report a problem", built for a phone at a site: big choices, one column, the unit preselected. */
export function IssueReportPage() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const { grantsWith } = useCan();
  const units = grantsWith("issue.create");
  const [form] = Form.useForm<Values>();
  const draft = useDraft<Values>("issue-report");
  const { submit, pending, error } = useIdempotentSubmit(useCreateIssue());

  const onFinish = async (v: Values) => {
    try {
      const issue = await submit({
        title: v.title.trim(),
        description: v.description.trim(),
        category: v.category,
        severity: v.severity,
        reporter_org_id: v.reporter_org_id,
      });
      draft.clear();
      message.success(t("issue.reported"));
      navigate(`/issues/${issue.id}`);
    } catch (err) {
      form.setFields(fieldErrors(err).map((f) => ({ name: f.name as keyof Values, errors: f.errors })));
    }
  };

  return (
    <>
      <div className="page-header">
        <h1>{t("issue.reportTitle")}</h1>
      </div>
      <Card style={{ maxWidth: 640 }}>
        <ProblemAlert error={error} />
        <Form<Values>
          form={form}
          layout="vertical"
          size="large"
          onFinish={(v) => void onFinish(v)}
          onValuesChange={(_, all) => draft.save(all)}
          initialValues={{ reporter_org_id: units[0]?.org_id, severity: "normal", ...draft.initial }}
          data-testid="issue-form"
        >
          <Form.Item name="reporter_org_id" label={t("issue.reportAs")} rules={[{ required: true, message: t("common.required") }]} hidden={units.length < 2}>
            <FormSelect options={units.map((g) => ({ value: g.org_id, label: g.org_name }))} />
          </Form.Item>
          {units.length === 1 && (
            <p>
              {t("common.labelled", { label: t("issue.reportAs"), value: "" })}
              <strong>{units[0]?.org_name}</strong>
            </p>
          )}
          <Form.Item name="category" label={t("issue.category")} rules={[{ required: true, message: t("common.required") }]}>
            <FormRadioGroup style={{ display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(96px, 1fr))", gap: 8 }}>
              {ISSUE_CATEGORIES.map((c) => (
                <Radio.Button key={c} value={c} style={{ textAlign: "center", borderRadius: 6, height: 48, lineHeight: "46px" }} data-category={c}>
                  {t(`category.${c}`)}
                </Radio.Button>
              ))}
            </FormRadioGroup>
          </Form.Item>
          <Form.Item name="severity" label={t("issue.severity")} rules={[{ required: true, message: t("common.required") }]}>
            <FormRadioGroup style={{ display: "grid", gridTemplateColumns: "repeat(4, 1fr)", gap: 8 }}>
              {ISSUE_SEVERITIES.map((s) => (
                <Radio.Button key={s} value={s} style={{ textAlign: "center", borderRadius: 6, height: 48, lineHeight: "46px" }} data-severity={s}>
                  {t(`severity.${s}`)}
                </Radio.Button>
              ))}
            </FormRadioGroup>
          </Form.Item>
          <Form.Item name="title" label={t("issue.fieldTitle")} rules={[{ required: true, whitespace: true, message: t("common.required") }]}>
            <Input maxLength={TITLE_MAX_LENGTH} />
          </Form.Item>
          <Form.Item name="description" label={t("issue.description")} rules={[{ required: true, whitespace: true, message: t("common.required") }]}>
            <Input.TextArea rows={5} maxLength={TEXT_MAX_LENGTH} placeholder={t("issue.descriptionPlaceholder")} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={pending} data-testid="issue-submit" style={{ height: 52 }}>
            {t("common.submit")}
          </Button>
        </Form>
      </Card>
    </>
  );
}
