"""Repères CPAS: fiches, the « Ai-je droit ? » questionnaire and the moderated question thread."""
