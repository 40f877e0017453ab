"""Search over the fiches and the published questions (``/recherche``)."""
