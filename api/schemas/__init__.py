"""Marshmallow schemas: the request and response contract of each resource."""
