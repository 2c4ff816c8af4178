"""HTTP resources: one module per resource, each a Blueprint of MethodViews."""
