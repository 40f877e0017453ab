"""Questions from young people, moderated, answered by professionals (``/questions``)."""
