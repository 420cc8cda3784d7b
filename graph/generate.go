package graph

// gqlgen resolves gqlgen.yml's paths from the module root. make generate
// runs ./ent first, which writes graph/schema/ent.graphql.
//go:generate sh -c "cd .. && go tool gqlgen generate"
