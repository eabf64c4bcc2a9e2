"""Pure domain: the model, the rules and their errors. No I/O here."""
