import { Suspense, useState } from "react";
import { NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { useMutation, useQuery } from "urql";
import { Bug, ChartColumn, FolderKanban, Home, LogOut, Menu, MessageSquare, Settings, Users, Zap } from "lucide-react";
import { graphql } from "../gql";
import { session } from "../lib/client";
import { ViewerQuery } from "../lib/operations";
import { Button, Loading, cn } from "./ui";
import { Logo } from "./Logo";
import { UpdateBanner } from "./UpdateBanner";

const LogoutMutation = graphql(`
  mutation Logout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`);

const NAV = [
  { to: "/", label: "Overview", icon: Home, end: true },
  { to: "/reports", label: "Reports", icon: Bug },
  { to: "/feedback", label: "Feedback", icon: MessageSquare },
  { to: "/crashes", label: "Crashes", icon: Zap, end: true },
  { to: "/crashes/stats", label: "Crash stats", icon: ChartColumn },
  { to: "/projects", label: "Projects", icon: FolderKanban },
  { to: "/users", label: "Users", icon: Users },
  { to: "/settings", label: "Settings", icon: Settings },
];

export function Layout() {
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  const navigate = useNavigate();
  const [{ data }] = useQuery({ query: ViewerQuery });
  const [, logout] = useMutation(LogoutMutation);

  async function signOut() {
    const refreshToken = session.end();
    // The local session is gone either way; revoking it server-side is best effort.
    if (refreshToken) await logout({ refreshToken });
    navigate("/login", { replace: true });
  }

  return (
    <div className="min-h-screen lg:grid lg:grid-cols-[15rem_1fr]">
      <header className="sticky top-0 z-20 flex h-14 items-center gap-3 border-b border-slate-200 bg-white px-4 lg:hidden">
        <Button variant="ghost" size="sm" aria-label="Menu" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
          <Menu className="size-5" aria-hidden />
        </Button>
        <Logo className="size-7" />
        <span className="font-semibold">Oopsie</span>
      </header>
      <aside
        id="main-nav"
        className={cn("border-r border-slate-200 bg-white lg:block", menuOpen ? "block" : "hidden")}
      >
        <div className="flex flex-col lg:sticky lg:top-0 lg:h-screen">
        <div className="hidden h-14 items-center gap-2 px-5 lg:flex">
          <Logo className="size-7" />
          <span className="font-semibold">Oopsie</span>
        </div>
        <nav aria-label="Main" className="flex-1 space-y-0.5 p-3">
          {NAV.map(({ to, label, icon: Icon, end }) => (
            <NavLink
              key={to}
              to={to}
              end={end}
              onClick={() => setMenuOpen(false)}
              className={({ isActive }) =>
                cn(
                  "flex items-center gap-2.5 rounded-md px-3 py-2 text-sm font-medium",
                  isActive ? "bg-primary-soft text-primary" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900",
                )
              }
            >
              <Icon className="size-4" aria-hidden />
              {label}
            </NavLink>
          ))}
        </nav>
        <div className="border-t border-slate-200 p-3">
          {data?.viewer && (
            <p className="truncate px-3 pb-2 text-xs text-slate-500" title={data.viewer.email}>
              {data.viewer.name || data.viewer.email}
            </p>
          )}
          <Button variant="ghost" className="w-full justify-start" onClick={signOut}>
            <LogOut className="size-4" aria-hidden /> Sign out
          </Button>
        </div>
        </div>
      </aside>
      <div className="min-w-0">
        <UpdateBanner />
        <main key={location.pathname} className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8">
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  );
}
