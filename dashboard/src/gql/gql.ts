/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": typeof types.LogoutDocument,
    "\n  query ProjectSnippets($id: ID!) {\n    project(id: $id) {\n      id\n      npm: snippet(kind: NPM)\n      cdn: snippet(kind: CDN)\n    }\n  }\n": typeof types.ProjectSnippetsDocument,
    "\n  query Version {\n    version { current latest updateAvailable releaseUrl }\n  }\n": typeof types.VersionDocument,
    "\n  query Viewer {\n    viewer { id name email }\n  }\n": typeof types.ViewerDocument,
    "\n  query SetupStatus {\n    setupStatus { needsSetup instanceName }\n  }\n": typeof types.SetupStatusDocument,
    "\n  query ProjectOptions {\n    projects(first: 100) { edges { node { id name slug } } }\n  }\n": typeof types.ProjectOptionsDocument,
    "\n  query UserOptions {\n    users(first: 100) { edges { node { id name email } } }\n  }\n": typeof types.UserOptionsDocument,
    "\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) { id body createdAt author { id name email } }\n  }\n": typeof types.AddCommentDocument,
    "\n  query CrashGroup($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on CrashGroup {\n        id errorType errorMessage fingerprint occurrenceCount affectedUsers firstSeenAt lastSeenAt updatedAt\n        affectedVersions affectedPlatforms status resolutionNotes resolvedAt resolvedInVersion\n        project { id name }\n        assignee { id name email }\n        comments { id body createdAt author { id name email } }\n        latest: crashReports(first: 1, orderBy: { field: CREATED_AT, direction: DESC }) {\n          edges { node { id createdAt appVersion platform osVersion severity userID stackTrace breadcrumbs deviceInfo appState } }\n        }\n        trend(period: MONTH) { start occurrences }\n        breakdown(period: MONTH) { total byVersion { key count } byPlatform { key count } }\n      }\n    }\n  }\n": typeof types.CrashGroupDocument,
    "\n  query CrashGroupCrashes($id: ID!, $first: Int, $after: Cursor) {\n    node(id: $id) {\n      __typename\n      ... on CrashGroup {\n        id\n        crashReports(first: $first, after: $after, orderBy: { field: CREATED_AT, direction: DESC }) {\n          totalCount\n          edges { node { id createdAt appVersion platform osVersion severity userID } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n": typeof types.CrashGroupCrashesDocument,
    "\n  mutation UpdateCrashGroup($id: ID!, $input: UpdateCrashGroupInput!) {\n    updateCrashGroup(id: $id, input: $input) { id status resolutionNotes resolvedAt resolvedInVersion updatedAt assignee { id name email } }\n  }\n": typeof types.UpdateCrashGroupDocument,
    "\n  fragment CrashGroupListItem on CrashGroup {\n    id errorType errorMessage occurrenceCount affectedUsers firstSeenAt lastSeenAt updatedAt status projectID\n    affectedVersions affectedPlatforms\n    project { id name }\n  }\n": typeof types.CrashGroupListItemFragmentDoc,
    "\n  query CrashGroups($projectId: ID, $where: CrashGroupWhereInput, $orderBy: CrashGroupOrder, $first: Int, $after: Cursor) {\n    crashGroups(projectId: $projectId, where: $where, orderBy: $orderBy, first: $first, after: $after) {\n      edges { node { ...CrashGroupListItem } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.CrashGroupsDocument,
    "\n  subscription CrashGroupUpdated($projectId: ID) {\n    crashGroupUpdated(projectId: $projectId) { ...CrashGroupListItem }\n  }\n": typeof types.CrashGroupUpdatedDocument,
    "\n  query CrashReport($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on CrashReport {\n        id createdAt errorType errorMessage severity userID appVersion platform osVersion fingerprint\n        stackTrace breadcrumbs deviceInfo appState\n        project { id name }\n        group { id errorType status }\n        attachments { id filename mimeType size }\n      }\n    }\n  }\n": typeof types.CrashReportDocument,
    "\n  query CrashStats($projectId: ID!, $period: StatsPeriod!) {\n    crashStats(projectId: $projectId, period: $period) {\n      totalOccurrences newGroups affectedUsers\n      buckets { start occurrences }\n      byVersion { key count }\n      byPlatform { key count }\n      topGroups { occurrences group { id errorType errorMessage } }\n    }\n  }\n": typeof types.CrashStatsDocument,
    "\n  query Feedback($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Feedback {\n        id category message email status internalNotes appVersion platform osVersion deviceInfo createdAt updatedAt\n        project { id name }\n        attachments { id filename mimeType size }\n        comments { id body createdAt author { id name email } }\n      }\n    }\n  }\n": typeof types.FeedbackDocument,
    "\n  mutation UpdateFeedback($id: ID!, $input: UpdateFeedbackInput!) {\n    updateFeedback(id: $id, input: $input) { id status internalNotes updatedAt }\n  }\n": typeof types.UpdateFeedbackDocument,
    "\n  mutation DeleteFeedback($id: ID!) {\n    deleteFeedback(id: $id)\n  }\n": typeof types.DeleteFeedbackDocument,
    "\n  fragment FeedbackListItem on Feedback {\n    id category message email status appVersion platform createdAt updatedAt projectID project { id name }\n  }\n": typeof types.FeedbackListItemFragmentDoc,
    "\n  query Feedbacks($projectId: ID, $search: String, $where: FeedbackWhereInput, $first: Int, $after: Cursor) {\n    feedbacks(projectId: $projectId, search: $search, where: $where, first: $first, after: $after) {\n      edges { node { ...FeedbackListItem } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.FeedbacksDocument,
    "\n  subscription FeedbackCreated($projectId: ID) {\n    feedbackCreated(projectId: $projectId) { ...FeedbackListItem }\n  }\n": typeof types.FeedbackCreatedDocument,
    "\n  fragment HomeReport on Report {\n    id message severity status createdAt project { id name }\n  }\n": typeof types.HomeReportFragmentDoc,
    "\n  query Home($todayStart: Time) {\n    dashboardStats(todayStart: $todayStart) { newReportsToday unresolvedReports openFeedback newCrashGroups }\n    reports(first: 10) { edges { node { ...HomeReport } } }\n  }\n": typeof types.HomeDocument,
    "\n  query ProjectStats($projectId: ID!) {\n    dashboardStats(projectId: $projectId) { newReportsToday unresolvedReports openFeedback newCrashGroups }\n  }\n": typeof types.ProjectStatsDocument,
    "\n  subscription HomeReportCreated {\n    reportCreated { ...HomeReport }\n  }\n": typeof types.HomeReportCreatedDocument,
    "\n  query IntegrationProject($id: ID!) {\n    project(id: $id) { id name slug publicKeys { id key revokedAt createdAt } }\n  }\n": typeof types.IntegrationProjectDocument,
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) { accessToken accessTokenExpiresAt refreshToken }\n  }\n": typeof types.LoginDocument,
    "\n  query Project($id: ID!) {\n    project(id: $id) {\n      id name slug allowedDomains webhookUrl webhookSecret webhookFormat retentionDays rateLimitPerMinute fingerprintIgnore updatedAt\n      publicKeys { id name key createdAt lastUsedAt revokedAt }\n    }\n  }\n": typeof types.ProjectDocument,
    "\n  mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, input: $input) { id name slug allowedDomains webhookUrl webhookSecret webhookFormat retentionDays rateLimitPerMinute fingerprintIgnore updatedAt }\n  }\n": typeof types.UpdateProjectDocument,
    "\n  mutation DeleteProject($id: ID!) {\n    deleteProject(id: $id)\n  }\n": typeof types.DeleteProjectDocument,
    "\n  mutation CreatePublicKey($projectId: ID!, $name: String!) {\n    createPublicKey(projectId: $projectId, name: $name) { id name key createdAt lastUsedAt revokedAt }\n  }\n": typeof types.CreatePublicKeyDocument,
    "\n  mutation RevokePublicKey($id: ID!) {\n    revokePublicKey(id: $id) { id revokedAt }\n  }\n": typeof types.RevokePublicKeyDocument,
    "\n  query WebhookDeliveries($id: ID!) {\n    project(id: $id) {\n      id\n      webhookDeliveries(last: 20) {\n        totalCount\n        edges { node { id event status attempts responseCode lastError createdAt deliveredAt } }\n      }\n    }\n  }\n": typeof types.WebhookDeliveriesDocument,
    "\n  mutation SendTestWebhook($projectId: ID!) {\n    sendTestWebhook(projectId: $projectId) { id event status attempts responseCode lastError createdAt deliveredAt }\n  }\n": typeof types.SendTestWebhookDocument,
    "\n  query Projects {\n    projects(first: 100) {\n      edges { node { id name slug allowedDomains createdAt publicKeys { id revokedAt } } }\n    }\n  }\n": typeof types.ProjectsDocument,
    "\n  query Report($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Report {\n        id message category severity status pageUrl appVersion browser os reporterEmail createdAt updatedAt\n        userContext customMetadata deviceInfo\n        project { id name }\n        assignee { id name email }\n        group { id reportCount affectedUsers }\n        mergedTimeline { timestamp type data }\n        attachments { id filename mimeType size }\n        comments { id body createdAt author { id name email } }\n        changes { id createdAt field fromValue toValue actor { id name email } }\n      }\n    }\n  }\n": typeof types.ReportDocument,
    "\n  mutation UpdateReport($id: ID!, $input: UpdateReportInput!) {\n    updateReport(id: $id, input: $input) { id status updatedAt assignee { id name email } }\n  }\n": typeof types.UpdateReportDocument,
    "\n  mutation DeleteReport($id: ID!) {\n    deleteReport(id: $id)\n  }\n": typeof types.DeleteReportDocument,
    "\n  fragment ReportListItem on Report {\n    id message category severity status pageUrl browser os createdAt updatedAt projectID assigneeID groupID\n    project { id name }\n    assignee { id name email }\n  }\n": typeof types.ReportListItemFragmentDoc,
    "\n  query Reports($projectId: ID, $search: String, $where: ReportWhereInput, $orderBy: ReportOrder, $first: Int, $after: Cursor) {\n    reports(projectId: $projectId, search: $search, where: $where, orderBy: $orderBy, first: $first, after: $after) {\n      edges { node { ...ReportListItem } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ReportsDocument,
    "\n  query ReportGroups($projectId: ID, $first: Int, $after: Cursor) {\n    reportGroups(projectId: $projectId, first: $first, after: $after) {\n      edges { node { id pageUrl errorMessage reportCount affectedUsers firstSeenAt lastSeenAt project { id name } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ReportGroupsDocument,
    "\n  query ReportGroupName($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on ReportGroup { id pageUrl errorMessage project { id name } }\n    }\n  }\n": typeof types.ReportGroupNameDocument,
    "\n  subscription ReportCreated($projectId: ID) {\n    reportCreated(projectId: $projectId) { ...ReportListItem }\n  }\n": typeof types.ReportCreatedDocument,
    "\n  query Settings {\n    settings { id instanceName defaultRetentionDays updatedAt }\n    version { current latest updateAvailable releaseUrl }\n    apiTokens(first: 100) { edges { node { id name createdAt lastUsedAt revokedAt } } }\n  }\n": typeof types.SettingsDocument,
    "\n  mutation UpdateSettings($input: UpdateSettingsInput!) {\n    updateSettings(input: $input) { id instanceName defaultRetentionDays updatedAt }\n  }\n": typeof types.UpdateSettingsDocument,
    "\n  mutation CreateAPIToken($name: String!) {\n    createAPIToken(name: $name) { token apiToken { id name createdAt lastUsedAt revokedAt } }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  mutation RevokeAPIToken($id: ID!) {\n    revokeAPIToken(id: $id) { id revokedAt }\n  }\n": typeof types.RevokeApiTokenDocument,
    "\n  mutation Setup($input: SetupInput!) {\n    setup(input: $input) { accessToken accessTokenExpiresAt refreshToken }\n  }\n": typeof types.SetupDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { id name slug }\n  }\n": typeof types.CreateProjectDocument,
    "\n  query Users {\n    users(first: 100) { edges { node { id name email createdAt } } }\n  }\n": typeof types.UsersDocument,
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) { id name email createdAt }\n  }\n": typeof types.CreateUserDocument,
    "\n  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) { id name email }\n  }\n": typeof types.UpdateUserDocument,
    "\n  mutation DeleteUser($id: ID!) {\n    deleteUser(id: $id)\n  }\n": typeof types.DeleteUserDocument,
};
const documents: Documents = {
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": types.LogoutDocument,
    "\n  query ProjectSnippets($id: ID!) {\n    project(id: $id) {\n      id\n      npm: snippet(kind: NPM)\n      cdn: snippet(kind: CDN)\n    }\n  }\n": types.ProjectSnippetsDocument,
    "\n  query Version {\n    version { current latest updateAvailable releaseUrl }\n  }\n": types.VersionDocument,
    "\n  query Viewer {\n    viewer { id name email }\n  }\n": types.ViewerDocument,
    "\n  query SetupStatus {\n    setupStatus { needsSetup instanceName }\n  }\n": types.SetupStatusDocument,
    "\n  query ProjectOptions {\n    projects(first: 100) { edges { node { id name slug } } }\n  }\n": types.ProjectOptionsDocument,
    "\n  query UserOptions {\n    users(first: 100) { edges { node { id name email } } }\n  }\n": types.UserOptionsDocument,
    "\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) { id body createdAt author { id name email } }\n  }\n": types.AddCommentDocument,
    "\n  query CrashGroup($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on CrashGroup {\n        id errorType errorMessage fingerprint occurrenceCount affectedUsers firstSeenAt lastSeenAt updatedAt\n        affectedVersions affectedPlatforms status resolutionNotes resolvedAt resolvedInVersion\n        project { id name }\n        assignee { id name email }\n        comments { id body createdAt author { id name email } }\n        latest: crashReports(first: 1, orderBy: { field: CREATED_AT, direction: DESC }) {\n          edges { node { id createdAt appVersion platform osVersion severity userID stackTrace breadcrumbs deviceInfo appState } }\n        }\n        trend(period: MONTH) { start occurrences }\n        breakdown(period: MONTH) { total byVersion { key count } byPlatform { key count } }\n      }\n    }\n  }\n": types.CrashGroupDocument,
    "\n  query CrashGroupCrashes($id: ID!, $first: Int, $after: Cursor) {\n    node(id: $id) {\n      __typename\n      ... on CrashGroup {\n        id\n        crashReports(first: $first, after: $after, orderBy: { field: CREATED_AT, direction: DESC }) {\n          totalCount\n          edges { node { id createdAt appVersion platform osVersion severity userID } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n": types.CrashGroupCrashesDocument,
    "\n  mutation UpdateCrashGroup($id: ID!, $input: UpdateCrashGroupInput!) {\n    updateCrashGroup(id: $id, input: $input) { id status resolutionNotes resolvedAt resolvedInVersion updatedAt assignee { id name email } }\n  }\n": types.UpdateCrashGroupDocument,
    "\n  fragment CrashGroupListItem on CrashGroup {\n    id errorType errorMessage occurrenceCount affectedUsers firstSeenAt lastSeenAt updatedAt status projectID\n    affectedVersions affectedPlatforms\n    project { id name }\n  }\n": types.CrashGroupListItemFragmentDoc,
    "\n  query CrashGroups($projectId: ID, $where: CrashGroupWhereInput, $orderBy: CrashGroupOrder, $first: Int, $after: Cursor) {\n    crashGroups(projectId: $projectId, where: $where, orderBy: $orderBy, first: $first, after: $after) {\n      edges { node { ...CrashGroupListItem } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.CrashGroupsDocument,
    "\n  subscription CrashGroupUpdated($projectId: ID) {\n    crashGroupUpdated(projectId: $projectId) { ...CrashGroupListItem }\n  }\n": types.CrashGroupUpdatedDocument,
    "\n  query CrashReport($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on CrashReport {\n        id createdAt errorType errorMessage severity userID appVersion platform osVersion fingerprint\n        stackTrace breadcrumbs deviceInfo appState\n        project { id name }\n        group { id errorType status }\n        attachments { id filename mimeType size }\n      }\n    }\n  }\n": types.CrashReportDocument,
    "\n  query CrashStats($projectId: ID!, $period: StatsPeriod!) {\n    crashStats(projectId: $projectId, period: $period) {\n      totalOccurrences newGroups affectedUsers\n      buckets { start occurrences }\n      byVersion { key count }\n      byPlatform { key count }\n      topGroups { occurrences group { id errorType errorMessage } }\n    }\n  }\n": types.CrashStatsDocument,
    "\n  query Feedback($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Feedback {\n        id category message email status internalNotes appVersion platform osVersion deviceInfo createdAt updatedAt\n        project { id name }\n        attachments { id filename mimeType size }\n        comments { id body createdAt author { id name email } }\n      }\n    }\n  }\n": types.FeedbackDocument,
    "\n  mutation UpdateFeedback($id: ID!, $input: UpdateFeedbackInput!) {\n    updateFeedback(id: $id, input: $input) { id status internalNotes updatedAt }\n  }\n": types.UpdateFeedbackDocument,
    "\n  mutation DeleteFeedback($id: ID!) {\n    deleteFeedback(id: $id)\n  }\n": types.DeleteFeedbackDocument,
    "\n  fragment FeedbackListItem on Feedback {\n    id category message email status appVersion platform createdAt updatedAt projectID project { id name }\n  }\n": types.FeedbackListItemFragmentDoc,
    "\n  query Feedbacks($projectId: ID, $search: String, $where: FeedbackWhereInput, $first: Int, $after: Cursor) {\n    feedbacks(projectId: $projectId, search: $search, where: $where, first: $first, after: $after) {\n      edges { node { ...FeedbackListItem } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.FeedbacksDocument,
    "\n  subscription FeedbackCreated($projectId: ID) {\n    feedbackCreated(projectId: $projectId) { ...FeedbackListItem }\n  }\n": types.FeedbackCreatedDocument,
    "\n  fragment HomeReport on Report {\n    id message severity status createdAt project { id name }\n  }\n": types.HomeReportFragmentDoc,
    "\n  query Home($todayStart: Time) {\n    dashboardStats(todayStart: $todayStart) { newReportsToday unresolvedReports openFeedback newCrashGroups }\n    reports(first: 10) { edges { node { ...HomeReport } } }\n  }\n": types.HomeDocument,
    "\n  query ProjectStats($projectId: ID!) {\n    dashboardStats(projectId: $projectId) { newReportsToday unresolvedReports openFeedback newCrashGroups }\n  }\n": types.ProjectStatsDocument,
    "\n  subscription HomeReportCreated {\n    reportCreated { ...HomeReport }\n  }\n": types.HomeReportCreatedDocument,
    "\n  query IntegrationProject($id: ID!) {\n    project(id: $id) { id name slug publicKeys { id key revokedAt createdAt } }\n  }\n": types.IntegrationProjectDocument,
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) { accessToken accessTokenExpiresAt refreshToken }\n  }\n": types.LoginDocument,
    "\n  query Project($id: ID!) {\n    project(id: $id) {\n      id name slug allowedDomains webhookUrl webhookSecret webhookFormat retentionDays rateLimitPerMinute fingerprintIgnore updatedAt\n      publicKeys { id name key createdAt lastUsedAt revokedAt }\n    }\n  }\n": types.ProjectDocument,
    "\n  mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, input: $input) { id name slug allowedDomains webhookUrl webhookSecret webhookFormat retentionDays rateLimitPerMinute fingerprintIgnore updatedAt }\n  }\n": types.UpdateProjectDocument,
    "\n  mutation DeleteProject($id: ID!) {\n    deleteProject(id: $id)\n  }\n": types.DeleteProjectDocument,
    "\n  mutation CreatePublicKey($projectId: ID!, $name: String!) {\n    createPublicKey(projectId: $projectId, name: $name) { id name key createdAt lastUsedAt revokedAt }\n  }\n": types.CreatePublicKeyDocument,
    "\n  mutation RevokePublicKey($id: ID!) {\n    revokePublicKey(id: $id) { id revokedAt }\n  }\n": types.RevokePublicKeyDocument,
    "\n  query WebhookDeliveries($id: ID!) {\n    project(id: $id) {\n      id\n      webhookDeliveries(last: 20) {\n        totalCount\n        edges { node { id event status attempts responseCode lastError createdAt deliveredAt } }\n      }\n    }\n  }\n": types.WebhookDeliveriesDocument,
    "\n  mutation SendTestWebhook($projectId: ID!) {\n    sendTestWebhook(projectId: $projectId) { id event status attempts responseCode lastError createdAt deliveredAt }\n  }\n": types.SendTestWebhookDocument,
    "\n  query Projects {\n    projects(first: 100) {\n      edges { node { id name slug allowedDomains createdAt publicKeys { id revokedAt } } }\n    }\n  }\n": types.ProjectsDocument,
    "\n  query Report($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Report {\n        id message category severity status pageUrl appVersion browser os reporterEmail createdAt updatedAt\n        userContext customMetadata deviceInfo\n        project { id name }\n        assignee { id name email }\n        group { id reportCount affectedUsers }\n        mergedTimeline { timestamp type data }\n        attachments { id filename mimeType size }\n        comments { id body createdAt author { id name email } }\n        changes { id createdAt field fromValue toValue actor { id name email } }\n      }\n    }\n  }\n": types.ReportDocument,
    "\n  mutation UpdateReport($id: ID!, $input: UpdateReportInput!) {\n    updateReport(id: $id, input: $input) { id status updatedAt assignee { id name email } }\n  }\n": types.UpdateReportDocument,
    "\n  mutation DeleteReport($id: ID!) {\n    deleteReport(id: $id)\n  }\n": types.DeleteReportDocument,
    "\n  fragment ReportListItem on Report {\n    id message category severity status pageUrl browser os createdAt updatedAt projectID assigneeID groupID\n    project { id name }\n    assignee { id name email }\n  }\n": types.ReportListItemFragmentDoc,
    "\n  query Reports($projectId: ID, $search: String, $where: ReportWhereInput, $orderBy: ReportOrder, $first: Int, $after: Cursor) {\n    reports(projectId: $projectId, search: $search, where: $where, orderBy: $orderBy, first: $first, after: $after) {\n      edges { node { ...ReportListItem } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ReportsDocument,
    "\n  query ReportGroups($projectId: ID, $first: Int, $after: Cursor) {\n    reportGroups(projectId: $projectId, first: $first, after: $after) {\n      edges { node { id pageUrl errorMessage reportCount affectedUsers firstSeenAt lastSeenAt project { id name } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ReportGroupsDocument,
    "\n  query ReportGroupName($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on ReportGroup { id pageUrl errorMessage project { id name } }\n    }\n  }\n": types.ReportGroupNameDocument,
    "\n  subscription ReportCreated($projectId: ID) {\n    reportCreated(projectId: $projectId) { ...ReportListItem }\n  }\n": types.ReportCreatedDocument,
    "\n  query Settings {\n    settings { id instanceName defaultRetentionDays updatedAt }\n    version { current latest updateAvailable releaseUrl }\n    apiTokens(first: 100) { edges { node { id name createdAt lastUsedAt revokedAt } } }\n  }\n": types.SettingsDocument,
    "\n  mutation UpdateSettings($input: UpdateSettingsInput!) {\n    updateSettings(input: $input) { id instanceName defaultRetentionDays updatedAt }\n  }\n": types.UpdateSettingsDocument,
    "\n  mutation CreateAPIToken($name: String!) {\n    createAPIToken(name: $name) { token apiToken { id name createdAt lastUsedAt revokedAt } }\n  }\n": types.CreateApiTokenDocument,
    "\n  mutation RevokeAPIToken($id: ID!) {\n    revokeAPIToken(id: $id) { id revokedAt }\n  }\n": types.RevokeApiTokenDocument,
    "\n  mutation Setup($input: SetupInput!) {\n    setup(input: $input) { accessToken accessTokenExpiresAt refreshToken }\n  }\n": types.SetupDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { id name slug }\n  }\n": types.CreateProjectDocument,
    "\n  query Users {\n    users(first: 100) { edges { node { id name email createdAt } } }\n  }\n": types.UsersDocument,
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) { id name email createdAt }\n  }\n": types.CreateUserDocument,
    "\n  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) { id name email }\n  }\n": types.UpdateUserDocument,
    "\n  mutation DeleteUser($id: ID!) {\n    deleteUser(id: $id)\n  }\n": types.DeleteUserDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"): (typeof documents)["\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectSnippets($id: ID!) {\n    project(id: $id) {\n      id\n      npm: snippet(kind: NPM)\n      cdn: snippet(kind: CDN)\n    }\n  }\n"): (typeof documents)["\n  query ProjectSnippets($id: ID!) {\n    project(id: $id) {\n      id\n      npm: snippet(kind: NPM)\n      cdn: snippet(kind: CDN)\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Version {\n    version { current latest updateAvailable releaseUrl }\n  }\n"): (typeof documents)["\n  query Version {\n    version { current latest updateAvailable releaseUrl }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer { id name email }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer { id name email }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SetupStatus {\n    setupStatus { needsSetup instanceName }\n  }\n"): (typeof documents)["\n  query SetupStatus {\n    setupStatus { needsSetup instanceName }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectOptions {\n    projects(first: 100) { edges { node { id name slug } } }\n  }\n"): (typeof documents)["\n  query ProjectOptions {\n    projects(first: 100) { edges { node { id name slug } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserOptions {\n    users(first: 100) { edges { node { id name email } } }\n  }\n"): (typeof documents)["\n  query UserOptions {\n    users(first: 100) { edges { node { id name email } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) { id body createdAt author { id name email } }\n  }\n"): (typeof documents)["\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) { id body createdAt author { id name email } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CrashGroup($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on CrashGroup {\n        id errorType errorMessage fingerprint occurrenceCount affectedUsers firstSeenAt lastSeenAt updatedAt\n        affectedVersions affectedPlatforms status resolutionNotes resolvedAt resolvedInVersion\n        project { id name }\n        assignee { id name email }\n        comments { id body createdAt author { id name email } }\n        latest: crashReports(first: 1, orderBy: { field: CREATED_AT, direction: DESC }) {\n          edges { node { id createdAt appVersion platform osVersion severity userID stackTrace breadcrumbs deviceInfo appState } }\n        }\n        trend(period: MONTH) { start occurrences }\n        breakdown(period: MONTH) { total byVersion { key count } byPlatform { key count } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CrashGroup($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on CrashGroup {\n        id errorType errorMessage fingerprint occurrenceCount affectedUsers firstSeenAt lastSeenAt updatedAt\n        affectedVersions affectedPlatforms status resolutionNotes resolvedAt resolvedInVersion\n        project { id name }\n        assignee { id name email }\n        comments { id body createdAt author { id name email } }\n        latest: crashReports(first: 1, orderBy: { field: CREATED_AT, direction: DESC }) {\n          edges { node { id createdAt appVersion platform osVersion severity userID stackTrace breadcrumbs deviceInfo appState } }\n        }\n        trend(period: MONTH) { start occurrences }\n        breakdown(period: MONTH) { total byVersion { key count } byPlatform { key count } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CrashGroupCrashes($id: ID!, $first: Int, $after: Cursor) {\n    node(id: $id) {\n      __typename\n      ... on CrashGroup {\n        id\n        crashReports(first: $first, after: $after, orderBy: { field: CREATED_AT, direction: DESC }) {\n          totalCount\n          edges { node { id createdAt appVersion platform osVersion severity userID } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CrashGroupCrashes($id: ID!, $first: Int, $after: Cursor) {\n    node(id: $id) {\n      __typename\n      ... on CrashGroup {\n        id\n        crashReports(first: $first, after: $after, orderBy: { field: CREATED_AT, direction: DESC }) {\n          totalCount\n          edges { node { id createdAt appVersion platform osVersion severity userID } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateCrashGroup($id: ID!, $input: UpdateCrashGroupInput!) {\n    updateCrashGroup(id: $id, input: $input) { id status resolutionNotes resolvedAt resolvedInVersion updatedAt assignee { id name email } }\n  }\n"): (typeof documents)["\n  mutation UpdateCrashGroup($id: ID!, $input: UpdateCrashGroupInput!) {\n    updateCrashGroup(id: $id, input: $input) { id status resolutionNotes resolvedAt resolvedInVersion updatedAt assignee { id name email } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CrashGroupListItem on CrashGroup {\n    id errorType errorMessage occurrenceCount affectedUsers firstSeenAt lastSeenAt updatedAt status projectID\n    affectedVersions affectedPlatforms\n    project { id name }\n  }\n"): (typeof documents)["\n  fragment CrashGroupListItem on CrashGroup {\n    id errorType errorMessage occurrenceCount affectedUsers firstSeenAt lastSeenAt updatedAt status projectID\n    affectedVersions affectedPlatforms\n    project { id name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CrashGroups($projectId: ID, $where: CrashGroupWhereInput, $orderBy: CrashGroupOrder, $first: Int, $after: Cursor) {\n    crashGroups(projectId: $projectId, where: $where, orderBy: $orderBy, first: $first, after: $after) {\n      edges { node { ...CrashGroupListItem } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query CrashGroups($projectId: ID, $where: CrashGroupWhereInput, $orderBy: CrashGroupOrder, $first: Int, $after: Cursor) {\n    crashGroups(projectId: $projectId, where: $where, orderBy: $orderBy, first: $first, after: $after) {\n      edges { node { ...CrashGroupListItem } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CrashGroupUpdated($projectId: ID) {\n    crashGroupUpdated(projectId: $projectId) { ...CrashGroupListItem }\n  }\n"): (typeof documents)["\n  subscription CrashGroupUpdated($projectId: ID) {\n    crashGroupUpdated(projectId: $projectId) { ...CrashGroupListItem }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CrashReport($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on CrashReport {\n        id createdAt errorType errorMessage severity userID appVersion platform osVersion fingerprint\n        stackTrace breadcrumbs deviceInfo appState\n        project { id name }\n        group { id errorType status }\n        attachments { id filename mimeType size }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CrashReport($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on CrashReport {\n        id createdAt errorType errorMessage severity userID appVersion platform osVersion fingerprint\n        stackTrace breadcrumbs deviceInfo appState\n        project { id name }\n        group { id errorType status }\n        attachments { id filename mimeType size }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CrashStats($projectId: ID!, $period: StatsPeriod!) {\n    crashStats(projectId: $projectId, period: $period) {\n      totalOccurrences newGroups affectedUsers\n      buckets { start occurrences }\n      byVersion { key count }\n      byPlatform { key count }\n      topGroups { occurrences group { id errorType errorMessage } }\n    }\n  }\n"): (typeof documents)["\n  query CrashStats($projectId: ID!, $period: StatsPeriod!) {\n    crashStats(projectId: $projectId, period: $period) {\n      totalOccurrences newGroups affectedUsers\n      buckets { start occurrences }\n      byVersion { key count }\n      byPlatform { key count }\n      topGroups { occurrences group { id errorType errorMessage } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Feedback($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Feedback {\n        id category message email status internalNotes appVersion platform osVersion deviceInfo createdAt updatedAt\n        project { id name }\n        attachments { id filename mimeType size }\n        comments { id body createdAt author { id name email } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Feedback($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Feedback {\n        id category message email status internalNotes appVersion platform osVersion deviceInfo createdAt updatedAt\n        project { id name }\n        attachments { id filename mimeType size }\n        comments { id body createdAt author { id name email } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateFeedback($id: ID!, $input: UpdateFeedbackInput!) {\n    updateFeedback(id: $id, input: $input) { id status internalNotes updatedAt }\n  }\n"): (typeof documents)["\n  mutation UpdateFeedback($id: ID!, $input: UpdateFeedbackInput!) {\n    updateFeedback(id: $id, input: $input) { id status internalNotes updatedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteFeedback($id: ID!) {\n    deleteFeedback(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteFeedback($id: ID!) {\n    deleteFeedback(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment FeedbackListItem on Feedback {\n    id category message email status appVersion platform createdAt updatedAt projectID project { id name }\n  }\n"): (typeof documents)["\n  fragment FeedbackListItem on Feedback {\n    id category message email status appVersion platform createdAt updatedAt projectID project { id name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Feedbacks($projectId: ID, $search: String, $where: FeedbackWhereInput, $first: Int, $after: Cursor) {\n    feedbacks(projectId: $projectId, search: $search, where: $where, first: $first, after: $after) {\n      edges { node { ...FeedbackListItem } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Feedbacks($projectId: ID, $search: String, $where: FeedbackWhereInput, $first: Int, $after: Cursor) {\n    feedbacks(projectId: $projectId, search: $search, where: $where, first: $first, after: $after) {\n      edges { node { ...FeedbackListItem } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription FeedbackCreated($projectId: ID) {\n    feedbackCreated(projectId: $projectId) { ...FeedbackListItem }\n  }\n"): (typeof documents)["\n  subscription FeedbackCreated($projectId: ID) {\n    feedbackCreated(projectId: $projectId) { ...FeedbackListItem }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HomeReport on Report {\n    id message severity status createdAt project { id name }\n  }\n"): (typeof documents)["\n  fragment HomeReport on Report {\n    id message severity status createdAt project { id name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Home($todayStart: Time) {\n    dashboardStats(todayStart: $todayStart) { newReportsToday unresolvedReports openFeedback newCrashGroups }\n    reports(first: 10) { edges { node { ...HomeReport } } }\n  }\n"): (typeof documents)["\n  query Home($todayStart: Time) {\n    dashboardStats(todayStart: $todayStart) { newReportsToday unresolvedReports openFeedback newCrashGroups }\n    reports(first: 10) { edges { node { ...HomeReport } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectStats($projectId: ID!) {\n    dashboardStats(projectId: $projectId) { newReportsToday unresolvedReports openFeedback newCrashGroups }\n  }\n"): (typeof documents)["\n  query ProjectStats($projectId: ID!) {\n    dashboardStats(projectId: $projectId) { newReportsToday unresolvedReports openFeedback newCrashGroups }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription HomeReportCreated {\n    reportCreated { ...HomeReport }\n  }\n"): (typeof documents)["\n  subscription HomeReportCreated {\n    reportCreated { ...HomeReport }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IntegrationProject($id: ID!) {\n    project(id: $id) { id name slug publicKeys { id key revokedAt createdAt } }\n  }\n"): (typeof documents)["\n  query IntegrationProject($id: ID!) {\n    project(id: $id) { id name slug publicKeys { id key revokedAt createdAt } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) { accessToken accessTokenExpiresAt refreshToken }\n  }\n"): (typeof documents)["\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) { accessToken accessTokenExpiresAt refreshToken }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Project($id: ID!) {\n    project(id: $id) {\n      id name slug allowedDomains webhookUrl webhookSecret webhookFormat retentionDays rateLimitPerMinute fingerprintIgnore updatedAt\n      publicKeys { id name key createdAt lastUsedAt revokedAt }\n    }\n  }\n"): (typeof documents)["\n  query Project($id: ID!) {\n    project(id: $id) {\n      id name slug allowedDomains webhookUrl webhookSecret webhookFormat retentionDays rateLimitPerMinute fingerprintIgnore updatedAt\n      publicKeys { id name key createdAt lastUsedAt revokedAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, input: $input) { id name slug allowedDomains webhookUrl webhookSecret webhookFormat retentionDays rateLimitPerMinute fingerprintIgnore updatedAt }\n  }\n"): (typeof documents)["\n  mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, input: $input) { id name slug allowedDomains webhookUrl webhookSecret webhookFormat retentionDays rateLimitPerMinute fingerprintIgnore updatedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteProject($id: ID!) {\n    deleteProject(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteProject($id: ID!) {\n    deleteProject(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePublicKey($projectId: ID!, $name: String!) {\n    createPublicKey(projectId: $projectId, name: $name) { id name key createdAt lastUsedAt revokedAt }\n  }\n"): (typeof documents)["\n  mutation CreatePublicKey($projectId: ID!, $name: String!) {\n    createPublicKey(projectId: $projectId, name: $name) { id name key createdAt lastUsedAt revokedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokePublicKey($id: ID!) {\n    revokePublicKey(id: $id) { id revokedAt }\n  }\n"): (typeof documents)["\n  mutation RevokePublicKey($id: ID!) {\n    revokePublicKey(id: $id) { id revokedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookDeliveries($id: ID!) {\n    project(id: $id) {\n      id\n      webhookDeliveries(last: 20) {\n        totalCount\n        edges { node { id event status attempts responseCode lastError createdAt deliveredAt } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebhookDeliveries($id: ID!) {\n    project(id: $id) {\n      id\n      webhookDeliveries(last: 20) {\n        totalCount\n        edges { node { id event status attempts responseCode lastError createdAt deliveredAt } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendTestWebhook($projectId: ID!) {\n    sendTestWebhook(projectId: $projectId) { id event status attempts responseCode lastError createdAt deliveredAt }\n  }\n"): (typeof documents)["\n  mutation SendTestWebhook($projectId: ID!) {\n    sendTestWebhook(projectId: $projectId) { id event status attempts responseCode lastError createdAt deliveredAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Projects {\n    projects(first: 100) {\n      edges { node { id name slug allowedDomains createdAt publicKeys { id revokedAt } } }\n    }\n  }\n"): (typeof documents)["\n  query Projects {\n    projects(first: 100) {\n      edges { node { id name slug allowedDomains createdAt publicKeys { id revokedAt } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Report($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Report {\n        id message category severity status pageUrl appVersion browser os reporterEmail createdAt updatedAt\n        userContext customMetadata deviceInfo\n        project { id name }\n        assignee { id name email }\n        group { id reportCount affectedUsers }\n        mergedTimeline { timestamp type data }\n        attachments { id filename mimeType size }\n        comments { id body createdAt author { id name email } }\n        changes { id createdAt field fromValue toValue actor { id name email } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Report($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on Report {\n        id message category severity status pageUrl appVersion browser os reporterEmail createdAt updatedAt\n        userContext customMetadata deviceInfo\n        project { id name }\n        assignee { id name email }\n        group { id reportCount affectedUsers }\n        mergedTimeline { timestamp type data }\n        attachments { id filename mimeType size }\n        comments { id body createdAt author { id name email } }\n        changes { id createdAt field fromValue toValue actor { id name email } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateReport($id: ID!, $input: UpdateReportInput!) {\n    updateReport(id: $id, input: $input) { id status updatedAt assignee { id name email } }\n  }\n"): (typeof documents)["\n  mutation UpdateReport($id: ID!, $input: UpdateReportInput!) {\n    updateReport(id: $id, input: $input) { id status updatedAt assignee { id name email } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteReport($id: ID!) {\n    deleteReport(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteReport($id: ID!) {\n    deleteReport(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReportListItem on Report {\n    id message category severity status pageUrl browser os createdAt updatedAt projectID assigneeID groupID\n    project { id name }\n    assignee { id name email }\n  }\n"): (typeof documents)["\n  fragment ReportListItem on Report {\n    id message category severity status pageUrl browser os createdAt updatedAt projectID assigneeID groupID\n    project { id name }\n    assignee { id name email }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Reports($projectId: ID, $search: String, $where: ReportWhereInput, $orderBy: ReportOrder, $first: Int, $after: Cursor) {\n    reports(projectId: $projectId, search: $search, where: $where, orderBy: $orderBy, first: $first, after: $after) {\n      edges { node { ...ReportListItem } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Reports($projectId: ID, $search: String, $where: ReportWhereInput, $orderBy: ReportOrder, $first: Int, $after: Cursor) {\n    reports(projectId: $projectId, search: $search, where: $where, orderBy: $orderBy, first: $first, after: $after) {\n      edges { node { ...ReportListItem } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReportGroups($projectId: ID, $first: Int, $after: Cursor) {\n    reportGroups(projectId: $projectId, first: $first, after: $after) {\n      edges { node { id pageUrl errorMessage reportCount affectedUsers firstSeenAt lastSeenAt project { id name } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query ReportGroups($projectId: ID, $first: Int, $after: Cursor) {\n    reportGroups(projectId: $projectId, first: $first, after: $after) {\n      edges { node { id pageUrl errorMessage reportCount affectedUsers firstSeenAt lastSeenAt project { id name } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReportGroupName($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on ReportGroup { id pageUrl errorMessage project { id name } }\n    }\n  }\n"): (typeof documents)["\n  query ReportGroupName($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on ReportGroup { id pageUrl errorMessage project { id name } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ReportCreated($projectId: ID) {\n    reportCreated(projectId: $projectId) { ...ReportListItem }\n  }\n"): (typeof documents)["\n  subscription ReportCreated($projectId: ID) {\n    reportCreated(projectId: $projectId) { ...ReportListItem }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Settings {\n    settings { id instanceName defaultRetentionDays updatedAt }\n    version { current latest updateAvailable releaseUrl }\n    apiTokens(first: 100) { edges { node { id name createdAt lastUsedAt revokedAt } } }\n  }\n"): (typeof documents)["\n  query Settings {\n    settings { id instanceName defaultRetentionDays updatedAt }\n    version { current latest updateAvailable releaseUrl }\n    apiTokens(first: 100) { edges { node { id name createdAt lastUsedAt revokedAt } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateSettings($input: UpdateSettingsInput!) {\n    updateSettings(input: $input) { id instanceName defaultRetentionDays updatedAt }\n  }\n"): (typeof documents)["\n  mutation UpdateSettings($input: UpdateSettingsInput!) {\n    updateSettings(input: $input) { id instanceName defaultRetentionDays updatedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAPIToken($name: String!) {\n    createAPIToken(name: $name) { token apiToken { id name createdAt lastUsedAt revokedAt } }\n  }\n"): (typeof documents)["\n  mutation CreateAPIToken($name: String!) {\n    createAPIToken(name: $name) { token apiToken { id name createdAt lastUsedAt revokedAt } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeAPIToken($id: ID!) {\n    revokeAPIToken(id: $id) { id revokedAt }\n  }\n"): (typeof documents)["\n  mutation RevokeAPIToken($id: ID!) {\n    revokeAPIToken(id: $id) { id revokedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Setup($input: SetupInput!) {\n    setup(input: $input) { accessToken accessTokenExpiresAt refreshToken }\n  }\n"): (typeof documents)["\n  mutation Setup($input: SetupInput!) {\n    setup(input: $input) { accessToken accessTokenExpiresAt refreshToken }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { id name slug }\n  }\n"): (typeof documents)["\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { id name slug }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users {\n    users(first: 100) { edges { node { id name email createdAt } } }\n  }\n"): (typeof documents)["\n  query Users {\n    users(first: 100) { edges { node { id name email createdAt } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) { id name email createdAt }\n  }\n"): (typeof documents)["\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) { id name email createdAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) { id name email }\n  }\n"): (typeof documents)["\n  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {\n    updateUser(id: $id, input: $input) { id name email }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteUser($id: ID!) {\n    deleteUser(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteUser($id: ID!) {\n    deleteUser(id: $id)\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;