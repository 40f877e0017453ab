"""Pages of the site as a whole: home, privacy, accessibility, health check."""
