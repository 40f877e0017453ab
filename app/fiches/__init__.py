"""The fiches: Markdown files in ``content/fiches`` loaded, checked and rendered to safe HTML."""
