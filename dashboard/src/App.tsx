import { Provider } from "urql";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";
import type { ReactNode } from "react";
import { client } from "./lib/client";
import { useHasSession } from "./lib/use-session";
import { Layout } from "./components/Layout";
import { LoginPage } from "./pages/LoginPage";
import { SetupWizard } from "./pages/SetupWizard";
import { HomePage } from "./pages/HomePage";
import { ReportsPage } from "./pages/ReportsPage";
import { ReportDetailPage } from "./pages/ReportDetailPage";
import { CrashGroupsPage } from "./pages/CrashGroupsPage";
import { CrashGroupDetailPage } from "./pages/CrashGroupDetailPage";
import { CrashStatsPage } from "./pages/CrashStatsPage";
import { FeedbackPage } from "./pages/FeedbackPage";
import { FeedbackDetailPage } from "./pages/FeedbackDetailPage";
import { ProjectsPage } from "./pages/ProjectsPage";
import { ProjectPage } from "./pages/ProjectPage";
import { IntegrationPage } from "./pages/IntegrationPage";
import { UsersPage } from "./pages/UsersPage";
import { SettingsPage } from "./pages/SettingsPage";
import { NotFoundPage } from "./pages/NotFoundPage";

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
