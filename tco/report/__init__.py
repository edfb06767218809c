"""Renderings of one comparison: the JSON document, and the table, Markdown and CSV made from it."""
