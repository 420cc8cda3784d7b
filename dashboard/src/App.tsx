import { Provider } from "urql";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";
import { lazy, type ComponentType, type ReactNode } from "react";
import { client } from "./lib/client";
import { useHasSession } from "./lib/use-session";
import { Layout } from "./components/Layout";
import { LoginPage } from "./pages/LoginPage";
import { SetupWizard } from "./pages/SetupWizard";
import { NotFoundPage } from "./pages/NotFoundPage";

// Pages load on demand, so signing in does not wait for the charts library.
const page = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) => lazy(() => load().then((m) => ({ default: m[name] })));
const HomePage = page(() => import("./pages/HomePage"), "HomePage");
const ReportsPage = page(() => import("./pages/ReportsPage"), "ReportsPage");
const ReportDetailPage = page(() => import("./pages/ReportDetailPage"), "ReportDetailPage");
const CrashGroupsPage = page(() => import("./pages/CrashGroupsPage"), "CrashGroupsPage");
const CrashGroupDetailPage = page(() => import("./pages/CrashGroupDetailPage"), "CrashGroupDetailPage");
const CrashReportPage = page(() => import("./pages/CrashReportPage"), "CrashReportPage");
const CrashStatsPage = page(() => import("./pages/CrashStatsPage"), "CrashStatsPage");
const FeedbackPage = page(() => import("./pages/FeedbackPage"), "FeedbackPage");
const FeedbackDetailPage = page(() => import("./pages/FeedbackDetailPage"), "FeedbackDetailPage");
const ProjectsPage = page(() => import("./pages/ProjectsPage"), "ProjectsPage");
const ProjectPage = page(() => import("./pages/ProjectPage"), "ProjectPage");
const IntegrationPage = page(() => import("./pages/IntegrationPage"), "IntegrationPage");
const UsersPage = page(() => import("./pages/UsersPage"), "UsersPage");
const SettingsPage = page(() => import("./pages/SettingsPage"), "SettingsPage");

/** Sends a signed-out visitor to the login page, remembering where they were going. */
function RequireSession({ children }: { children: ReactNode }) {
  const signedIn = useHasSession();
  const location = useLocation();
  if (!signedIn) {
    const next = location.pathname + location.search;
    return <Navigate to={next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return children;
}

export function App() {
  return (
    <Provider value={client}>
      <BrowserRouter>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/setup" element={<SetupWizard />} />
          <Route
            element={
              <RequireSession>
                <Layout />
              </RequireSession>
            }
          >
            <Route index element={<HomePage />} />
            <Route path="reports" element={<ReportsPage />} />
            <Route path="reports/:id" element={<ReportDetailPage />} />
            <Route path="feedback" element={<FeedbackPage />} />
            <Route path="feedback/:id" element={<FeedbackDetailPage />} />
            <Route path="crashes" element={<CrashGroupsPage />} />
            <Route path="crashes/stats" element={<CrashStatsPage />} />
            <Route path="crashes/:id" element={<CrashGroupDetailPage />} />
            <Route path="crashes/report/:id" element={<CrashReportPage />} />
            <Route path="projects" element={<ProjectsPage />} />
            <Route path="projects/:id" element={<ProjectPage />} />
            <Route path="projects/:id/integration" element={<IntegrationPage />} />
            <Route path="users" element={<UsersPage />} />
            <Route path="settings" element={<SettingsPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </Provider>
  );
}
