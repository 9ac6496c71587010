import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider, Spin } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import dayjs from "dayjs";
import { lazy, Suspense, useEffect, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router-dom";
import { ApiError } from "./api/problem";
import { AuthProvider, useAuth } from "./auth/AuthProvider";
import { usePrefersReducedMotion } from "./hooks/usePrefersReducedMotion";
import { AppShell } from "./components/AppShell";
import { NotFound } from "./components/NotFound";
import { dayjsLocale } from "./lib/format";
import { IssueDetailPage } from "./pages/IssueDetailPage";
import { IssueReportPage } from "./pages/IssueReportPage";
import { IssuesPage } from "./pages/IssuesPage";
import { LoginPage } from "./pages/LoginPage";
import { NotificationsPage } from "./pages/NotificationsPage";
import { OrgsPage } from "./pages/OrgsPage";
import { TaskCreatePage } from "./pages/TaskCreatePage";
import { TaskDetailPage } from "./pages/TaskDetailPage";
import { TasksPage } from "./pages/TasksPage";
import { WorkbenchPage } from "./pages/WorkbenchPage";

const DashboardPage = lazy(() => import("./pages/DashboardPage"));
const AdminPage = lazy(() => import("./pages/AdminPage"));

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: true,
        // Client errors (404 out of scope, 403) are answers, not glitches: do not retry them.
        retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}

function Loading() {
  const { t } = useTranslation();
  return (
    <div style={{ display: "flex", justifyContent: "center", padding: 64 }} role="status">
      <Spin tip={t("app.loading")} size="large">
        <div style={{ width: 80, height: 80 }} />
      </Spin>
    </div>
  );
}

function RequireAuth({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === "restoring") return <Loading />;
  if (status === "anonymous") return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireAuth>
            <AppShell />
          </RequireAuth>
        }
      >
        <Route index element={<WorkbenchPage />} />
        <Route path="tasks" element={<TasksPage />} />
        <Route path="tasks/new" element={<TaskCreatePage />} />
        <Route path="tasks/:id" element={<TaskDetailPage />} />
        <Route path="tasks/:id/split" element={<TaskCreatePage split />} />
        <Route path="issues" element={<IssuesPage />} />
        <Route path="issues/new" element={<IssueReportPage />} />
        <Route path="issues/:id" element={<IssueDetailPage />} />
        <Route path="orgs" element={<OrgsPage />} />
        <Route
          path="dashboard"
          element={
            <Suspense fallback={<Loading />}>
              <DashboardPage />
            </Suspense>
          }
        />
        <Route
          path="admin"
          element={
            <Suspense fallback={<Loading />}>
              <AdminPage />
            </Suspense>
          }
        />
        <Route path="notifications" element={<NotificationsPage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function Localized({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const reducedMotion = usePrefersReducedMotion();
  const zh = i18n.language.startsWith("zh");
  useEffect(() => {
    dayjs.locale(dayjsLocale(i18n.language));
    document.title = zh ? "联动 · 产业就业协同平台" : "Liandong";
  }, [i18n.language, zh]);
  return (
    <ConfigProvider
      locale={zh ? zhCN : enUS}
      theme={{
        token: {
          motion: !reducedMotion,
          colorPrimary: "#b71c1c",
          borderRadius: 6,
          fontSize: 15,
          // WCAG AA contrast for secondary and hint text on white and light grey
          colorTextSecondary: "rgba(0,0,0,0.66)",
          colorLink: "#0a58ca",
          colorError: "#cf1322",
          colorTextTertiary: "rgba(0,0,0,0.62)",
          colorTextDescription: "rgba(0,0,0,0.62)",
          colorTextPlaceholder: "rgba(0,0,0,0.55)",
        },
      }}
    >
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

const queryClient = makeQueryClient();

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Localized>
        <BrowserRouter>
          <AuthProvider>
            <AppRoutes />
          </AuthProvider>
        </BrowserRouter>
      </Localized>
    </QueryClientProvider>
  );
}
