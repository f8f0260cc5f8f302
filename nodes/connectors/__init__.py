"""Connectors: node types made from an imported OpenAPI (or Swagger 2.0) document, one per operation."""
