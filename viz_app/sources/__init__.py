"""Frame producers and image preparation; no widgets here."""
