"""The customer's objectives and our opportunities (METHOD.md M4); plans come later."""
