import { describe, expect, it } from "vitest";
import { localToday, matchesReportFilters, parseReportFilters, reportFiltersToParams, reportGroupPath, reportQueryVariables } from "./report-filters";

describe("report filters ⇄ URL", () => {
  it("round-trips every filter through the URL", () => {
    const url = "project=prj_1&q=checkout+-safari&status=IN_PROGRESS&category=UI&severity=HIGH&assignee=usr_2&group=grp_3&from=2026-03-01&to=2026-03-31&page=%2Fcart&browser=Chrome&os=macOS&sort=SEVERITY&dir=ASC&view=grouped";
    const f = parseReportFilters(new URLSearchParams(url));
    expect(f).toMatchObject({ projectId: "prj_1", search: "checkout -safari", status: "IN_PROGRESS", sort: "SEVERITY", direction: "ASC", grouped: true, pageUrl: "/cart", groupId: "grp_3" });
    expect(reportFiltersToParams(f).toString()).toBe(url);
  });

  it("drops unknown values and leaves defaults out of the URL", () => {
    const f = parseReportFilters(new URLSearchParams("status=BOGUS&sort=nope&from=yesterday&q=%20%20"));
    expect(f.status).toBeUndefined();
    expect(f.from).toBeUndefined();
    expect(f.search).toBeUndefined();
    expect(f.sort).toBe("CREATED_AT");
    expect(reportFiltersToParams(f).toString()).toBe("");
  });

  it("turns filters into the API's where input with an inclusive end date", () => {
    const f = parseReportFilters(new URLSearchParams("status=NEW&assignee=none&from=2026-03-01&to=2026-03-01&browser=firefox"));
    const v = reportQueryVariables(f);
    expect(v.where.status).toBe("NEW");
    expect(v.where.assigneeIDIsNil).toBe(true);
    expect(v.where.browserContainsFold).toBe("firefox");
    const from = Date.parse(v.where.createdAtGTE as string);
    const to = Date.parse(v.where.createdAtLT as string);
    expect(to - from).toBe(24 * 3600 * 1000);
    expect(v.orderBy).toEqual({ field: "CREATED_AT", direction: "DESC" });
  });

  it("lists a duplicate group's reports by the group's id, not by its normalised page URL", () => {
    const path = reportGroupPath("grp_3");
    expect(path).toBe("/reports?group=grp_3");
    const v = reportQueryVariables(parseReportFilters(new URLSearchParams(path.split("?")[1])));
    expect(v.where).toEqual({ groupID: "grp_3" });
    // Other filters still narrow the group's reports.
    expect(reportQueryVariables(parseReportFilters(new URLSearchParams("group=grp_3&severity=HIGH"))).where).toEqual({ groupID: "grp_3", severity: "HIGH" });
  });

  it("asks for every unresolved status, as the overview counts them", () => {
    const f = parseReportFilters(new URLSearchParams("status=UNRESOLVED"));
    expect(f.status).toBe("UNRESOLVED");
    expect(reportQueryVariables(f).where).toEqual({ statusIn: ["NEW", "IN_PROGRESS"] });
    expect(reportFiltersToParams(f).toString()).toBe("status=UNRESOLVED");
  });

  it("starts the user's today where the list filtered from today starts", () => {
    const today = localToday(new Date(2026, 2, 9, 0, 30));
    expect(today.date).toBe("2026-03-09");
    expect(today.start).toBe(new Date(2026, 2, 9).toISOString());
    const v = reportQueryVariables(parseReportFilters(new URLSearchParams(`from=${today.date}`)));
    expect(v.where.createdAtGTE).toBe(today.start);
    expect(localToday(new Date(2026, 11, 31, 23, 59)).date).toBe("2026-12-31");
  });

  it("decides whether a live report belongs in the filtered list", () => {
    const r = { projectID: "prj_1", createdAt: new Date().toISOString(), status: "NEW" as const, category: "UI" as const, severity: "HIGH" as const, assigneeID: null, pageUrl: "https://x.test/cart", browser: "Chrome 120", os: "macOS" };
    const f = (q: string) => parseReportFilters(new URLSearchParams(q));
    expect(matchesReportFilters(r, f(""))).toBe(true);
    expect(matchesReportFilters(r, f("project=prj_1&severity=HIGH&browser=chrome&page=cart&assignee=none"))).toBe(true);
    expect(matchesReportFilters(r, f("project=prj_2"))).toBe(false);
    expect(matchesReportFilters(r, f("status=RESOLVED"))).toBe(false);
    expect(matchesReportFilters(r, f("status=UNRESOLVED"))).toBe(true);
    expect(matchesReportFilters({ ...r, status: "CLOSED" }, f("status=UNRESOLVED"))).toBe(false);
    expect(matchesReportFilters(r, f("assignee=usr_1"))).toBe(false);
    expect(matchesReportFilters(r, f("to=2020-01-01"))).toBe(false);
    expect(matchesReportFilters({ ...r, groupID: "grp_1" }, f("group=grp_1"))).toBe(true);
    expect(matchesReportFilters({ ...r, groupID: "grp_2" }, f("group=grp_1"))).toBe(false);
    expect(matchesReportFilters(r, f("group=grp_1"))).toBe(false);
    // Full-text matching is the server's: a live report never guesses it.
    expect(matchesReportFilters(r, f("q=cart"))).toBe(false);
  });
});
