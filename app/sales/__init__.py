"""Sales' side of a lead: the inbox's actions, the SLA clock, the closed loop."""
