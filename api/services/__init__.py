"""Business rules, called by the resources; views stay thin."""
