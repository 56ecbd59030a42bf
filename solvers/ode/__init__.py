"""Ordinary differential equations: problems as data, methods as code."""
