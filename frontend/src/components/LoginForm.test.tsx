import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { __resetForTests } from "../auth/session";
import i18n from "../i18n";
import { json, mockFetch, renderWithProviders } from "../test/utils";
import { LanguageSwitch } from "./LanguageSwitch";
import { LoginForm } from "./LoginForm";

beforeEach(async () => {
  __resetForTests();
  await i18n.changeLanguage("zh-CN");
});
afterEach(() => vi.unstubAllGlobals());

describe("LoginForm", () => {
  it("shows a readable message on wrong credentials and keeps the username", async () => {
    mockFetch({
      "POST /api/v1/auth/refresh": () => json({ status: 401 }, 401),
      "POST /api/v1/auth/token": () => json({ status: 401, title: "Unauthorized", detail: "Wrong username or password." }, 401),
    });
    const user = userEvent.setup();
    renderWithProviders(<LoginForm />);
    await user.type(screen.getByLabelText("用户名"), "street.leader");
    await user.type(screen.getByLabelText("密码"), "nope");
    await user.click(screen.getByTestId("login-submit"));
    expect(await screen.findByTestId("login-error")).toHaveTextContent("用户名或密码不正确");
    expect(screen.getByLabelText("用户名")).toHaveValue("street.leader");
  });

  it("reports a throttled login with its wait time", async () => {
    mockFetch({
      "POST /api/v1/auth/refresh": () => json({ status: 401 }, 401),
      "POST /api/v1/auth/token": () => json({ status: 429, title: "Too Many Requests", detail: "Too many failed sign-ins." }, 429, { "Retry-After": "120" }),
    });
    const user = userEvent.setup();
    renderWithProviders(<LoginForm />);
    await user.type(screen.getByLabelText("用户名"), "x.y");
    await user.type(screen.getByLabelText("密码"), "pw");
    await user.click(screen.getByTestId("login-submit"));
    expect(await screen.findByTestId("login-error")).toHaveTextContent("120 秒");
  });

  it("switches every label to English and back", async () => {
    mockFetch({ "POST /api/v1/auth/refresh": () => json({ status: 401 }, 401) });
    const user = userEvent.setup();
    renderWithProviders(
      <>
        <LanguageSwitch />
        <LoginForm />
      </>,
    );
    expect(screen.getByLabelText("用户名")).toBeInTheDocument();
    await user.click(screen.getByTestId("language-switch"));
    expect(await screen.findByLabelText("Username")).toBeInTheDocument();
    expect(screen.getByLabelText("Password")).toBeInTheDocument();
    expect(screen.getByTestId("login-submit")).toHaveTextContent("Sign in");
    expect(document.documentElement.lang).toBe("en");
    await user.click(screen.getByTestId("language-switch"));
    expect(await screen.findByLabelText("用户名")).toBeInTheDocument();
  });
});
