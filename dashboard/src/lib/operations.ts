import { graphql } from "../gql";

// Operations used by more than one page.

export const ViewerQuery = graphql(`
  query Viewer {
    viewer { id name email }
  }
`);

export const SetupStatusQuery = graphql(`
  query SetupStatus {
    setupStatus { needsSetup instanceName }
  }
`);

export const ProjectOptionsQuery = graphql(`
  query ProjectOptions {
    projects(first: 100) { edges { node { id name slug } } }
  }
`);

export const UserOptionsQuery = graphql(`
  query UserOptions {
    users(first: 100) { edges { node { id name email } } }
  }
`);

export const AddCommentMutation = graphql(`
  mutation AddComment($input: AddCommentInput!) {
    addComment(input: $input) { id body createdAt author { id name email } }
  }
`);
