import { App as AntApp, Button, Empty, Form, Input, List, Rate, Skeleton, Space, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { useAddFeedback, useFeedback } from "../api/queries";
import type { FeedbackKind, ItemType } from "../api/workitems";
import { useIdempotentSubmit } from "../hooks/useIdempotentSubmit";
import { formatDateTime } from "../lib/format";
import { FormSelect } from "./FormSelect";
import { ProblemAlert } from "./ProblemAlert";
import { NOTE_MAX_LENGTH } from "../api/limits";

/** The kinds a person posts here ("completion" comes with a task's submission). */
const POSTABLE = ["comment", "progress", "review", "satisfaction"] as const satisfies readonly FeedbackKind[];

/** The feedback thread of a task or issue, with a form to add to it. */
export function FeedbackThread({ type, id, canPost = true }: { type: ItemType; id: string; canPost?: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = AntApp.useApp();
  const q = useFeedback(type, id);
  const [form] = Form.useForm<{ kind: FeedbackKind; body: string; rating?: number }>();
  const kind = Form.useWatch("kind", form);
  const { submit, pending, error } = useIdempotentSubmit(useAddFeedback(type, id));

  const onFinish = async (v: { kind: FeedbackKind; body: string; rating?: number }) => {
    try {
      const body = v.body.trim();
      // Only satisfaction feedback carries a rating (the form requires it there).
      await submit(v.kind === "satisfaction" ? { kind: v.kind, body, rating: v.rating ?? 0 } : { kind: v.kind, body });
      form.resetFields(["body", "rating"]);
      message.success(t("feedback.sent"));
    } catch {
      /* the error is shown; the text stays in the box */
    }
  };

  return (
    <div data-testid="feedback-thread">
      {q.isLoading ? (
        <Skeleton active />
      ) : q.error ? (
        <ProblemAlert error={q.error} onRetry={() => void q.refetch()} />
      ) : !q.data?.length ? (
        <Empty description={t("feedback.empty")} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <List
          dataSource={[...q.data].sort((a, b) => a.created_at.localeCompare(b.created_at))}
          renderItem={(f) => (
            <List.Item key={f.id}>
              <List.Item.Meta
                title={
                  <Space wrap>
                    <Typography.Text strong>{t(`feedbackKind.${f.kind}`)}</Typography.Text>
                    {f.rating ? <Rate disabled value={f.rating} style={{ fontSize: 14 }} /> : null}
                    <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                      {[f.author_name, f.org_name].filter(Boolean).join(" · ")} · {formatDateTime(f.created_at, i18n.language)}
                    </Typography.Text>
                  </Space>
                }
                description={<span style={{ whiteSpace: "pre-wrap", color: "rgba(0,0,0,0.85)" }}>{f.body}</span>}
              />
            </List.Item>
          )}
        />
      )}
      {canPost && (
        <Form form={form} layout="vertical" onFinish={(v) => void onFinish(v)} initialValues={{ kind: "comment" }} style={{ marginTop: 12 }}>
          <ProblemAlert error={error} />
          <Form.Item name="kind" label={t("feedback.kind")}>
            <FormSelect options={POSTABLE.map((k) => ({ value: k, label: t(`feedbackKind.${k}`) }))} />
          </Form.Item>
          {kind === "satisfaction" && (
            <Form.Item name="rating" label={t("feedback.rating")} rules={[{ required: true, message: t("issue.ratingRequired") }]}>
              <Rate />
            </Form.Item>
          )}
          <Form.Item name="body" label={t("feedback.body")} rules={[{ required: true, whitespace: true, message: t("common.required") }]}>
            <Input.TextArea rows={3} placeholder={t("feedback.placeholder")} maxLength={NOTE_MAX_LENGTH} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={pending}>
            {t("feedback.send")}
          </Button>
        </Form>
      )}
    </div>
  );
}
