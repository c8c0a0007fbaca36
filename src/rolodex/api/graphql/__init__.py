"""The GraphQL API: a schema per workspace generated from its registry, at /graphql."""

from rolodex.api.graphql.routes import routes

__all__ = ["routes"]
