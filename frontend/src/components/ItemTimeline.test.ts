import { describe, expect, it } from "vitest";
import type { TimelineEvent } from "../api/workitems";
import en from "../i18n/locales/en";
import zh from "../i18n/locales/zh-CN";
import { chaseRecipients, escalationPath, eventVerb } from "./ItemTimeline";

function ev(id: number, action: string, at: string, data: Record<string, unknown> | null = null): TimelineEvent {
  return { id, action, at, data, actor_id: null, actor_name: null, from_status: null, to_status: null, note: null, org_id: null, org_name: null };
}

describe("escalationPath", () => {
  it("draws reporter, then every escalation and delegation in time order, ending at the handler", () => {
    const issue = { reporter_org_id: "c", reporter_org_name: "永兴社区", handler_org_id: "k", handler_org_name: "兰坪县" };
    const events = [
      ev(3, "escalate", "2026-11-26T10:00:00Z", { to_org_id: "k", to_org_name: "兰坪县" }),
      ev(1, "create", "2026-11-26T08:00:00Z"),
      ev(2, "escalate", "2026-11-26T09:00:00Z", { to_org_id: "s", to_org_name: "翠屏街道" }),
      ev(4, "feedback", "2026-11-26T11:00:00Z"),
    ];
    expect(escalationPath(issue, events).map((p) => [p.name, p.verb])).toEqual([
      ["永兴社区", "report"],
      ["翠屏街道", "escalate"],
      ["兰坪县", "escalate"],
    ]);
  });

  it("adds the current handler when the events do not reach it", () => {
    const issue = { reporter_org_id: "c", reporter_org_name: "A", handler_org_id: "d", handler_org_name: "B" };
    expect(escalationPath(issue, []).map((p) => p.name)).toEqual(["A", "B"]);
  });

  it("normalises event names", () => {
    expect(eventVerb(ev(1, "escalated", "x"))).toBe("escalate");
    expect(eventVerb(ev(1, "subtask", "x"))).toBe("split");
    expect(eventVerb(ev(1, "request-extension", "x"))).toBe("request-extension");
  });
});

describe("locales", () => {
  function keys(o: object, prefix = ""): string[] {
    return Object.entries(o).flatMap(([k, v]) => (typeof v === "object" ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
  }
  it("zh-CN and en have the same keys and no empty strings", () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort());
    const values = (o: object): string[] => Object.values(o).flatMap((v) => (typeof v === "object" ? values(v as object) : [v as string]));
    expect(values(en).filter((v) => !v.trim())).toEqual([]);
    expect(values(en).filter((v) => /[\u4e00-\u9fff]/.test(v)).length).toBe(0);
  });
});

describe("chasing steps on the timeline", () => {
  it("names the units a step reached", () => {
    const e = {
      id: 9,
      action: "chase_circular",
      at: "2026-10-10T00:00:00+08:00",
      actor_id: null,
      actor_name: null,
      data: { step: "circular", notified: [{ org_id: "a", org_name: "县专班" }, { org_id: "b", org_name: "城关街道" }] },
      from_status: null,
      to_status: null,
      note: null,
      org_id: null,
      org_name: null,
    } as TimelineEvent;
    expect(chaseRecipients(e)).toEqual(["县专班", "城关街道"]);
    expect(chaseRecipients({ ...e, data: {} })).toEqual([]);
  });
});
