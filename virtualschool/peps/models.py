"""Personal Education Plans."""
