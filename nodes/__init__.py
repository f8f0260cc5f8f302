"""Node types: the registry, the built-in types, the expression language they all use."""
