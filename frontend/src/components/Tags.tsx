import { Tag } from "antd";
import { useTranslation } from "react-i18next";
import type { Colour, IssueStatus, TaskStatus } from "../api/workitems";
import { formatDateTime, urgencyOf } from "../lib/format";

const TASK_COLORS: Record<TaskStatus, string> = {
  issued: "blue",
  accepted: "cyan",
  in_progress: "geekblue",
  submitted: "purple",
  done: "green",
  returned: "magenta",
  cancelled: "default",
};
const ISSUE_COLORS: Record<IssueStatus, string> = {
  open: "purple",
  acknowledged: "blue",
  resolved: "green",
  closed: "default",
};

export function TaskStatusTag({ status }: { status: TaskStatus }) {
  const { t } = useTranslation();
  return <Tag color={TASK_COLORS[status] ?? "default"}>{t(`status.task.${status}`)}</Tag>;
}

export function IssueStatusTag({ status }: { status: IssueStatus }) {
  const { t } = useTranslation();
  return <Tag color={ISSUE_COLORS[status] ?? "default"}>{t(`status.issue.${status}`)}</Tag>;
}

/** The due date, red when overdue and amber when due within 48 hours (always shown, with words, not colour alone). */
export function DueTag({ item, label }: { item: { overdue?: boolean; due_soon?: boolean; due_at?: string | null; status?: string }; label?: string }) {
  const { t, i18n } = useTranslation();
  const u = urgencyOf(item);
  const date = item.due_at ? formatDateTime(item.due_at, i18n.language) : t("due.none");
  if (u === "overdue")
    return (
      <Tag color="error" data-urgency="overdue">
        {t("due.overdue")} · {date}
      </Tag>
    );
  if (u === "dueSoon")
    return (
      <Tag color="warning" data-urgency="due-soon">
        {t("due.dueSoon")} · {date}
      </Tag>
    );
  return <span data-urgency="normal">{label ? t("common.labelled", { label, value: date }) : date}</span>;
}

const COLOUR_TAGS: Record<Colour, string> = { red: "red", yellow: "gold", blue: "blue", green: "green" };

/** 亮灯: a coloured dot with its word (never colour alone), its meaning as the tooltip. */
export function ColourTag({ colour }: { colour: Colour }) {
  const { t } = useTranslation();
  return (
    <Tag color={COLOUR_TAGS[colour]} data-colour={colour} title={t(`colour.hint.${colour}`)}>
      <span className={`colour-dot colour-dot-${colour}`} aria-hidden="true" />
      {t(`colour.${colour}`)}
    </Tag>
  );
}
