import { describe, expect, it } from "vitest";
import i18n from "../i18n";
import { ApiError, NetworkError, errorMessage, fieldErrors } from "./problem";

const t = i18n.getFixedT("zh-CN");
const en = i18n.getFixedT("en");

describe("errorMessage", () => {
  it("turns a 404 into the not-found sentence and does not leak the server's English", () => {
    const err = new ApiError(404, { type: "https://liandong.example/problems/not-found", status: 404, detail: "Issue not found." });
    expect(errorMessage(err, t)).toBe("未找到该内容，或您无权查看。");
    expect(errorMessage(err, en)).toBe("Not found, or you are not allowed to see it.");
  });

  it("explains a 409 state conflict and keeps the server's detail as context", () => {
    const err = new ApiError(409, { status: 409, detail: "Cannot verify a task that is issued." });
    expect(errorMessage(err, t)).toBe("当前状态不允许此操作。 服务器说明：Cannot verify a task that is issued.");
  });

  it("names a stale write (412) and a throttle with its Retry-After", () => {
    expect(errorMessage(new ApiError(412, { status: 412, detail: "x" }), en)).toMatch(/^Someone else updated this item/);
    expect(errorMessage(new ApiError(429, { status: 429 }, 42), en)).toContain("42 seconds");
  });

  it("recognises a reused Idempotency-Key with another body", () => {
    const err = new ApiError(422, { status: 422, type: "https://liandong.example/problems/idempotency-key-reused", detail: "Idempotency-Key was used with another body." });
    expect(errorMessage(err, en)).toMatch(/^This retry differs/);
  });

  it("says the connection is down for network errors", () => {
    expect(errorMessage(new NetworkError(), t)).toBe("无法连接服务器，请检查网络后重试。");
  });
});

describe("fieldErrors", () => {
  it("groups validation messages by body field", () => {
    const err = new ApiError(422, {
      status: 422,
      errors: [
        { loc: ["body", "title"], msg: "too short", type: "x" },
        { loc: ["body", "title"], msg: "bad", type: "y" },
        { loc: ["body", "due_at"], msg: "invalid", type: "z" },
      ],
    });
    expect(fieldErrors(err)).toEqual([
      { name: "title", errors: ["too short", "bad"] },
      { name: "due_at", errors: ["invalid"] },
    ]);
    expect(fieldErrors(new Error("x"))).toEqual([]);
  });
});
