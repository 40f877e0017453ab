"""« Trouver mon CPAS »: from a Belgian postcode to the commune and its CPAS (content/cpas.yaml)."""
