import { Empty, Skeleton, Steps, Timeline, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { useEvents } from "../api/queries";
import type { Issue, ItemType, TimelineEvent } from "../api/workitems";
import { formatDateTime } from "../lib/format";
import { ProblemAlert } from "./ProblemAlert";

function str(v: unknown): string | undefined {
  return typeof v === "string" && v ? v : undefined;
}

/** Event fields, read from the top level or from `data` (tolerant of either shape). */
export function eventField(e: TimelineEvent, name: string): string | undefined {
  return str((e as unknown as Record<string, unknown>)[name]) ?? str(e.data?.[name]);
}

/** The event's verb with "-ed"/"d" and friends stripped: "escalated" -> "escalate". */
export function eventVerb(e: TimelineEvent): string {
  const raw = (e.action || "").toLowerCase();
  const map: Record<string, string> = {
    escalated: "escalate",
    delegated: "delegate",
    resolved: "resolve",
    closed: "close",
    reopened: "reopen",
    acknowledged: "acknowledge",
    accepted: "accept",
    started: "start",
    submitted: "submit",
    verified: "verify",
    returned: "return",
    cancelled: "cancel",
    canceled: "cancel",
    extension_requested: "request-extension",
    extension_approved: "approve-extension",
    extension_rejected: "reject-extension",
    request_extension: "request-extension",
    approve_extension: "approve-extension",
    reject_extension: "reject-extension",
    taken_over: "take-over",
    subtask: "split",
    update: "edit",
  };
  const cleaned = raw.replace(/^(task|issue)[._]/, "");
  return map[cleaned] ?? cleaned;
}

const CHANGED_FIELD: Record<ItemType, Record<string, string>> = {
  tasks: {
    title: "task.fieldTitle",
    description: "task.description",
    due_at: "task.dueAt",
    priority: "task.priority",
    source: "task.source",
    responsible_user_id: "task.responsible",
  },
  issues: { title: "issue.fieldTitle", description: "issue.description", category: "issue.category", severity: "issue.severity", due_at: "issue.dueAt" },
};

/** The labels of the fields an "update" event changed, in form order. */
export function changedFields(e: TimelineEvent, type: ItemType): string[] {
  const data = e.data ?? {};
  return Object.entries(CHANGED_FIELD[type])
    .filter(([field]) => field in data)
    .map(([, label]) => label);
}

/** A colour change's dot is the colour it turned. */
const COLOUR_DOTS: Record<string, string> = { red: "red", yellow: "#d48806", blue: "blue", green: "green" };
/** The units a chasing step reached (its event's `data.notified`). */
export function chaseRecipients(e: TimelineEvent): string[] {
  const notified = (e.data ?? {})["notified"];
  if (!Array.isArray(notified)) return [];
  return notified.map((n: unknown) => str((n as Record<string, unknown>)["org_name"])).filter((n): n is string => Boolean(n));
}

function color(verb: string): string {
  if (["escalate", "return", "reopen", "cancel", "reject-extension", "chase_circular", "chase_supervision", "supervise"].includes(verb)) return "red";
  if (["chase_reminder", "chase_notice"].includes(verb)) return "orange";
  if (["resolve", "verify", "close", "done", "approve-extension"].includes(verb)) return "green";
  if (verb === "feedback") return "gray";
  return "blue";
}

export function EventLine({ e, type }: { e: TimelineEvent; type: ItemType }) {
  const { t, i18n } = useTranslation();
  const verb = eventVerb(e);
  const ns = type === "tasks" ? "taskAction" : "issueAction";
  const to = eventField(e, "to_org_name");
  let label: string;
  if (verb === "created" || verb === "create") label = t("timeline.created");
  else if (verb === "escalate" && to) label = t("timeline.escalated", { to });
  else if (verb === "delegate" && to) label = t("timeline.delegated", { to });
  else if (verb === "take-over" && to) label = t("timeline.takenOver", { to });
  else if (verb === "colour_changed")
    label = t("colour.changed", { from: t(`colour.${eventField(e, "from") ?? ""}`, { defaultValue: "" }), to: t(`colour.${eventField(e, "to") ?? ""}`, { defaultValue: "" }) });
  else if (verb === "chase_acknowledged") label = t("timeline.chaseAcknowledged", { step: t(`timeline.chase.${eventField(e, "step") ?? ""}`) });
  else if (verb.startsWith("chase_")) label = t(`timeline.chase.${verb.slice("chase_".length)}`, { defaultValue: verb });
  else if (verb === "supervise") label = t("timeline.supervised");
  else if (verb === "feedback") label = t(`feedbackKind.${eventField(e, "kind") ?? "comment"}`, { defaultValue: t("timeline.feedback") });
  else label = t(`${ns}.${verb}`, { defaultValue: verb });
  const from = eventField(e, "from_status");
  const toStatus = eventField(e, "to_status");
  const statusNs = type === "tasks" ? "status.task" : "status.issue";
  const actor = eventField(e, "actor_name");
  const org = eventField(e, "org_name");
  const note = eventField(e, "note") ?? eventField(e, "body");
  const changed = verb === "edit" ? changedFields(e, type) : [];
  const notified = chaseRecipients(e);
  return (
    <div data-testid="timeline-event" data-verb={verb}>
      <Typography.Text strong>{label}</Typography.Text>
      {from && toStatus && from !== toStatus && (
        <Typography.Text type="secondary">
          {" "}
          ({t("timeline.moved", { from: t(`${statusNs}.${from}`, { defaultValue: from }), to: t(`${statusNs}.${toStatus}`, { defaultValue: toStatus }) })})
        </Typography.Text>
      )}
      <div style={{ fontSize: 13, color: "rgba(0,0,0,0.6)" }}>
        {formatDateTime(e.at, i18n.language)}
        {(actor || org) && ` · ${[actor, org].filter(Boolean).join(" · ")}`}
      </div>
      {changed.length > 0 && <div style={{ marginTop: 4 }}>{t("timeline.changed", { fields: changed.map((k) => t(k)).join(t("timeline.sep")) })}</div>}
      {notified.length > 0 && <div style={{ marginTop: 4 }}>{t("timeline.chaseTo", { units: notified.join(t("timeline.sep")) })}</div>}
      {note && <div style={{ whiteSpace: "pre-wrap", marginTop: 4 }}>{note}</div>}
    </div>
  );
}

/** The item's timeline (GET /{tasks|issues}/{id}/events), oldest first. */
export function ItemTimeline({ type, id }: { type: ItemType; id: string }) {
  const { t } = useTranslation();
  const q = useEvents(type, id);
  if (q.isLoading) return <Skeleton active />;
  if (q.error) return <ProblemAlert error={q.error} onRetry={() => void q.refetch()} />;
  const events = [...(q.data ?? [])].sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id);
  if (!events.length) return <Empty description={t("timeline.empty")} />;
  return (
    <Timeline
      data-testid="timeline"
      items={events.map((e) => ({ key: String(e.id), color: eventVerb(e) === "colour_changed" ? COLOUR_DOTS[eventField(e, "to") ?? ""] ?? "gray" : color(eventVerb(e)), children: <EventLine e={e} type={type} /> }))}
    />
  );
}

