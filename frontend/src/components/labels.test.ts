import { describe, expect, it } from "vitest";
import i18n from "../i18n";
import { auditActionLabel } from "../pages/AdminPage";
import { ACTION_SPECS } from "./ActionBar";
import { changedFields } from "./ItemTimeline";
import type { TimelineEvent } from "../api/workitems";

const ev = (data: Record<string, unknown>): TimelineEvent =>
  ({ id: 1, action: "update", at: "2030-01-01T00:00:00Z", actor_id: null, actor_name: null, data, from_status: null, to_status: null, note: null, org_id: null, org_name: null }) as TimelineEvent;

describe("readable labels", () => {
  it("names audit actions in the workflow's words, in the current language", async () => {
    await i18n.changeLanguage("zh-CN");
    expect(auditActionLabel("issue.escalate", i18n.t)).toBe("逐级上报");
    expect(auditActionLabel("task.update", i18n.t)).toBe("修改");
    expect(auditActionLabel("grant.delete", i18n.t)).toBe("删除");
    expect(auditActionLabel("something.new", i18n.t)).toBe("something.new");
    await i18n.changeLanguage("en");
    expect(auditActionLabel("auth.login_failed", i18n.t)).toBe("Sign-in failed");
    await i18n.changeLanguage("zh-CN");
  });

  it("lists the fields an edit changed, in form order", () => {
    expect(changedFields(ev({ due_at: "x", title: "y" }), "tasks")).toEqual(["task.fieldTitle", "task.dueAt"]);
    expect(changedFields(ev({ severity: "high", due_at: "z" }), "issues")).toEqual(["issue.severity", "issue.dueAt"]);
  });

  it("has a button label for every action route, in both languages", () => {
    for (const lng of ["zh-CN", "en"]) {
      const t = i18n.getFixedT(lng);
      for (const [type, ns] of [["tasks", "taskAction"], ["issues", "issueAction"]] as const) {
        for (const action of Object.keys(ACTION_SPECS[type])) {
          expect(t(`${ns}.${action}`, { defaultValue: "" }), `${lng} ${ns}.${action}`).not.toBe("");
        }
      }
    }
  });
});
