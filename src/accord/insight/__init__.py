"""Field insights: what stakeholders said, in their words, with topics."""