/** The units an issue has passed through: reporter, then every escalation/delegation target; the last is the handler now. */
export function escalationPath(issue: Pick<Issue, "reporter_org_id" | "reporter_org_name" | "handler_org_id" | "handler_org_name">, events: TimelineEvent[]) {
  const path: { id: string | undefined; name: string; verb: string }[] = [
    { id: issue.reporter_org_id, name: issue.reporter_org_name, verb: "report" },
  ];
  const moves = [...events]
    .sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id)
    .filter((e) => ["escalate", "delegate"].includes(eventVerb(e)));
  for (const e of moves) {
    const name = eventField(e, "to_org_name");
    if (name) path.push({ id: eventField(e, "to_org_id"), name, verb: eventVerb(e) });
  }
  const last = path[path.length - 1];
  if (last && last.id !== issue.handler_org_id && last.name !== issue.handler_org_name)
    path.push({ id: issue.handler_org_id, name: issue.handler_org_name, verb: "handler" });
  return path;
}

export function EscalationPath({ issue }: { issue: Issue }) {
  const { t } = useTranslation();
  const q = useEvents("issues", issue.id);
  const path = escalationPath(issue, q.data ?? []);
  const current = path.length - 1;
  return (
    <Steps
      data-testid="escalation-path"
      size="small"
      current={current}
      responsive
      items={path.map((p, i) => ({
        title: p.name,
        description:
          i === 0
            ? t("issue.reporter")
            : p.verb === "escalate"
              ? t("issueAction.escalate")
              : p.verb === "delegate"
                ? t("issueAction.delegate")
                : i === current
                  ? t("issue.pathNow")
                  : undefined,
        status: i === current ? (issue.status === "resolved" || issue.status === "closed" ? "finish" : "process") : "finish",
      }))}
    />
  );
}
