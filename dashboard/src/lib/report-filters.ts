// The reports list's filters live in the URL, so a filtered view can be
// bookmarked, shared, and survives the trip to the login page and back.

import type { ReportWhereInput, ReportOrder, ReportStatus, ReportCategory, ReportSeverity, ReportOrderField, OrderDirection } from "../gql/graphql";
import { parseStatusFilter, statusMatches, statusWhere, type StatusFilter } from "./status-filter";

export interface ReportFilters {
  projectId?: string;
  search?: string;
  status?: StatusFilter<ReportStatus>;
  category?: ReportCategory;
  severity?: ReportSeverity;
  assigneeId?: string;
  /** A duplicate group's id: its own reports, whatever their page URL. */
  groupId?: string;
  /** Inclusive dates, YYYY-MM-DD, in the user's time zone. */
  from?: string;
  to?: string;
  pageUrl?: string;
  browser?: string;
  os?: string;
  sort: ReportOrderField;
  direction: OrderDirection;
  grouped: boolean;
}

export const REPORT_STATUSES: ReportStatus[] = ["NEW", "IN_PROGRESS", "RESOLVED", "CLOSED"];
/** What the overview counts as unresolved reports. */
export const UNRESOLVED_REPORT_STATUSES: ReportStatus[] = ["NEW", "IN_PROGRESS"];
export const REPORT_CATEGORIES: ReportCategory[] = ["UI", "CRASH", "PERFORMANCE", "OTHER"];
export const REPORT_SEVERITIES: ReportSeverity[] = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];
const SORT_FIELDS: ReportOrderField[] = ["CREATED_AT", "UPDATED_AT", "STATUS", "SEVERITY"];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | undefined {
  return allowed.includes(value as T) ? (value as T) : undefined;
}

function text(value: string | null): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

export function parseReportFilters(params: URLSearchParams): ReportFilters {
  return {
    projectId: text(params.get("project")),
    search: text(params.get("q")),
    status: parseStatusFilter(params.get("status"), REPORT_STATUSES),
    category: oneOf(params.get("category"), REPORT_CATEGORIES),
    severity: oneOf(params.get("severity"), REPORT_SEVERITIES),
    assigneeId: text(params.get("assignee")),
    groupId: text(params.get("group")),
    from: DATE.test(params.get("from") ?? "") ? params.get("from")! : undefined,
    to: DATE.test(params.get("to") ?? "") ? params.get("to")! : undefined,
    pageUrl: text(params.get("page")),
    browser: text(params.get("browser")),
    os: text(params.get("os")),
    sort: oneOf(params.get("sort"), SORT_FIELDS) ?? "CREATED_AT",
    direction: params.get("dir") === "ASC" ? "ASC" : "DESC",
    grouped: params.get("view") === "grouped",
  };
}

/** The URL form of filters; defaults are left out so the plain list has a plain URL. */
export function reportFiltersToParams(f: ReportFilters): URLSearchParams {
  const params = new URLSearchParams();
  const set = (key: string, value: string | undefined) => value && params.set(key, value);
  set("project", f.projectId);
  set("q", f.search);
  set("status", f.status);
  set("category", f.category);
  set("severity", f.severity);
  set("assignee", f.assigneeId);
  set("group", f.groupId);
  set("from", f.from);
  set("to", f.to);
  set("page", f.pageUrl);
  set("browser", f.browser);
  set("os", f.os);
  if (f.sort !== "CREATED_AT") params.set("sort", f.sort);
  if (f.direction !== "DESC") params.set("dir", f.direction);
  if (f.grouped) params.set("view", "grouped");
  return params;
}

/** The list of one duplicate group's reports, and nothing else. */
export function reportGroupPath(groupId: string): string {
  return `/reports?${reportFiltersToParams({ ...parseReportFilters(new URLSearchParams()), groupId })}`;
}

/** Local midnight of a YYYY-MM-DD date, plus `days`, as an ISO instant. */
function localDay(date: string, days = 0): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(y, m - 1, d + days).toISOString();
}

/** The user's today: as the `from` filter's date, and the instant it began. */
export function localToday(now = new Date()): { date: string; start: string } {
  const pad = (n: number) => String(n).padStart(2, "0");
  const date = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  return { date, start: localDay(date) };
}

interface ReportQueryVariables {
  projectId?: string;
  search?: string;
  where: ReportWhereInput;
  orderBy: ReportOrder;
}

export function reportQueryVariables(f: ReportFilters): ReportQueryVariables {
  const where: ReportWhereInput = statusWhere(f.status, UNRESOLVED_REPORT_STATUSES);
  if (f.category) where.category = f.category;
  if (f.severity) where.severity = f.severity;
  if (f.assigneeId === "none") where.assigneeIDIsNil = true;
  else if (f.assigneeId) where.assigneeID = f.assigneeId;
  if (f.groupId) where.groupID = f.groupId;
  if (f.from) where.createdAtGTE = localDay(f.from);
  // "to" is inclusive: everything before the next day's midnight.
  if (f.to) where.createdAtLT = localDay(f.to, 1);
  if (f.pageUrl) where.pageUrlContains = f.pageUrl;
  if (f.browser) where.browserContainsFold = f.browser;
  if (f.os) where.osContainsFold = f.os;
  return {
    projectId: f.projectId,
    search: f.search,
    where,
    orderBy: { field: f.sort, direction: f.direction },
  };
}

/** Whether a report pushed live belongs in the list as filtered. */
export function matchesReportFilters(
  r: { projectID: string; createdAt: string; status: ReportStatus; category: ReportCategory; severity: ReportSeverity; assigneeID?: string | null; groupID?: string | null; pageUrl: string; browser: string; os: string },
  f: ReportFilters,
): boolean {
  // Full-text search is the server's; a live item cannot be matched against it here.
  if (f.search) return false;
  if (f.projectId && r.projectID !== f.projectId) return false;
  if (!statusMatches(f.status, UNRESOLVED_REPORT_STATUSES, r.status)) return false;
  if (f.category && r.category !== f.category) return false;
  if (f.severity && r.severity !== f.severity) return false;
  if (f.assigneeId === "none" ? r.assigneeID : f.assigneeId && r.assigneeID !== f.assigneeId) return false;
  if (f.groupId && r.groupID !== f.groupId) return false;
  const created = Date.parse(r.createdAt);
  if (f.from && created < Date.parse(localDay(f.from))) return false;
  if (f.to && created >= Date.parse(localDay(f.to, 1))) return false;
  if (f.pageUrl && !r.pageUrl.includes(f.pageUrl)) return false;
  if (f.browser && !r.browser.toLowerCase().includes(f.browser.toLowerCase())) return false;
  if (f.os && !r.os.toLowerCase().includes(f.os.toLowerCase())) return false;
  return true;
}
