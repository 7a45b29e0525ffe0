"""Full screens and modal dialogs of the interview app."""
