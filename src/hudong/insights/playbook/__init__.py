"""The 表7.2 playbook: lists of customers to act on, and the follow-up tasks they hand out."""
