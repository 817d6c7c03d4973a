"""Key-account selection (METHOD.md M2): features, scoring, tiers and warning flags, pure maths."""
