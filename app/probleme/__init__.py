"""« J'ai un problème avec une décision du CPAS »: the second path of « Ai-je droit ? »."""
